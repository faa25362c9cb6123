import { createHmac } from 'node:crypto';
import amqplib from 'amqplib';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { AlertNotificationBody, AlertRuleBody, LogPage as LogPageBody } from '@logyard/contracts';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { AlertSubscriber, alertmanagerV2Violation, HttpReceiver } from '../support/alert-receivers';
import { request } from '../support/http';

const QUERY_TOKEN = 'alerts-query-token-0123456789';
/** Low, so the bound is reached with a few rules. */
const MAX_RULES = 12;
const INGEST_TOKEN = 'alerts-ingest-token-0123456789';
const asQuery = { authorization: `Bearer ${QUERY_TOKEN}` };
const SECRET = 'alerts-webhook-secret-0123';

describe('alert rules (issue 15)', () => {
  let logyard: IsolatedLogyard;
  let webhook: HttpReceiver;
  let alertmanager: HttpReceiver;
  let subscriber: AlertSubscriber;

  beforeAll(async () => {
    webhook = await HttpReceiver.start();
    alertmanager = await HttpReceiver.start(alertmanagerV2Violation);
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule], {
      QUERY_TOKENS: QUERY_TOKEN,
      INGEST_TOKENS: INGEST_TOKEN,
      PUBLIC_URL: 'https://logs.example.com',
      ALERT_MAX_RULES: String(MAX_RULES),
    });
    subscriber = await AlertSubscriber.open(logyard.world.amqpUrl, `${logyard.world.prefix}.alerts`, '#');
  });

  afterAll(async () => {
    await subscriber?.close();
    await logyard?.close();
    await webhook?.close();
    await alertmanager?.close();
  });

  const createRule = async (body: Record<string, unknown>) => {
    const created = await request<AlertRuleBody>(`${logyard.url}/api/alerts`, { body, headers: asQuery });
    expect(created.status).toBe(201);
    // Counting starts once the evaluator has the rule: wait for that before sending.
    return waitFor('the evaluator to load the rule', async () => {
      const rule = await request<AlertRuleBody>(`${logyard.url}/api/alerts/${created.body.id}`, {
        headers: asQuery,
      });
      return rule.body.countingSince ? rule.body : undefined;
    });
  };
  const getRule = async (id: string) =>
    (await request<AlertRuleBody>(`${logyard.url}/api/alerts/${id}`, { headers: asQuery })).body;
  const ingest = async (records: object[]) => {
    const sent = await request(`${logyard.url}/ingest`, {
      body: records,
      headers: { authorization: `Bearer ${INGEST_TOKEN}` },
    });
    expect(sent.status).toBeLessThan(300);
  };
  const outboxCount = (ruleId: string, target: string) =>
    logyard.db.scalar('SELECT count(*)::int FROM alert_outbox WHERE rule_id = $1 AND target = $2', [
      ruleId,
      target,
    ]);

  it('refuses bad rules with a 400 naming the field, and asks for a query token', async () => {
    const valid = { name: 'bad input', threshold: 1, window: '1m', webhook: webhook.url };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, servce: 'x' }, 'servce'],
      [{ ...valid, window: '10s' }, 'window'],
      [{ ...valid, window: '2d' }, 'window'],
      [{ ...valid, threshold: 0 }, 'threshold'],
      [{ name: 'x', threshold: 1, window: '1m' }, 'webhook'],
      [{ ...valid, severity: 'loud' }, 'severity'],
      [{ ...valid, severity: 'error', minSeverity: 'warn' }, 'minSeverity'],
      [{ ...valid, q: '   ' }, 'q'],
      // PostgreSQL cannot hold NUL: a rule named with one answered 500.
      [{ ...valid, name: 'a\u0000b' }, 'name'],
      [{ ...valid, contains: ['ok', 'x\u0000'] }, 'contains'],
      // Nor a lone surrogate in jsonb: a rule so named answered 500 too.
      [{ ...valid, name: 'a\ud800b' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const answer = await request<{ field: string; message: string }>(`${logyard.url}/api/alerts`, {
        body,
        headers: asQuery,
      });
      expect({ field, status: answer.status, answered: answer.body.field }).toEqual({
        field,
        status: 400,
        answered: field,
      });
      expect(answer.body.message).toContain(field);
    }
    await expect(request(`${logyard.url}/api/alerts`, { body: valid })).resolves.toMatchObject({
      status: 401,
    });
    await expect(
      request(`${logyard.url}/api/alerts`, {
        body: valid,
        headers: { authorization: `Bearer ${INGEST_TOKEN}` },
      }),
    ).resolves.toMatchObject({ status: 401 });

    // PATCH merges, and the result must still be a whole rule; DELETE removes it.
    const rule = await createRule(valid);
    const patched = await request<AlertRuleBody>(`${logyard.url}/api/alerts/${rule.id}`, {
      method: 'PATCH',
      body: { threshold: 7, service: 'checkout' },
      headers: asQuery,
    });
    expect(patched.body).toMatchObject({
      threshold: 7,
      filters: { service: 'checkout' },
      webhook: webhook.url,
    });
    await expect(
      request(`${logyard.url}/api/alerts/${rule.id}`, {
        method: 'PATCH',
        body: { webhook: null },
        headers: asQuery,
      }),
    ).resolves.toMatchObject({ status: 400, body: { field: 'webhook' } });
    await expect(
      request(`${logyard.url}/api/alerts`, { body: { ...valid, name: 'Bad Input' }, headers: asQuery }),
    ).resolves.toMatchObject({ status: 409, body: { field: 'name' } });
    await expect(
      request(`${logyard.url}/api/alerts/${rule.id}`, { method: 'DELETE', headers: asQuery }),
    ).resolves.toMatchObject({ status: 204 });
    await expect(
      request(`${logyard.url}/api/alerts/${rule.id}`, { headers: asQuery }),
    ).resolves.toMatchObject({
      status: 404,
    });
  });

  // Nothing bounded the rules: each costs the evaluator memory and every record a check.
  it('refuses a rule past ALERT_MAX_RULES with 409, and takes one again once a rule is deleted', async () => {
    const listed = await request<{ items: AlertRuleBody[] }>(`${logyard.url}/api/alerts`, {
      headers: asQuery,
    });
    const create = (i: number) =>
      request<AlertRuleBody>(`${logyard.url}/api/alerts`, {
        body: { name: `bound ${i}`, threshold: 1000, window: '1m', service: 'bound', webhook: webhook.url },
        headers: asQuery,
      });
    const created: string[] = [];
    try {
      for (let i = listed.body.items.length; i < MAX_RULES; i++) {
        const answer = await create(i);
        expect(answer.status).toBe(201);
        created.push(answer.body.id);
      }
      await expect(create(MAX_RULES)).resolves.toMatchObject({
        status: 409,
        body: {
          message: `the archive holds ${MAX_RULES} alert rules, its limit (ALERT_MAX_RULES); delete one first`,
        },
      });
      const freed = created.pop()!;
      await request(`${logyard.url}/api/alerts/${freed}`, { method: 'DELETE', headers: asQuery });
      const again = await create(MAX_RULES);
      expect(again.status).toBe(201);
      created.push(again.body.id);
    } finally {
      for (const id of created) {
        await request(`${logyard.url}/api/alerts/${id}`, { method: 'DELETE', headers: asQuery });
      }
    }
  });

  it('stays quiet below the threshold, notifies once on firing and once on resolving, with the count GET /api/logs gives', async () => {
    const filters = { service: 'checkout', minSeverity: 'error', 'attr.region': 'eu', contains: 'timeout' };
    const rule = await createRule({
      name: 'Checkout timeouts',
      threshold: 5,
      window: '30s',
      ...filters,
      webhook: `${webhook.url}/hook`,
      alertmanager: alertmanager.url,
      secret: SECRET,
    });
    const now = Date.now();
    const matching = (i: number) => ({
      ts: new Date(now - i * 100).toISOString(),
      host: 'web-1',
      service: 'checkout',
      severity: 'error',
      message: `upstream Timeout #${i}`,
      attributes: { region: 'eu' },
    });
    const noise = [
      { ...matching(0), service: 'billing' },
      { ...matching(0), severity: 'warn' },
      { ...matching(0), attributes: { region: 'us' } },
      { ...matching(0), message: 'all good' },
      { ...matching(0), ts: new Date(now - 300_000).toISOString() },
    ];
    await ingest([...noise, ...[1, 2, 3, 4].map(matching)]);
    await waitFor('the evaluator to count four', async () => (await getRule(rule.id)).lastCount === 4);
    await expect(outboxCount(rule.id, 'webhook')).resolves.toBe(0);
    expect(webhook.received).toHaveLength(0);
    expect(subscriber.messages.filter((m) => m.body.rule.id === rule.id)).toHaveLength(0);

    await ingest([matching(5)]);
    const firing = await waitFor('the firing webhook', () =>
      webhook.accepted().find((b) => b.rule.id === rule.id),
    );
    expect(firing).toMatchObject({ state: 'firing', count: 5, threshold: 5, window: '30s' });
    expect(firing.samples).toHaveLength(5);
    expect(firing.url.startsWith('https://logs.example.com/')).toBe(true);
    const link = new URL(firing.url);
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      ...filters,
      from: firing.from,
      to: firing.to,
    });

    // The count is what the archive query returns for the same filters and window.
    const query = new URLSearchParams({ ...filters, from: firing.from, to: firing.to, limit: '1000' });
    const page = await waitFor('the archive to hold the window', async () => {
      const answer = await request<LogPageBody>(`${logyard.url}/api/logs?${query}`, { headers: asQuery });
      return answer.body.items.length >= firing.count ? answer.body : undefined;
    });
    expect(page.items).toHaveLength(firing.count);

    // Signed with the rule's secret over the exact bytes sent.
    const signed = webhook.received.find((r) => (r.body as AlertNotificationBody).id === firing.id)!;
    const expected = `sha256=${createHmac('sha256', SECRET).update(signed.raw).digest('hex')}`;
    expect(signed.headers['x-logyard-signature']).toBe(expected);
    expect(signed.path).toBe('/hook');

    const resolved = await waitFor(
      'the resolved webhook',
      () => webhook.accepted().find((b) => b.rule.id === rule.id && b.state === 'resolved'),
      { timeoutMs: 60_000 },
    );
    expect(resolved.count).toBeLessThan(5);
    expect(resolved.since).toBe(firing.at);
    const resolvedQuery = new URLSearchParams({
      ...filters,
      from: resolved.from,
      to: resolved.to,
      limit: '1000',
    });
    const resolvedPage = await request<LogPageBody>(`${logyard.url}/api/logs?${resolvedQuery}`, {
      headers: asQuery,
    });
    expect(resolvedPage.body.items).toHaveLength(resolved.count);

    // Every notification leaves from the outbox: once delivered there, nothing more can come.
    await waitFor(
      'every notification delivered',
      async () =>
        (await logyard.db.scalar<number>(
          'SELECT count(*)::int FROM alert_outbox WHERE rule_id = $1 AND delivered_at IS NULL',
          [rule.id],
        )) === 0,
    );
    for (const target of ['webhook', 'alertmanager', 'amqp'])
      await expect(outboxCount(rule.id, target)).resolves.toBe(2);
    expect(webhook.received.map((r) => (r.body as AlertNotificationBody).state)).toEqual([
      'firing',
      'resolved',
    ]);

    // Alertmanager got the v2 payload both times, and nothing it refused.
    expect(alertmanager.received.map((r) => r.status)).toEqual([200, 200]);
    const [fired, ended] = alertmanager.received.map((r) => (r.body as Record<string, unknown>[])[0]);
    expect(fired).toMatchObject({ labels: { alertname: 'Checkout timeouts', rule: 'checkout_timeouts' } });
    expect(fired.endsAt).toBeUndefined();
    expect(ended).toMatchObject({ labels: fired.labels, startsAt: fired.startsAt, endsAt: resolved.at });

    // And the AMQP subscriber saw each transition once, persistently, under <slug>.<state>.
    const published = subscriber.messages.filter((m) => m.body.rule.id === rule.id);
    expect(published.map((m) => [m.routingKey, m.persistent, m.body.id])).toEqual([
      ['checkout_timeouts.firing', true, firing.id],
      ['checkout_timeouts.resolved', true, resolved.id],
    ]);

    const listed = await request<{ items: AlertRuleBody[] }>(`${logyard.url}/api/alerts`, {
      headers: asQuery,
    });
    const shown = listed.body.items.find((item) => item.id === rule.id)!;
    expect(shown).toMatchObject({ state: 'ok', signed: true, since: resolved.at });
    expect(shown.lastNotification?.error).toBeUndefined();
    expect(JSON.stringify(shown)).not.toContain(SECRET);
  });

  it('retries a webhook that fails and shows the failure on the rule until it recovers', async () => {
    const failing = await HttpReceiver.start();
    failing.status = 503;
    try {
      const rule = await createRule({
        name: 'flaky receiver',
        threshold: 1,
        window: '5m',
        // Named twice: each record still counts once.
        service: ['flaky', 'flaky'],
        webhook: failing.url,
      });
      await ingest([{ service: 'flaky', severity: 'error', message: 'boom' }]);
      const shown = await waitFor('the failure on the rule', async () => {
        const current = await getRule(rule.id);
        return current.lastNotification?.target === 'webhook' && current.lastNotification.error
          ? current
          : undefined;
      });
      expect(shown.lastNotification?.error).toBe('HTTP 503');
      expect(shown.state).toBe('firing');
      await waitFor('a second attempt', () => failing.received.length >= 2, { timeoutMs: 10_000 });

      failing.status = 200;
      await waitFor('the delivery to succeed', () => failing.accepted().length === 1, { timeoutMs: 30_000 });
      await waitFor('the rule to show it', async () => {
        const current = await getRule(rule.id);
        return current.lastNotification?.target === 'webhook' && !current.lastNotification.error;
      });
      // Every attempt carried the same notification; it was accepted once and is not sent again.
      expect(new Set(failing.received.map((r) => (r.body as AlertNotificationBody).id)).size).toBe(1);
      expect((failing.received[0].body as AlertNotificationBody).count).toBe(1);
      await expect(
        logyard.db.scalar(
          'SELECT count(*)::int FROM alert_outbox WHERE rule_id = $1 AND delivered_at IS NULL',
          [rule.id],
        ),
      ).resolves.toBe(0);
      expect(failing.accepted()).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });

  it('counts a record for the rules naming its service and for those naming none, once each', async () => {
    const marker = `marker-${Date.now()}`;
    const named = await createRule({
      name: 'names it',
      threshold: 2,
      window: '5m',
      service: 'both',
      contains: marker,
      webhook: webhook.url,
    });
    const unnamed = await createRule({
      name: 'names none',
      threshold: 2,
      window: '5m',
      contains: marker,
      webhook: webhook.url,
    });
    await ingest([
      { service: 'both', message: marker },
      { service: 'elsewhere', message: marker },
      { service: 'both', message: marker },
    ]);

    await waitFor('both rules to fire', async () =>
      [named, unnamed].every((rule) =>
        webhook.received.some((r) => (r.body as AlertNotificationBody).rule.id === rule.id),
      ),
    );
    await waitFor('the counts shown', async () => (await getRule(unnamed.id)).lastCount === 3);
    expect((await getRule(named.id)).lastCount).toBe(2);
  });

  // PostgreSQL's jsonb refuses NUL and lone surrogates: a sample record holding them failed the evaluator's
  // commit, and every evaluator after it, for as long as the record stayed in the window.
  it('fires on a record holding NUL and a lone surrogate, with the sample cleaned as the archive stores it', async () => {
    const rule = await createRule({
      name: 'hostile sample',
      threshold: 1,
      window: '5m',
      service: 'nul',
      webhook: webhook.url,
    });
    await ingest([{ service: 'nul', message: 'a\u0000b', attributes: { 'k\ud800': 'v\udc00' } }]);

    const fired = await waitFor('the firing notification', () =>
      webhook.received.find((r) => (r.body as AlertNotificationBody).rule.id === rule.id),
    );
    const sample = (fired.body as AlertNotificationBody).samples[0];
    expect(sample).toMatchObject({ message: 'a\ufffdb', attributes: { 'k\ufffd': 'v\ufffd' } });
    await expect(
      logyard.db.scalar("SELECT count(*)::int FROM logs WHERE service = 'nul' AND message = $1", [
        'a\ufffdb',
      ]),
    ).resolves.toBe(1);
  });

  /** Whether the logs exchange routes a record-shaped key anywhere: in this isolated world only the evaluator binds `*.*.*`. */
  const logsExchangeRoutes = async (): Promise<boolean> => {
    const connection = await amqplib.connect(logyard.world.amqpUrl);
    try {
      const channel = await connection.createConfirmChannel();
      let returned = false;
      channel.on('return', () => (returned = true));
      // 'probe' is no severity, so no archive queue takes it; the evaluator reads it as no records.
      channel.publish(`${logyard.world.prefix}.logs`, 'binding.check.probe', Buffer.from('[]'), {
        mandatory: true,
      });
      // The broker returns an unroutable mandatory message before it confirms it.
      await channel.waitForConfirms();
      return !returned;
    } finally {
      await connection.close();
    }
  };

  it('binds the evaluator queue to the logs exchange only while a rule exists', async () => {
    const rules = await request<{ items: AlertRuleBody[] }>(`${logyard.url}/api/alerts`, {
      headers: asQuery,
    });
    for (const { id } of rules.body.items) {
      await request(`${logyard.url}/api/alerts/${id}`, { method: 'DELETE', headers: asQuery });
    }
    await waitFor('the evaluator queue unbound without rules', async () => !(await logsExchangeRoutes()));

    const rule = await createRule({
      name: 'binding',
      threshold: 1_000_000,
      window: '1m',
      webhook: webhook.url,
    });
    // countingSince is set only once the queue is bound.
    await expect(logsExchangeRoutes()).resolves.toBe(true);

    await request(`${logyard.url}/api/alerts/${rule.id}`, { method: 'DELETE', headers: asQuery });
    await waitFor('the evaluator queue unbound again', async () => !(await logsExchangeRoutes()));
  });
});
