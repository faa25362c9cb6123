import { Pool } from 'pg';
import { makeRecord, Severity, SEVERITIES } from '@logyard/contracts';
import { createMediumDatabase, DatabaseProbe, MediumDatabase } from '@logyard/testing';
import { createArchivePool } from './database';
import { LogRepository } from './log.repository';
import { PartitionRepository } from './partition.repository';
import { dayPartitionName, severityPartitionName, stragglersPartitionName } from './partitions';

/** Partition DDL on a real PostgreSQL, under the schema lock. */
describe('partitions: PartitionRepository', () => {
  let database: MediumDatabase;
  let pool: Pool;
  let sut: PartitionRepository;
  let db: DatabaseProbe;
  const day = (n: number) => new Date(Date.UTC(2026, 2, n));
  const noon = (n: number, severity: Severity) =>
    makeRecord({
      ts: new Date(Date.UTC(2026, 2, n, 12)).toISOString(),
      severity,
      message: `${n} ${severity}`,
    });
  const rowsIn = (table: string) => db.scalar<number>(`SELECT count(*)::int FROM ${table}`);

  beforeAll(async () => {
    database = await createMediumDatabase();
    pool = createArchivePool(database.url);
    sut = new PartitionRepository(pool);
    db = await DatabaseProbe.open(database.url);
  });

  afterAll(async () => {
    await db?.close();
    await pool?.end();
    await database?.drop();
  });

  it('creates each day once, sub-partitioned by severity, moving that day’s rows out of the default partition', async () => {
    await new LogRepository(pool).insertBatch([noon(1, 'info'), noon(1, 'error'), noon(2, 'info')]);

    expect(await sut.ensureDays([day(1)])).toEqual([dayPartitionName(day(1))]);
    expect(await sut.ensureDays([day(1)])).toEqual([]);

    expect((await sut.list()).sort()).toEqual(
      [
        dayPartitionName(day(1)),
        ...SEVERITIES.map((severity) => severityPartitionName(day(1), severity)),
      ].sort(),
    );
    expect(await rowsIn(dayPartitionName(day(1)))).toBe(2);
    expect(await rowsIn(severityPartitionName(day(1), 'error'))).toBe(1);
    expect(await rowsIn('logs_default')).toBe(1);
  });

  it('moves a row whose insert commits while its day is being created, and counts it once', async () => {
    const record = noon(8, 'warn');
    const writer = await pool.connect();
    try {
      // The row is written but not committed when the day's creation starts, as an archiver's batch may be.
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO logs (id, ts, observed_ts, host, service, severity, message)
         VALUES ($1, $2, $2, 'h', 's', 13, 'late')`,
        [record.id, record.ts],
      );
      const creating = sut.ensureDays([day(8)]);
      const waiting = () =>
        db.scalar<number>(
          `SELECT count(*)::int FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
      while ((await waiting()) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await writer.query('COMMIT');

      expect(await creating).toEqual([dayPartitionName(day(8))]);
    } finally {
      writer.release();
    }
    expect(await rowsIn(severityPartitionName(day(8), 'warn'))).toBe(1);
    expect(
      await db.scalar<number>(
        `SELECT coalesce(sum(count), 0)::int FROM log_counts_hour WHERE bucket >= '${day(8).toISOString()}' AND bucket < '${day(9).toISOString()}'`,
      ),
    ).toBe(1);
  });

  it('lets archivers create the same days at once: the schema lock makes each partition once', async () => {
    const others = [createArchivePool(database.url), createArchivePool(database.url)];
    try {
      const days = [day(10), day(11), day(12)];
      const created = await Promise.all(
        [sut, ...others.map((other) => new PartitionRepository(other))].map((repository) =>
          repository.ensureDays(days),
        ),
      );
      expect(created.flat().sort()).toEqual(days.map(dayPartitionName).sort());
    } finally {
      await Promise.all(others.map((other) => other.end()));
    }
  });

  it('applies a retention plan: drops days and (day, severity) tables, deletes expired default rows, reports failures', async () => {
    await sut.ensureDays([day(20), day(21)]);
    await new LogRepository(pool).insertBatch([
      noon(20, 'debug'),
      noon(21, 'debug'),
      noon(21, 'error'),
      noon(5, 'warn'),
    ]);
    const cutoff = new Date(Date.UTC(2026, 2, 6));
    const missing = dayPartitionName(day(28));

    const outcome = await sut.applyRetention(() => ({
      dropDays: [dayPartitionName(day(20)), missing],
      dropSeverities: [severityPartitionName(day(21), 'debug')],
      cutoffs: Object.fromEntries(SEVERITIES.map((severity) => [severity, cutoff])) as Record<Severity, Date>,
    }));

    expect(outcome.dropped).toEqual([dayPartitionName(day(20)), severityPartitionName(day(21), 'debug')]);
    expect(outcome.failures).toEqual([
      { step: `drop ${missing}`, error: expect.stringContaining('does not exist') },
    ]);
    // Rows older than the cutoff wherever they are: days 1 and 2 (the first test's) and the straggler of day 5.
    expect(outcome.deletedRows).toEqual({ info: 2, warn: 1, error: 1 });
    const partitions = await sut.list();
    expect(partitions).not.toContain(dayPartitionName(day(20)));
    // The day keeps a default sub-partition for late records of the severity dropped.
    expect(partitions).toContain(stragglersPartitionName(day(21)));
    expect(await rowsIn(dayPartitionName(day(21)))).toBe(1);
  });
});
