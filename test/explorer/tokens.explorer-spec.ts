import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard } from '@logyard/testing';
import { request } from '../support/http';
import { seriousViolations, watchPages } from './browser';

const QUERY_TOKEN = 'explorer-query-token-0123456789';

describe('web explorer with QUERY_TOKENS', () => {
  let logyard: IsolatedLogyard;
  const pages = watchPages(() => logyard.url);

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
    await ingest('archived before sign-in');
    await logyard.db.awaitCount(1);
  });

  afterAll(() => logyard?.close());

  it('asks for the token once, then queries and tails with an HTTP-only cookie', async () => {
    const { page } = pages.current();
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

  it('knows a signed-in browser arriving by a link from another site, and signs it out', async () => {
    const { page } = pages.current();
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Query token' }).fill(QUERY_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // A link in a chat message or a ticket: the page itself is asked for without the SameSite=Strict cookie.
    const elsewhere = 'http://elsewhere.test/';
    await page.route(elsewhere, (route) =>
      route.fulfill({ contentType: 'text/html', body: `<a href="${logyard.url}/?service=vault">open</a>` }),
    );
    await page.goto(elsewhere);
    await page.getByRole('link', { name: 'open' }).click();
    await page.getByText('archived before sign-in').waitFor();
    expect(await page.getByRole('textbox', { name: 'Query token' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('textbox', { name: 'Query token' }).waitFor();
    await page.reload();
    await page.getByRole('textbox', { name: 'Query token' }).waitFor();
  });

  it('asks again in a browser that has not signed in', async () => {
    await pages.current().page.goto('/');
    await pages.current().page.getByRole('textbox', { name: 'Query token' }).waitFor();
  });
});
