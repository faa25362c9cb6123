import { Pool } from 'pg';
import { MetricsService } from '@logyard/observability';
import { MAX_SKETCH_SPANS } from './log-query';
import { LogQueryRepository, QueryTimeoutError } from './log-query.repository';

/** A pool stand-in: its counts, and what its one query answers, on the pool or a connection of it. */
function fakePool(state: { idleCount: number; totalCount: number; answer: () => Promise<unknown> }): Pool {
  // Setting statement_timeout answers nothing: it takes none of the answers meant for statements.
  const query = jest.fn((sql: string) =>
    /statement_timeout/.test(sql) ? Promise.resolve({ rows: [] }) : state.answer(),
  );
  const release = jest.fn();
  return { ...state, query, release, connect: () => Promise.resolve({ query, release }) } as unknown as Pool;
}

const lagRow = (lag: string | null) => () => Promise.resolve({ rows: [{ lag }] });

describe(LogQueryRepository.prototype.replicaLagSeconds.name, () => {
  it('reports the lag PostgreSQL computes, in seconds', async () => {
    const sut = new LogQueryRepository(
      fakePool({ idleCount: 1, totalCount: 1, answer: lagRow('2.5') }),
      1000,
      5,
    );
    expect(await sut.replicaLagSeconds()).toBe(2.5);
  });

  it('is NaN when the lag is unknown (a standby that replayed no commit yet)', async () => {
    const sut = new LogQueryRepository(
      fakePool({ idleCount: 1, totalCount: 1, answer: lagRow(null) }),
      1000,
      5,
    );
    expect(await sut.replicaLagSeconds()).toBeNaN();
  });

  it('is NaN when the query database cannot be asked', async () => {
    const down = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const sut = new LogQueryRepository(fakePool({ idleCount: 0, totalCount: 0, answer: down }), 1000, 5);
    expect(await sut.replicaLagSeconds()).toBeNaN();
  });

  it('does not wait for a connection while every one is busy with reads', async () => {
    const pool = fakePool({ idleCount: 0, totalCount: 5, answer: lagRow('0') });
    const sut = new LogQueryRepository(pool, 1000, 5);
    expect(await sut.replicaLagSeconds()).toBeNaN();
    expect(pool.query).not.toHaveBeenCalled();
  });
});

describe(MetricsService.prototype.exportReplicaLag.name, () => {
  it('reads the lag at every scrape', async () => {
    const sut = new MetricsService();
    let lag = 0.25;
    sut.exportReplicaLag(() => Promise.resolve(lag));
    expect(await sut.registry.metrics()).toMatch(/^logyard_query_replica_lag_seconds 0\.25$/m);
    lag = NaN;
    // prom-client spells it "Nan"; Prometheus parses NaN in any case.
    expect(await sut.registry.metrics()).toMatch(/^logyard_query_replica_lag_seconds nan$/im);
  });
});

describe(LogQueryRepository.prototype.waitForArchive.name, () => {
  const failing = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));

  it('waits while the database or table is missing, as on a replica that has not replayed it', async () => {
    const answers = [failing('3D000'), failing('42P01'), () => Promise.resolve({ rows: [] })];
    const pool = fakePool({ idleCount: 1, totalCount: 1, answer: () => answers.shift()!() });
    await new LogQueryRepository(pool, 1000, 5).waitForArchive(5_000);
    expect(pool.query).toHaveBeenCalledTimes(3);
  });

  it('fails at once on any other error', async () => {
    const pool = fakePool({ idleCount: 1, totalCount: 1, answer: failing('28P01') });
    await expect(new LogQueryRepository(pool, 1000, 5).waitForArchive(5_000)).rejects.toThrow('28P01');
    expect(pool.query).toHaveBeenCalledTimes(1);
  });

  it('gives up past its time', async () => {
    const pool = fakePool({ idleCount: 1, totalCount: 1, answer: failing('3D000') });
    await expect(new LogQueryRepository(pool, 1000, 5).waitForArchive(0)).rejects.toThrow('3D000');
  });
});

describe(LogQueryRepository.prototype.findPage.name, () => {
  const page = { hosts: [], services: [], severities: [], attributes: {}, limit: 10 };
  const emptyPool = () =>
    fakePool({ idleCount: 1, totalCount: 1, answer: () => Promise.resolve({ rows: [] }) });

  const calls = (pool: Pool) => (pool.query as jest.Mock).mock.calls as [string, unknown[]?][];
  // The statements of the read, without the statement_timeout it sets between them.
  const statementsOf = (pool: Pool) =>
    calls(pool)
      .filter(([sql]) => !/statement_timeout/.test(sql))
      .map(([sql, values]) => ({ sql, values: values ?? [] }));

  it('reads only the windows of the spans whose sketch may hold a substring, newest first', async () => {
    const spans = [
      { from: '2026-01-01T10:00:00.000000Z', to: '2026-01-01T10:05:00.000000Z' },
      { from: '2026-01-01T08:00:00.000000Z', to: '2026-01-01T08:01:00.000000Z' },
    ];
    const answers = [{ rows: spans }, { rows: [] }, { rows: [] }];
    const pool = fakePool({ idleCount: 1, totalCount: 1, answer: () => Promise.resolve(answers.shift()) });

    await new LogQueryRepository(pool, 10_000, 5).findPage({ ...page, contains: ['timeout'] });

    const [sketches, ...reads] = statementsOf(pool);
    expect(sketches.sql).toContain('FROM log_sketches');
    expect(reads.map(({ values }) => values.slice(0, 2))).toEqual(spans.map(({ from, to }) => [from, to]));
  });

  it('looks in growing windows back from now, as for full text, when a sketch cannot rule out', async () => {
    // 'time' has no 5-gram; past MAX_SKETCH_SPANS spans a substring is frequent.
    const pool = emptyPool();
    await new LogQueryRepository(pool, 10_000, 5).findPage({ ...page, contains: ['time'] });
    expect(statementsOf(pool).length).toBeGreaterThan(1);
    expect(statementsOf(pool).some(({ sql }) => sql.includes('log_sketches'))).toBe(false);

    const span = { from: '2026-01-01T10:00:00.000000Z', to: '2026-01-01T10:05:00.000000Z' };
    const answers = [{ rows: Array.from({ length: MAX_SKETCH_SPANS + 1 }, () => span) }];
    const frequent = fakePool({
      idleCount: 1,
      totalCount: 1,
      answer: () => Promise.resolve(answers.shift() ?? { rows: [] }),
    });
    await new LogQueryRepository(frequent, 10_000, 5).findPage({ ...page, contains: ['timeout'] });
    const windows = statementsOf(frequent).slice(1);
    expect(windows.length).toBeGreaterThan(1);
    expect(windows.some(({ values }) => values.includes(span.from))).toBe(false);
  });

  it("gives each statement after a read's first only what is left of its time, and resets it after", async () => {
    const clock = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const answers = [
      () => (clock.mockReturnValue(1_007_500), { rows: [] }),
      () => (clock.mockReturnValue(1_010_000), { rows: [] }),
    ];
    const pool = fakePool({
      idleCount: 1,
      totalCount: 1,
      answer: () => Promise.resolve(answers.shift()?.() ?? { rows: [] }),
    });
    try {
      const read = new LogQueryRepository(pool, 10_000, 5).findPage({ ...page, text: 'timeout' });
      await expect(read).rejects.toBeInstanceOf(QueryTimeoutError);
    } finally {
      clock.mockRestore();
    }
    expect(calls(pool).map(([sql]) => (/statement_timeout/.test(sql) ? sql : sql.split(' ')[0]))).toEqual([
      'SELECT',
      'SET statement_timeout = 2500',
      'SELECT',
      'RESET statement_timeout',
    ]);
    // A cancelled read leaves its connection sound: it goes back to the pool.
    expect((pool as unknown as { release: jest.Mock }).release).toHaveBeenCalledWith(undefined);
  });

  it('walks the whole range at once without full text or substrings', async () => {
    const pool = emptyPool();
    await new LogQueryRepository(pool, 10_000, 5).findPage(page);
    expect((pool.query as jest.Mock).mock.calls).toHaveLength(1);
  });
});
