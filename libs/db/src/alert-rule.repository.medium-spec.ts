import fc from 'fast-check';
import { Pool } from 'pg';
import {
  AlertRuleSpec,
  compileLogFilters,
  LogFilters,
  LogRecord,
  makeRecord,
  MatchableRecord,
  SEVERITIES,
} from '@logyard/contracts';
import { createMediumDatabase, MediumDatabase, propertyRuns } from '@logyard/testing';
import {
  AlertEvaluationStore,
  AlertOutboxRepository,
  AlertRuleRepository,
  AlertTransition,
  MAX_UNDELIVERED_NOTIFICATIONS,
  TooManyRulesError,
} from './alert-rule.repository';
import { createArchivePool } from './database';
import { whereForFilters } from './log-query';
import { LogRepository } from './log.repository';

const HOSTS = ['web-1', 'web-2', 'db-1'];
const SERVICES = ['shop', 'cron', 'ledger'];
const WORDS = ['payment', 'declined', 'timeout', 'retry', 'order', 'disk', 'Full', 'eu'];
const REGIONS = ['eu', 'us', 'EU'];

/** The alert rules on a real PostgreSQL: the evaluator's matcher against the query's SQL, and the store. */
describe('alert rules on PostgreSQL', () => {
  let database: MediumDatabase;
  let pool: Pool;
  const records: LogRecord[] = Array.from({ length: 300 }, (_, i) =>
    makeRecord({
      ts: new Date(Date.UTC(2026, 0, 15, 12, 0, i)).toISOString(),
      host: HOSTS[i % 3],
      service: SERVICES[(i * 7) % 3],
      severity: SEVERITIES[(i * 5) % 6],
      message: `${WORDS[i % 8]} ${WORDS[(i * 3) % 8]}-${WORDS[(i * 5) % 8]}, ${WORDS[(i * 11) % 8]} #${i} 50%_done`,
      attributes: i % 4 === 0 ? {} : { region: REGIONS[i % 3], n: i % 5 },
    }),
  );

  beforeAll(async () => {
    database = await createMediumDatabase();
    pool = createArchivePool(database.url);
    await new LogRepository(pool).insertBatch(records);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('property: the in-memory matcher selects exactly the records the query selects', async () => {
    const some = <T>(values: readonly T[]) => fc.subarray([...values], { maxLength: 2 });
    const word = fc.constantFrom(...WORDS, 'absent');
    const text = fc
      .array(
        fc.oneof(
          word,
          word.map((w) => `-${w}`),
          fc.array(word, { minLength: 2, maxLength: 3 }).map((ws) => `"${ws.join(' ')}"`),
          fc.constant('or'),
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((terms) => terms.join(' '));
    const filters = fc.record(
      {
        hosts: some(HOSTS),
        services: some(SERVICES),
        severities: some(SEVERITIES),
        attributes: fc.oneof(
          fc.constant({}),
          fc.constantFrom(...REGIONS).map((region) => ({ region })),
          fc.constant({ n: '1' }),
        ),
        text,
        contains: fc.array(fc.constantFrom('decl', 'TIME', '50%', '_d', 'out,', 'eu '), { maxLength: 2 }),
      },
      { requiredKeys: ['hosts', 'services', 'severities', 'attributes'] },
    );
    await fc.assert(
      fc.asyncProperty(filters, async (query: LogFilters) => {
        const where = whereForFilters(query);
        const { rows } = await pool.query<{ id: string }>(
          `SELECT id FROM logs ${where.toSql()}`,
          where.values,
        );
        const matcher = compileLogFilters(query);
        const matched = records.filter((record) => matcher(new MatchableRecord(record))).map((r) => r.id);
        expect(matched.sort()).toEqual(rows.map((row) => row.id).sort());
      }),
      { numRuns: propertyRuns(150) },
    );
  }, 120_000);

  describe(AlertEvaluationStore.name, () => {
    const spec: AlertRuleSpec = {
      name: 'store',
      threshold: 2,
      window: '1m',
      webhook: 'http://hooks.example/',
    };
    let rules: AlertRuleRepository;
    const stores: AlertEvaluationStore[] = [];
    const connect = async () => {
      const store = await AlertEvaluationStore.connect(
        database.url,
        () => undefined,
        () => undefined,
      );
      stores.push(store);
      return store;
    };

    beforeAll(() => {
      rules = new AlertRuleRepository(pool);
    });
    afterAll(() => Promise.all(stores.map((store) => store.close())));

    it('lets one session hold the evaluator lock, and the next take it when that one ends', async () => {
      const first = await connect();
      const second = await connect();
      await expect(first.tryLock()).resolves.toBe(true);
      await expect(second.tryLock()).resolves.toBe(false);
      await first.close();
      await expect(second.tryLock()).resolves.toBe(true);
      await second.close();
    });

    it('commits counts, a transition and its notifications together, and forgets a deleted rule', async () => {
      const store = await connect();
      const id = '0190f5d2-0000-7000-8000-0000000000a1';
      await rules.create(id, 'store', spec, 60, 1000);
      const at = new Date();
      await store.markCounting(id, at);
      const body = { id: 'n1' } as never;
      await store.commit(
        [
          { ruleId: id, bucket: 100, delta: 2 },
          { ruleId: id, bucket: 101, delta: 1 },
        ],
        [{ ruleId: id, state: 'firing', at, count: 3, notifications: [{ target: 'amqp', body }] }],
        new Map([[id, 3]]),
      );
      await store.commit([{ ruleId: id, bucket: 101, delta: 4 }], [], new Map());
      await expect(store.loadBuckets(id, 101)).resolves.toEqual([{ bucket: 101, count: 5 }]);
      const [loaded] = await store.loadRules();
      expect(loaded).toMatchObject({ id, state: 'firing', since: at, countingSince: at });
      await expect(rules.list()).resolves.toEqual([
        expect.objectContaining({ id, state: 'firing', lastCount: 3, countingSince: at.toISOString() }),
      ]);
      const outbox = await pool.query('SELECT target, notification FROM alert_outbox WHERE rule_id = $1', [
        id,
      ]);
      expect(outbox.rows).toEqual([{ target: 'amqp', notification: { id: 'n1' } }]);

      await store.pruneBuckets(new Map([[id, 101]]));
      await expect(store.loadBuckets(id, 0)).resolves.toEqual([{ bucket: 101, count: 5 }]);

      // A change that restarts the window: counts of the old filters still in flight are dropped, until
      // the evaluator has loaded the rule again and counts anew.
      await rules.update(id, 'store', { ...spec, window: '2m' }, 120, true);
      await store.commit([{ ruleId: id, bucket: 102, delta: 7 }], [], new Map());
      await expect(store.loadBuckets(id, 0)).resolves.toEqual([]);
      await store.markCounting(id, new Date());
      await store.commit([{ ruleId: id, bucket: 103, delta: 1 }], [], new Map());
      await expect(store.loadBuckets(id, 0)).resolves.toEqual([{ bucket: 103, count: 1 }]);

      await rules.delete(id);
      // A rule deleted while its counts were in flight: they are dropped, not an error.
      await expect(
        store.commit([{ ruleId: id, bucket: 102, delta: 1 }], [], new Map()),
      ).resolves.toBeUndefined();
      await expect(pool.query('SELECT count(*)::int AS n FROM alert_buckets')).resolves.toMatchObject({
        rows: [{ n: 0 }],
      });
    });
  });

  describe(AlertOutboxRepository.name, () => {
    it('keeps the newest MAX_UNDELIVERED_NOTIFICATIONS waiting per rule and target, and what was delivered', async () => {
      const rules = new AlertRuleRepository(pool);
      const store = await AlertEvaluationStore.connect(
        database.url,
        () => undefined,
        () => undefined,
      );
      const id = '0190f5d2-0000-7000-8000-0000000000b2';
      await rules.create(id, 'flapping', { name: 'flapping', threshold: 1, window: '1m' }, 60, 1000);
      const transition = (n: number): AlertTransition => ({
        ruleId: id,
        state: n % 2 ? 'firing' : 'ok',
        at: new Date(),
        count: n,
        notifications: [
          { target: 'amqp', body: { id: `n${n}` } as never },
          { target: 'webhook', body: { id: `n${n}` } as never },
        ],
      });
      await store.commit([], [transition(0)], new Map());
      const outbox = new AlertOutboxRepository(pool);
      const [first] = (await outbox.due(10, 12)).filter((due) => due.target === 'amqp');
      await outbox.delivered(first);
      // A target away for 25 transitions.
      for (let n = 1; n <= 25; n++) await store.commit([], [transition(n)], new Map());

      const waiting = await pool.query<{ target: string; ids: string[] }>(
        `SELECT target, array_agg(notification->>'id' ORDER BY id) AS ids FROM alert_outbox
          WHERE rule_id = $1 AND delivered_at IS NULL GROUP BY target ORDER BY target`,
        [id],
      );
      const newest = Array.from({ length: MAX_UNDELIVERED_NOTIFICATIONS }, (_, i) => `n${16 + i}`);
      expect(waiting.rows).toEqual([
        { target: 'amqp', ids: newest },
        { target: 'webhook', ids: newest },
      ]);
      const delivered = await pool.query(
        'SELECT count(*)::int AS n FROM alert_outbox WHERE delivered_at IS NOT NULL',
      );
      expect(delivered.rows).toEqual([{ n: 1 }]);
      await store.close();
      await rules.delete(id);
    });

    it('prunes notifications settled before the kept days, never one still owed', async () => {
      const rules = new AlertRuleRepository(pool);
      const id = '0190f5d2-0000-7000-8000-0000000000b1';
      await rules.create(id, 'outbox', { name: 'outbox', threshold: 1, window: '1m' }, 60, 1000);
      const row = (age: string, attempts: number, delivered: boolean) =>
        pool.query(
          `INSERT INTO alert_outbox (rule_id, target, notification, attempts, delivered_at, created_at)
           VALUES ($1, 'amqp', '{}', $2, CASE WHEN $3 THEN now() END, now() - $4::interval) RETURNING id`,
          [id, attempts, delivered, age],
        );
      await row('8 days', 1, true); // delivered long ago: pruned
      await row('8 days', 12, false); // given up long ago: pruned
      const owed = await row('8 days', 3, false); // still being retried: kept
      const recent = await row('1 day', 12, false); // given up recently: kept

      await expect(new AlertOutboxRepository(pool).prune(7, 12)).resolves.toBe(2);

      const left = await pool.query<{ id: string }>(
        'SELECT id FROM alert_outbox WHERE rule_id = $1 ORDER BY id',
        [id],
      );
      expect(left.rows.map((r) => r.id)).toEqual([owed.rows[0].id, recent.rows[0].id]);
      await rules.delete(id);
    });
  });

  describe('the bound on rules', () => {
    it('lets concurrent creations together store no more than maxRules', async () => {
      const rules = new AlertRuleRepository(pool);
      const held = (await rules.list()).length;
      const spec = (i: number): AlertRuleSpec => ({ name: `bound ${i}`, threshold: 1, window: '1m' });
      const ids = Array.from({ length: 5 }, (_, i) => `0190f5d2-0000-7000-8000-0000000000c${i}`);

      const outcomes = await Promise.allSettled(
        ids.map((id, i) => rules.create(id, `bound_${i}`, spec(i), 60, held + 2)),
      );

      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
      const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(refusals).toHaveLength(3);
      expect(refusals.every((reason) => reason instanceof TooManyRulesError)).toBe(true);
      await expect(rules.list()).resolves.toHaveLength(held + 2);
      await Promise.all(ids.map((id) => rules.delete(id)));
    });
  });
});
