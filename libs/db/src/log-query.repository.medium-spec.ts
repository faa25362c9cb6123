import { LogQuery, LogRecord, makeRecord } from '@logyard/contracts';
import { createMediumArchive, logQuery as query, MediumArchive } from '@logyard/testing';
import { createQueryPool, isQueryCancelled } from './database';
import { LogQueryRepository, QueryBusyError, QueryTimeoutError } from './log-query.repository';
import { LogRepository } from './log.repository';

/** The archive's reads on a real PostgreSQL: SQL the unit specs only build is run here. */
describe('archive reads: LogQueryRepository', () => {
  let archive: MediumArchive;
  let sut: LogQueryRepository;
  /** A time in the wire format (microseconds), as the archive gives it back. */
  const at = (minute: number) =>
    new Date(Date.UTC(2026, 0, 15, 12, minute)).toISOString().replace('Z', '000Z');
  const records: LogRecord[] = [
    makeRecord({ ts: at(0), host: 'web-1', service: 'shop', severity: 'info', message: 'order placed' }),
    makeRecord({ ts: at(1), host: 'web-1', service: 'shop', severity: 'error', message: 'payment Timeout' }),
    makeRecord({ ts: at(2), host: 'web-2', service: 'cron', severity: 'warn', message: 'disk at 50%' }),
    makeRecord({
      ts: at(3),
      host: 'web-2',
      service: 'shop',
      severity: 'error',
      message: 'card declined',
      attributes: { region: 'eu' },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    }),
    makeRecord({ ts: at(4), host: 'web-3', service: 'cron', severity: 'debug', message: 'tick' }),
  ];
  const messages = async (overrides: Partial<LogQuery>) =>
    (await sut.findPage(query(overrides))).records.map((record) => record.message);

  beforeAll(async () => {
    archive = await createMediumArchive();
    await new LogRepository(archive.writes).insertBatch(records);
    sut = archive.reads;
  });

  afterAll(() => archive?.close());

  it('pages newest first by keyset, telling whether more follow', async () => {
    const first = await sut.findPage(query({ limit: 2 }));
    expect(first.records.map((record) => record.message)).toEqual(['tick', 'card declined']);
    expect(first.hasMore).toBe(true);
    const last = first.records[1];
    const second = await sut.findPage(query({ limit: 10, after: { ts: last.ts, id: last.id } }));
    expect(second.records.map((record) => record.message)).toEqual([
      'disk at 50%',
      'payment Timeout',
      'order placed',
    ]);
    expect(second.hasMore).toBe(false);
  });

  it('filters by time range, host, service, severity, attribute and trace id', async () => {
    expect(await messages({ from: at(1), to: at(3) })).toEqual(['disk at 50%', 'payment Timeout']);
    expect(await messages({ hosts: ['web-2'], services: ['shop'] })).toEqual(['card declined']);
    expect(await messages({ severities: ['error'] })).toEqual(['card declined', 'payment Timeout']);
    expect(await messages({ attributes: { region: 'eu' } })).toEqual(['card declined']);
    expect(await messages({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' })).toEqual(['card declined']);
  });

  it('matches substrings case-insensitively, % literally, and leaves out exclusions', async () => {
    expect(await messages({ contains: ['timeout'] })).toEqual(['payment Timeout']);
    expect(await messages({ contains: ['50%'] })).toEqual(['disk at 50%']);
    expect(await messages({ contains: ['%'] })).toEqual(['disk at 50%']);
    expect(await messages({ excludedServices: ['shop'], excludedSeverities: ['debug'] })).toEqual([
      'disk at 50%',
    ]);
  });

  it('counts by bucket and severity, and the most frequent facets', async () => {
    const buckets = await sut.countByBucket(query(), 3600);
    expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(records.length);
    expect(buckets.find((bucket) => bucket.severity === 'error')?.count).toBe(2);

    const facets = await sut.countFacets(query(), 10);
    expect(facets.services).toEqual([
      { value: 'shop', count: 3 },
      { value: 'cron', count: 2 },
    ]);
    expect(await sut.countAttributeValues(query(), 'region', 10)).toEqual([{ value: 'eu', count: 1 }]);
  });

  it('finds a record by id exactly as stored, and nothing for an unknown id', async () => {
    expect(await sut.findById(records[3].id)).toEqual(records[3]);
    expect(await sut.findById('0190a000-0000-7000-8000-000000000000')).toBeUndefined();
  });

  it('refuses a read at once with QueryBusyError while every connection is taken and as many reads wait', async () => {
    const pool = createQueryPool({ url: archive.database.url, poolSize: 1, timeoutMs: 10_000 });
    const busy = new LogQueryRepository(pool, 10_000, 1);
    const held = await pool.connect();
    try {
      const waiting = busy.findById(records[0].id);
      await expect(busy.findById(records[0].id)).rejects.toBeInstanceOf(QueryBusyError);
      held.release();
      expect(await waiting).toEqual(records[0]);
    } finally {
      await busy.close();
    }
  });

  it('has PostgreSQL cancel a statement past the query timeout (statement_timeout on the query pool)', async () => {
    const pool = createQueryPool({ url: archive.database.url, poolSize: 1, timeoutMs: 50 });
    try {
      const error = await pool.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
      expect(isQueryCancelled(error)).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it("gives a read's connection back with the pool's statement_timeout, whatever its statements had", async () => {
    const pool = createQueryPool({ url: archive.database.url, poolSize: 1, timeoutMs: 10_000 });
    const one = new LogQueryRepository(pool, 10_000, 1);
    await pool.query('SELECT 1');
    // Two seconds pass at every look at the clock: each window after the first gets less time, then none.
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => (now += 2_000));
    try {
      // A word no record holds: every window is read, until the time is spent.
      const read = one.findPage(query({ text: 'nowhere', limit: 1 }));
      await expect(read).rejects.toBeInstanceOf(QueryTimeoutError);
      clock.mockRestore();
      const { rows } = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(rows).toEqual([{ statement_timeout: '10s' }]);
    } finally {
      clock.mockRestore();
      await one.close();
    }
  });

  it('reports no replica lag on a primary, and finds the archive at once', async () => {
    expect(await sut.replicaLagSeconds()).toBe(0);
    await sut.waitForArchive(1_000);
  });
});
