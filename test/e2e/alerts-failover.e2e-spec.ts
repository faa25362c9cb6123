import { AlertNotificationBody, AlertRuleBody } from '@logyard/contracts';
import { createTestEnvironment, DatabaseProbe, TestEnvironment, unusedPort, waitFor } from '@logyard/testing';
import { HttpReceiver } from '../support/alert-receivers';
import { request } from '../support/http';
import { WatchedProcess, startLogyardProcess, stopLogyardProcess } from '../support/processes';

const LEADING = 'this process evaluates the alert rules';

/**
 * Exactly one evaluator acts however many processes run, and a takeover
 * neither repeats nor loses a transition (docs/design.md §12). Three real
 * processes on one world, at most two alive: the evaluator is killed (-9)
 * once below the threshold, and once mid-episode, while firing.
 */
describe('alert evaluator failover', () => {
  let world: TestEnvironment;
  let db: DatabaseProbe;
  let webhook: HttpReceiver;
  const processes: WatchedProcess[] = [];

  beforeAll(async () => {
    world = createTestEnvironment();
    webhook = await HttpReceiver.start();
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopLogyardProcess(p)));
    await db?.close();
    await webhook?.close();
    await world?.dispose();
  });

  const start = async () => {
    const started = await startLogyardProcess('all', world.env, await unusedPort());
    processes.push(started);
    return started;
  };
  const leads = (p: WatchedProcess) => p.output().includes(LEADING);
  const kill = async (p: WatchedProcess) => {
    p.child.kill('SIGKILL');
    await p.exited;
  };

  it('hands the counts and the episode to the next evaluator, notifying each transition exactly once', async () => {
    const a = await start();
    await waitFor('the first process to evaluate', () => leads(a));
    const b = await start();
    db = await DatabaseProbe.open(world.databaseUrl);

    const created = await request<AlertRuleBody>(`${b.url}/api/alerts`, {
      body: { name: 'failover', threshold: 3, window: '30s', service: 'failover', webhook: webhook.url },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const rule = async () => (await request<AlertRuleBody>(`${b.url}/api/alerts/${id}`)).body;
    await waitFor('the rule loaded', async () => (await rule()).countingSince !== null);
    const send = (n: number) =>
      request(`${b.url}/ingest`, {
        body: Array.from({ length: n }, (_, i) => ({
          service: 'failover',
          severity: 'error',
          message: `failover ${i}`,
        })),
      });

    // Below the threshold, committed by A; then A dies and B must carry the count on.
    await send(2);
    await waitFor('two counted', async () => (await rule()).lastCount === 2);
    expect(leads(b)).toBe(false);
    await kill(a);
    await waitFor('the second process to take over', () => leads(b), { timeoutMs: 20_000 });
    await send(1);
    const firing = await waitFor('the firing notification', () => webhook.accepted()[0]);
    expect(firing).toMatchObject({ state: 'firing', count: 3 });

    // Mid-episode: B dies while firing; C takes over and resolves, once.
    const c = await start();
    await kill(b);
    await waitFor('the third process to take over', () => leads(c), { timeoutMs: 20_000 });
    const resolved = await waitFor(
      'the resolved notification',
      () => webhook.accepted().find((body: AlertNotificationBody) => body.state === 'resolved'),
      { timeoutMs: 60_000 },
    );
    expect(resolved.since).toBe(firing.at);
    await waitFor(
      'the outbox drained',
      async () =>
        (await db.scalar<number>('SELECT count(*)::int FROM alert_outbox WHERE delivered_at IS NULL')) === 0,
    );
    await expect(
      db.scalar('SELECT count(*)::int FROM alert_outbox WHERE rule_id = $1 AND target = $2', [id, 'webhook']),
    ).resolves.toBe(2);
    expect(webhook.accepted().map((body) => body.state)).toEqual(['firing', 'resolved']);
    expect(new Set(webhook.received.map((r) => (r.body as AlertNotificationBody).id)).size).toBe(2);
  });
});
