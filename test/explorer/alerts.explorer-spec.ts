import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { AlertRuleBody } from '@logyard/contracts';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { HttpReceiver } from '../support/alert-receivers';
import { request } from '../support/http';
import { seriousViolations, watchPages } from './browser';

describe('the Alerts view in Chromium', () => {
  let logyard: IsolatedLogyard;
  let webhook: HttpReceiver;
  const pages = watchPages(() => logyard.url);

  beforeAll(async () => {
    webhook = await HttpReceiver.start();
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
    for (const [name, service] of [
      ['Checkout errors', 'checkout'],
      ['Ledger quiet', 'ledger'],
    ]) {
      const created = await request<AlertRuleBody>(`${logyard.url}/api/alerts`, {
        body: { name, threshold: 1, window: '10m', service, minSeverity: 'error', webhook: webhook.url },
      });
      expect(created.status).toBe(201);
    }
    await waitFor('both rules loaded', async () => {
      const list = await request<{ items: AlertRuleBody[] }>(`${logyard.url}/api/alerts`);
      return list.body.items.every((rule) => rule.countingSince);
    });
    await request(`${logyard.url}/ingest`, {
      body: [{ service: 'checkout', severity: 'error', message: 'boom' }],
    });
    await waitFor('the checkout rule firing', async () => {
      const list = await request<{ items: AlertRuleBody[] }>(`${logyard.url}/api/alerts`);
      return list.body.items.some((rule) => rule.state === 'firing');
    });
  });

  afterAll(async () => {
    await logyard?.close();
    await webhook?.close();
  });

  it('lists every rule with its state and count, links to its records, and stays accessible', async () => {
    const { page } = pages.current();
    await page.goto('/');
    await page.getByRole('link', { name: 'Alerts' }).click();
    const table = page.getByRole('table', { name: 'Alert rules' });
    await table.waitFor();
    const checkout = table.getByRole('row', { name: /Checkout errors/ });
    await expect(checkout.getByRole('cell').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['Firing', '1 / 1', '10m']),
    );
    await expect(
      table
        .getByRole('row', { name: /Ledger quiet/ })
        .getByRole('cell')
        .first()
        .textContent(),
    ).resolves.toBe('OK');
    expect(await seriousViolations(page)).toEqual([]);

    await checkout.getByRole('link', { name: 'Checkout errors' }).click();
    await page.waitForSelector('button.row');
    const query = new URL(page.url()).searchParams;
    expect(Object.fromEntries(query)).toEqual({ service: 'checkout', minSeverity: 'error', from: 'now-10m' });
    await expect(page.locator('button.row .message').allTextContents()).resolves.toEqual(['boom']);
  });
});
