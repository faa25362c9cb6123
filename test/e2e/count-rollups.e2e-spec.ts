import { Pool } from 'pg';
import { LogFilters, LogRecord, makeRecord, SEVERITIES, Severity } from '@logyard/contracts';
import {
  connectAndMigrate,
  createArchivePool,
  createQueryPool,
  LogQueryRepository,
  LogRepository,
  PartitionRepository,
} from '@logyard/db';
import { createTestEnvironment, DatabaseProbe, TestEnvironment } from '@logyard/testing';

const HOSTS = ['web-1', 'web-2', 'web-3', 'worker-1'];
const SERVICES = ['shop', 'cron', 'auth'];
const START_MS = Date.parse('2026-11-20T09:00:00Z');
const SPAN_MS = 4 * 3_600_000;

/** A deterministic spread of records: microsecond timestamps over four hours, every host, service and severity. */
function records(count: number, seed: number, startMs = START_MS, spanMs = SPAN_MS): LogRecord[] {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const ms = startMs + Math.floor(next() * spanMs);
    const ts = new Date(ms)
      .toISOString()
      .replace('Z', `${String(Math.floor(next() * 1000)).padStart(3, '0')}Z`);
    return makeRecord({
      ts,
      observedTs: ts,
      host: HOSTS[Math.floor(next() * HOSTS.length)],
      service: SERVICES[Math.floor(next() * SERVICES.length)],
      severity: SEVERITIES[Math.floor(next() * SEVERITIES.length)],
    });
  });
}

const none: LogFilters = { hosts: [], services: [], severities: [], attributes: {} };

/**
 * The count rollups (docs/design.md §5) against the rows they count, on a
 * real PostgreSQL: the histogram and facets from rollups must equal the
 * answer from the rows alone (`contains: ['']` matches every message and
 * makes the repository count rows), across closed buckets, partial edges,
 * redeliveries and retention.
 */
describe('count rollups: histogram and facets equal the rows', () => {
  let world: TestEnvironment;
  let pool: Pool;
  let logs: LogRepository;
  let reads: LogQueryRepository;
  let db: DatabaseProbe;
  const stored: LogRecord[] = [];

  const expectRollupsEqualRows = async (filters: LogFilters, intervals = [10, 60, 300, 3_600, 10_800]) => {
    const fromRows = { ...filters, contains: [''] };
    const describeCase = (what: string) => ({ what, filters });
    for (const interval of intervals) {
      const [rolled, raw] = await Promise.all([
        reads.countByBucket(filters, interval),
        reads.countByBucket(fromRows, interval),
      ]);
      expect({ ...describeCase(`histogram ${interval}s`), counts: rolled }).toEqual({
        ...describeCase(`histogram ${interval}s`),
        counts: raw,
      });
    }
    const [rolled, raw] = await Promise.all([
      reads.countFacets(filters, 50),
      reads.countFacets(fromRows, 50),
    ]);
    expect({ ...describeCase('facets'), counts: rolled }).toEqual({ ...describeCase('facets'), counts: raw });
  };

  const ranges: [string | undefined, string | undefined][] = [
    ['2026-11-20T09:17:23.500000Z', '2026-11-20T12:44:10.250000Z'],
    ['2026-11-20T09:00:00.000000Z', '2026-11-20T13:00:00.000000Z'],
    ['2026-11-20T10:30:00.000001Z', '2026-11-20T10:31:59.999999Z'],
    ['2026-11-20T11:59:59.000000Z', undefined],
    [undefined, undefined],
  ];

  beforeAll(async () => {
    world = createTestEnvironment();
    pool = createArchivePool(world.databaseUrl);
    await connectAndMigrate(pool, world.databaseUrl);
    await new PartitionRepository(pool).ensureDays(
      ['2026-11-19', '2026-11-20', '2026-11-21'].map((day) => new Date(`${day}T00:00:00Z`)),
    );
    logs = new LogRepository(pool);
    reads = new LogQueryRepository(
      createQueryPool({ url: world.databaseUrl, poolSize: 2, timeoutMs: 20_000 }),
      20_000,
      2,
    );
    db = await DatabaseProbe.open(world.databaseUrl);
    const batches = [records(1_500, 1), records(1_500, 2), records(600, 3)];
    for (const batch of batches) stored.push(...batch);
    expect(await logs.insertBatch(batches[0])).toBe(1_500);
    expect(await logs.insertBatch(batches[1])).toBe(1_500);
    // Redeliveries: a whole batch again, and one mixing stored and new records (INSERT … ON CONFLICT DO NOTHING).
    expect(await logs.insertBatch(batches[0])).toBe(0);
    expect(await logs.insertBatch([...batches[1].slice(0, 700), ...batches[2]])).toBe(600);
  });

  afterAll(async () => {
    await db?.close();
    await reads?.close();
    await pool?.end();
    await world?.dispose();
  });

  it('counts every stored record once, redeliveries included', async () => {
    expect(await db.scalar('SELECT sum(count)::int FROM log_counts_minute')).toBe(3_600);
    expect(await db.scalar('SELECT sum(count)::int FROM log_counts_hour')).toBe(3_600);
    const facets = await reads.countFacets(none, 50);
    expect(facets.hosts.reduce((sum, host) => sum + host.count, 0)).toBe(stored.length);
    const inRange = stored.filter((r) => r.ts >= ranges[0][0]! && r.ts < ranges[0][1]!).length;
    const histogram = await reads.countByBucket({ ...none, from: ranges[0][0], to: ranges[0][1] }, 3_600);
    expect(histogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(inRange);
  });

  it.each(ranges)('equals the rows over [%s, %s), unfiltered and filtered', async (from, to) => {
    const range = { ...none, from, to };
    await expectRollupsEqualRows(range);
    await expectRollupsEqualRows({ ...range, hosts: ['web-1'] });
    await expectRollupsEqualRows({ ...range, services: ['shop', 'auth'], severities: ['error', 'fatal'] });
    await expectRollupsEqualRows({ ...range, excludedHosts: ['web-2'], excludedSeverities: ['debug'] });
    await expectRollupsEqualRows({ ...range, excludedServices: ['cron'] });
  });

  it('keeps counting records that wait in the default partition and move into their day when it is created', async () => {
    const early = records(200, 4, Date.parse('2026-11-22T05:00:00Z'), 3_600_000);
    expect(await logs.insertBatch(early)).toBe(200);
    expect(await db.scalar(`SELECT count(*)::int FROM logs_default`)).toBe(200);
    await new PartitionRepository(pool).ensureDays([new Date('2026-11-22T00:00:00Z')]);
    expect(await db.scalar(`SELECT count(*)::int FROM logs_default`)).toBe(0);
    await expectRollupsEqualRows({
      ...none,
      from: '2026-11-22T04:30:00.000000Z',
      to: '2026-11-22T06:30:00.000000Z',
    });
    await db.rows(`DELETE FROM logs WHERE ts >= '2026-11-22'`);
    await expectRollupsEqualRows({ ...none, from: '2026-11-22T00:00:00.000000Z' });
  });

  it('uncounts what retention drops: a severity of a day, a whole day, and expired rows of the default partition', async () => {
    const previousDay = records(300, 5, Date.parse('2026-11-19T20:00:00Z'), 3_600_000);
    const unpartitioned = records(100, 6, Date.parse('2026-10-01T10:00:00Z'), 3_600_000);
    expect(await logs.insertBatch([...previousDay, ...unpartitioned])).toBe(400);
    const cutoff = new Date('2026-10-02T00:00:00Z');
    const outcome = await new PartitionRepository(pool).applyRetention(() => ({
      dropDays: ['logs_20261119'],
      dropSeverities: ['logs_20261120_debug'],
      cutoffs: Object.fromEntries(SEVERITIES.map((s) => [s, cutoff])) as Record<Severity, Date>,
    }));
    expect(outcome.failures).toEqual([]);
    expect(outcome.deletedRows).not.toEqual({});
    const leftIn = (table: string, where: string) =>
      db.scalar(`SELECT count(*)::int FROM ${table} WHERE ${where}`);
    for (const table of ['log_counts_minute', 'log_counts_hour']) {
      expect(await leftIn(table, `bucket >= '2026-11-20' AND bucket < '2026-11-21' AND severity = 5`)).toBe(
        0,
      );
      expect(await leftIn(table, `bucket < '2026-11-20'`)).toBe(0);
    }
    expect(await db.scalar('SELECT sum(count)::int FROM log_counts_hour')).toBe(
      await db.scalar('SELECT count(*)::int FROM logs'),
    );
    for (const [from, to] of ranges) await expectRollupsEqualRows({ ...none, from, to }, [60, 3_600]);
  });
});
