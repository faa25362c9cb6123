import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { createArchivePool, connectAndMigrate } from '@logyard/db';
import { dropDatabase, PG_SERVER_URL, withClient } from '@logyard/testing';
import { checkpoint, progress } from './environment';
import { CpuSample, cpuPerRecord, sampleCpu } from './cpu-usage';
import { makeHostBatch, toCsvRow } from './workload';

const COPY_BATCH = 5_000;

/**
 * The hardware's wall: COPY of the same records, in batches of 5,000, into a
 * plain table with the columns and indexes of `logs` (read from the migrated
 * schema, so the reference follows every index change).
 */
export async function measureRawCopy(
  records: number,
): Promise<{ rowsPerSecond: number; seconds: number; cpuUsPerRecord: CpuSample }> {
  const database = `bench_raw_${process.pid}`;
  await dropDatabase(database);
  const pool = createArchivePool(`${PG_SERVER_URL}/${database}`);
  await connectAndMigrate(pool, `${PG_SERVER_URL}/${database}`);
  await pool.end();
  try {
    return await withClient(database, async (client) => {
      await client.query('CREATE TABLE bench_copy (LIKE logs INCLUDING DEFAULTS)');
      await client.query('ALTER TABLE bench_copy ADD PRIMARY KEY (ts, id, severity)');
      const { rows } = await client.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'logs' AND indexname <> 'logs_pkey'`,
      );
      for (const { indexdef } of rows) {
        await client.query(
          indexdef.replace(/INDEX (\S+) ON (ONLY )?(public\.)?logs /, 'INDEX $1_copy ON bench_copy '),
        );
      }
      const observedTs = new Date().toISOString();
      const batches: string[] = [];
      for (let sent = 0; sent < records; sent += COPY_BATCH) {
        const size = Math.min(COPY_BATCH, records - sent);
        const rows: string[] = [];
        for (let i = 0; i < size; i += 1000) {
          rows.push(
            ...makeHostBatch((sent + i) / 1000, Math.min(1000, size - i), sent + i).map((r) =>
              toCsvRow(r, observedTs),
            ),
          );
        }
        batches.push(rows.join('\n') + '\n');
      }
      await checkpoint();
      const cpuBefore = sampleCpu([]);
      const started = process.hrtime.bigint();
      for (const [index, batch] of batches.entries()) {
        await pipeline(
          Readable.from([batch]),
          client.query(copyFrom('COPY bench_copy FROM STDIN (FORMAT csv)')),
        );
        if (index % 10 === 9) progress(`raw COPY ${(index + 1) * COPY_BATCH} / ${records}`);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return {
        rowsPerSecond: Math.round(records / seconds),
        seconds,
        cpuUsPerRecord: cpuPerRecord(cpuBefore, sampleCpu([]), records),
      };
    });
  } finally {
    await dropDatabase(database);
  }
}
