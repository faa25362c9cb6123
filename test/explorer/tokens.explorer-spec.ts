import type { Browser } from 'playwright-core';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { request } from '../support/http';
import { launchChromium, openPage, seriousViolations, WatchedPage } from './browser';

const QUERY_TOKEN = 'explorer-query-token-0123456789';

describe('web explorer with QUERY_TOKENS', () => {
  let logyard: IsolatedLogyard;
  let browser: Browser;
  let watched: WatchedPage;

  async function ingest(message: string): Promise<void> {
    const response = await request(`${logyard.url}/ingest`, {
      body: [{ host: 'web-1', service: 'vault', message }],
    });
    expect(response.status).toBe(202);
  }

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule], {
      QUERY_TOKENS: QUERY_TOKEN,
    });
    browser = await launchChromium();
    await ingest('archived before sign-in');
    await waitFor(
      'the record archived',
      async () => (await logyard.db.scalar('SELECT count(*)::int FROM logs')) === 1,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await logyard?.close();
  });

  beforeEach(async () => {
    watched = await openPage(browser, logyard.url);
  });

  afterEach(async () => {
    await watched.context.close();
    expect(watched.problems).toEqual([]);
  });

  it('asks for the token once, then queries and tails with an HTTP-only cookie', async () => {
    const { page } = watched;
    await page.goto('/?service=vault');
    const prompt = page.getByRole('textbox', { name: 'Query token' });
    await prompt.waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await prompt.fill(QUERY_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('archived before sign-in').waitFor();
    // The page's scripts never see the token.
    expect(await page.evaluate('document.cookie')).toBe('');

    await page.reload();
    await page.getByText('archived before sign-in').waitFor();
    expect(await prompt.count()).toBe(0);

    // EventSource sends no Authorization header: the live tail opens on the cookie alone.
    await page.getByRole('button', { name: 'Live' }).click();
    await page.locator('.live-status[data-status="live"]').waitFor();
    await ingest('posted while live');
    await page.getByText('posted while live').waitFor();
  });

  it('asks again in a browser that has not signed in', async () => {
    await watched.page.goto('/');
    await watched.page.getByRole('textbox', { name: 'Query token' }).waitFor();
  });
});
