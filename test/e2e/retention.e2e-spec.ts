import { Logger } from '@nestjs/common';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { makeRecord, Severity, SEVERITIES } from '@logyard/contracts';
import {
  addDays,
  connectAndMigrate,
  createArchivePool,
  dayPartitionName,
  LogRepository,
  PartitionRepository,
  severityPartitionName,
  startOfUtcDay,
  stragglersPartitionName,
} from '@logyard/db';
import { RouterModule } from '@logyard/router';
import type { RunningLogyard, TestEnvironment } from '@logyard/testing';
import { createTestEnvironment, DatabaseProbe, startLogyard, waitFor } from '@logyard/testing';
import { PartitionMaintainer } from '../../apps/archiver/src/retention/partition.maintainer';
import { request } from '../support/http';

const HOUR = 3_600_000;

describe('retention: RETENTION_DAYS=14, RETENTION_DAYS_DEBUG=2, RETENTION_DAYS_ERROR=90', () => {
  let world: TestEnvironment;
  let app: RunningLogyard;
  let db: DatabaseProbe;
  let logs: jest.SpyInstance;
  const today = startOfUtcDay(new Date());
  const day = (daysAgo: number) => addDays(today, -daysAgo);
  /** Noon of a past day, so no test run near midnight can move a record across a day. */
  const noon = (daysAgo: number, severity: Severity) =>
    makeRecord({
      ts: new Date(day(daysAgo).getTime() + 12 * HOUR).toISOString(),
      severity,
      message: `${daysAgo} ${severity}`,
    });
  const PAST_DAYS = [1, 2, 3, 14, 15, 90, 91, 100];
  const whole = (daysAgo: number) => [
    dayPartitionName(day(daysAgo)),
    ...SEVERITIES.map((s) => severityPartitionName(day(daysAgo), s)),
  ];
  const retentionLines = () =>
    logs.mock.calls.map(([message]) => String(message)).filter((message) => message.startsWith('retention'));

  const partitions = async () =>
    (
      await db.rows<{ name: string }>(
        `SELECT c.relname AS name FROM pg_partition_tree('logs') t JOIN pg_class c ON c.oid = t.relid WHERE t.level > 0`,
      )
    )
      .map((row) => row.name)
      .sort();
  const rowsBySeverity = async (where: string) =>
    Object.fromEntries(
      (
        await db.rows<{ severity: number; n: number }>(
          `SELECT severity, count(*)::int AS n FROM logs WHERE ${where} GROUP BY severity ORDER BY severity`,
        )
      ).map(({ severity, n }) => [SEVERITIES[[1, 5, 9, 13, 17, 21].indexOf(severity)], n]),
    );
  const partitionOf = async (id: string) =>
    db.scalar<string>('SELECT tableoid::regclass::text FROM logs WHERE id = $1', [id]);

  beforeAll(async () => {
    world = createTestEnvironment({
      RETENTION_DAYS: '14',
      RETENTION_DAYS_DEBUG: '2',
      RETENTION_DAYS_ERROR: '90',
    });
    // What an archiver finds after months away: old day partitions, and stragglers in the default partition.
    const pool = createArchivePool(world.databaseUrl);
    await connectAndMigrate(pool, world.databaseUrl);
    await new PartitionRepository(pool).ensureDays(PAST_DAYS.map(day));
    await new LogRepository(pool).insertBatch(
      [...PAST_DAYS, 30, 95].flatMap((daysAgo) => SEVERITIES.map((severity) => noon(daysAgo, severity))),
    );
    await pool.end();
    db = await DatabaseProbe.open(world.databaseUrl);
    logs = jest.spyOn(Logger.prototype, 'log');
    app = await startLogyard([CollectorModule, RouterModule, ArchiverModule], world.env);
  });

  afterAll(async () => {
    logs?.mockRestore();
    await app?.close();
    await db?.close();
    await world?.dispose();
  });

  it('drops at start exactly the expired (day, severity) tables and days, and says so', async () => {
    const kept = [
      ...[0, 1, 2, -1, -2, -3].flatMap(whole),
      ...[3, 14].flatMap((n) => [
        ...whole(n).filter((name) => !name.endsWith('_debug')),
        stragglersPartitionName(day(n)),
      ]),
      ...[15, 90].flatMap((n) => [
        dayPartitionName(day(n)),
        severityPartitionName(day(n), 'error'),
        stragglersPartitionName(day(n)),
      ]),
      'logs_default',
    ];
    await expect(partitions()).resolves.toEqual(kept.sort());
    // Whole days first, oldest first; then (day, severity) tables by name.
    const dropped = [
      ...[100, 91].map((n) => dayPartitionName(day(n))),
      ...[
        ...[90, 15].flatMap((n) =>
          SEVERITIES.filter((s) => s !== 'error').map((s) => severityPartitionName(day(n), s)),
        ),
        ...[14, 3].map((n) => severityPartitionName(day(n), 'debug')),
      ].sort(),
    ];
    expect(retentionLines()).toContain(`retention dropped partitions ${dropped.join(', ')}`);
  });

  it('deletes the expired rows of the default partition and keeps the rest', async () => {
    // Stragglers of days 30 and 95 (no partition): only the error of day 30 is within its 90 days.
    await expect(rowsBySeverity('true')).resolves.toEqual({
      trace: 4,
      debug: 2,
      info: 4,
      warn: 4,
      error: 7,
      fatal: 4,
    });
    await expect(db.rows('SELECT message FROM logs_default ORDER BY message')).resolves.toEqual([
      { message: '30 error' },
    ]);
    expect(retentionLines()).toContain(
      'retention deleted expired rows from default partitions: 2 trace, 2 debug, 2 info, 2 warn, 1 error, 2 fatal',
    );
  });

  it('still ingests late records for dropped days and severities, then removes the expired ones', async () => {
    const late = {
      droppedDay: noon(100, 'error'),
      droppedDayWarn: noon(91, 'warn'),
      noPartition: noon(30, 'error'),
      droppedSeverity: noon(15, 'debug'),
      keptSeverity: noon(15, 'error'),
      recentDebug: noon(3, 'debug'),
      recentInfo: noon(3, 'info'),
    };
    const response = await request(`${app.url}/ingest`, { body: Object.values(late) });
    expect(response).toMatchObject({ status: 202, body: { accepted: 7, rejected: 0 } });
    const ids = Object.values(late).map((record) => record.id);
    await waitFor(
      'the late records archived',
      async () => (await db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1)', [ids])) === 7,
    );
    const where: Record<string, string> = {};
    for (const [name, record] of Object.entries(late)) where[name] = await partitionOf(record.id);
    expect(where).toEqual({
      droppedDay: 'logs_default',
      droppedDayWarn: 'logs_default',
      noPartition: 'logs_default',
      droppedSeverity: stragglersPartitionName(day(15)),
      keptSeverity: severityPartitionName(day(15), 'error'),
      recentDebug: stragglersPartitionName(day(3)),
      recentInfo: severityPartitionName(day(3), 'info'),
    });

    logs.mockClear();
    await app.app.get(PartitionMaintainer).run();
    expect(retentionLines()).toEqual([
      'retention deleted expired rows from default partitions: 2 debug, 1 warn, 1 error',
    ]);
    const left = await db.rows<{ id: string }>('SELECT id FROM logs WHERE id = ANY($1)', [ids]);
    expect(new Set(left.map((row) => row.id))).toEqual(
      new Set([late.noPartition.id, late.keptSeverity.id, late.recentInfo.id]),
    );

    logs.mockClear();
    await app.app.get(PartitionMaintainer).run();
    expect(retentionLines()).toEqual([]);
  });

  it('lets several runs race: the schema lock serialises them, and each partition is dropped once', async () => {
    const pool = createArchivePool(world.databaseUrl);
    try {
      await new PartitionRepository(pool).ensureDays([day(200), day(201)]);
    } finally {
      await pool.end();
    }
    logs.mockClear();
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const maintainer = app.app.get(PartitionMaintainer);
      await Promise.all([maintainer.run(), maintainer.run(), maintainer.run()]);
      expect(warn.mock.calls.filter(([message]) => String(message).startsWith('retention'))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
    expect(retentionLines()).toEqual([
      `retention dropped partitions ${dayPartitionName(day(201))}, ${dayPartitionName(day(200))}`,
    ]);
    await expect(partitions()).resolves.not.toContain(dayPartitionName(day(200)));
  });
});
