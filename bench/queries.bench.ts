import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import {
  addDays,
  connectAndMigrate,
  createArchivePool,
  PartitionRepository,
  sketchMessages,
  startOfUtcDay,
  tsText,
} from '@logyard/db';
import { dropDatabase, PG_SERVER_URL, withClient } from '@logyard/testing';
import { BenchService, Latency, LatencyPlan, measureLatency, progress, startService } from './environment';
import { SERVICES } from './workload';

const SEED_CHUNK = 250_000;
/** The archiver's batch (ARCHIVER_BATCH_RECORDS' default), which is what one sketch covers in a live archive. */
const SKETCH_BATCH = 5_000;
// A p95 of 20 samples is the second-slowest of them; 100 after a JIT warm-up make it a percentile.
const PLAN: LatencyPlan = { warmups: 10, runs: 100, round: (ms) => Math.round(ms * 10) / 10 };
const DAYS = 14;

export interface QueryLatency extends Latency {
  /** HTTP status of the last run: a missing endpoint shows here instead of a latency. */
  status: number;
}

/**
 * Seeds `rows` records over the last 14 days with SQL (fast) and starts an
 * archiver on that database for `work`.
 *
 * With `keptDatabase` (bench --keep-seed, for iterating on queries) the seed
 * goes to that database and stays there: a later run reuses it when it holds
 * as many rows, so its "now" is the time it was seeded, and the windows
 * ending at now hold fewer rows the older it is. The bench's own run seeds
 * a fresh database.
 */
export async function withSeededArchiver<T>(
  rows: number,
  keptDatabase: string | undefined,
  work: (service: BenchService) => Promise<T>,
): Promise<T> {
  const database = keptDatabase ?? `bench_query_${process.pid}`;
  if (!keptDatabase || (await seededRows(database)) !== rows) {
    await dropDatabase(database);
    await seed(database, rows);
  }
  const service = await startService('archiver', database);
  try {
    return await work(service);
  } finally {
    await service.stop().finally(() => (keptDatabase ? undefined : dropDatabase(database)));
  }
}

/**
 * Times the operator queries of the issues through the HTTP API, p50/p95
 * over `runs` runs (PLAN's unless bench --query-runs says) after PLAN's warm-ups.
 */
export async function measureQueries(service: BenchService, runs = PLAN.runs): Promise<QueryLatency[]> {
  const { traceId, id, user } = await withClient(service.database, async (client) => {
    const { rows: found } = await client.query<{ trace_id: string; id: string; user: string }>(
      `SELECT trace_id, id, substring(message from 'user=([0-9a-f]{12})') AS user FROM logs
        WHERE ts > now() - interval '3 days' AND ts < now() - interval '2 days' LIMIT 1`,
    );
    const { rows: recent } = await client.query<{ user: string }>(
      `SELECT substring(message from 'user=([0-9a-f]{12})') AS user FROM logs
        WHERE ts > now() - interval '13 hours' AND ts < now() - interval '12 hours' LIMIT 1`,
    );
    return {
      traceId: found[0]?.trace_id ?? '0'.repeat(32),
      id: found[0]?.id ?? randomUUID(),
      user: recent[0]?.user ?? found[0]?.user ?? 'no-such-user',
    };
  });
  const queries: [string, string][] = [
    ['newest 100 of a service, last 15 min', `/api/logs?service=${SERVICES[0]}&from=now-15m&limit=100`],
    ['full text over 24 h', '/api/logs?q=declined&from=now-24h&limit=100'],
    ['histogram over 24 h', '/api/logs/histogram?from=now-24h'],
    ['trace-id lookup over 7 days', `/api/logs?traceId=${traceId}&from=now-7d`],
    ['one record by id', `/api/logs/${id}`],
    ['histogram over 14 days', '/api/logs/histogram?from=now-14d'],
    ['facets over 14 days', '/api/facets?from=now-14d'],
    ['facets over 24 h', '/api/facets?from=now-24h'],
    // A frequent substring fills its page from the newest rows; a user id occurs a few times a day.
    ['contains, frequent substring, over 24 h', '/api/logs?contains=TIMEOUT&from=now-24h&limit=100'],
    [
      'contains, rare substring, over 24 h',
      `/api/logs?contains=USER%3D${user.toUpperCase()}&from=now-24h&limit=100`,
    ],
  ];
  const results: QueryLatency[] = [];
  for (const [name, path] of queries) results.push(await time(service, name, path, runs));
  return results;
}

/** Rows of a kept seed, or undefined when there is none (or it was never finished). */
async function seededRows(database: string): Promise<number | undefined> {
  try {
    return await withClient(database, async (client) => {
      const { rows } = await client.query<{ rows: string }>('SELECT rows FROM bench_seed');
      return rows[0] ? Number(rows[0].rows) : undefined;
    });
  } catch {
    return undefined;
  }
}

async function time(service: BenchService, name: string, path: string, runs: number): Promise<QueryLatency> {
  let status = 0;
  const latency = await measureLatency(name, path, { ...PLAN, runs }, async () => {
    const started = performance.now();
    const response = await fetch(`${service.url}${path}`);
    await response.arrayBuffer();
    status = response.status;
    return performance.now() - started;
  });
  progress(`query "${name}": status ${status}, p50 ${latency.p50.toFixed(1)} ms`);
  return { ...latency, status };
}

export async function seed(database: string, rows: number): Promise<void> {
  const url = `${PG_SERVER_URL}/${database}`;
  const pool = createArchivePool(url);
  await connectAndMigrate(pool, url);
  const today = startOfUtcDay(new Date());
  const seededDays = Array.from({ length: DAYS + 2 }, (_, i) => addDays(today, i - DAYS));
  await new PartitionRepository(pool).ensureDays(seededDays);
  await pool.end();
  const services = `ARRAY[${SERVICES.map((s) => `'${s}'`).join(',')}]`;
  await withClient(database, async (client) => {
    // Loading first and indexing after is several times faster than updating every index row by row (the GIN
    // indexes above all); the definitions are read back from the migrated schema and rebuilt as they were.
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'logs' AND indexname <> 'logs_pkey'`,
    );
    for (const { indexname } of indexes) await client.query(`DROP INDEX ${indexname}`);
    const started = Date.now();
    for (let from = 1; from <= rows; from += SEED_CHUNK) {
      const to = Math.min(rows, from + SEED_CHUNK - 1);
      // Spread evenly over the last 14 days; realistic shapes for every indexed column.
      await client.query(
        `INSERT INTO logs (id, ts, observed_ts, host, service, severity, message, attributes, trace_id, span_id)
         SELECT gen_random_uuid(), t, t, host, service, severity,
                service || ' request ' || i || ' ' || w1 || ' ' || w2 || ' method=POST path=/api/v1/' || service || '/' || (i % 5000)
                  || ' status=' || CASE WHEN i % 7 = 0 THEN 503 ELSE 200 END || ' duration_ms=' || (i % 997)
                  || ' user=' || substr(md5(i::text), 1, 16) || ' detail=' || md5((i * 31)::text) || md5((i * 17)::text),
                jsonb_build_object('region', CASE WHEN i % 3 = 0 THEN 'us-east-1' ELSE 'eu-west-1' END,
                                   'pod', service || '-' || (i % 9), 'http_status', CASE WHEN i % 7 = 0 THEN 503 ELSE 200 END),
                md5(i::text), substr(md5((i * 3)::text), 1, 16)
         FROM (
           SELECT i,
                  now() - ((${rows} - i)::float8 / ${rows}) * interval '${DAYS} days' AS t,
                  CASE WHEN i % 20 < 12 THEN 'web-' ELSE 'worker-' END || (i % 20 + 1) || '.prod.example.com' AS host,
                  (${services})[1 + (i % 12)] AS service,
                  (ARRAY[1, 5, 5, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 13, 13, 17, 9, 9, 5, 21])[1 + ((i * 7) % 20)]::smallint AS severity,
                  (ARRAY['order','payment','declined','timeout','retry','cache','miss','user','session','upstream'])[1 + (i % 10)] AS w1,
                  (ARRAY['accepted','shipped','failed','queued','skipped','opened','closed','sent','stored','read'])[1 + ((i / 10) % 10)] AS w2
           FROM generate_series($1::bigint, $2::bigint) AS i
         ) s`,
        [from, to],
      );
      const rate = Math.round(to / ((Date.now() - started) / 1000));
      progress(`seed: ${to} / ${rows} rows (${rate} rows/s)`);
    }
    await client.query(`SET maintenance_work_mem = '512MB'`);
    for (const { indexname, indexdef } of indexes) {
      progress(`seed: CREATE INDEX ${indexname}`);
      // pg_indexes shows the parent's index as ON ONLY, which would skip every partition.
      await client.query(indexdef.replace(' ON ONLY ', ' ON '));
    }
    await sketchSeed(client, rows, seededDays);
    // What autovacuum does to insert-only partitions on a default PostgreSQL (this machine runs with it off): the
    // visibility map lets the histogram count from the primary key alone (~2.5x faster on 1.5 M rows).
    progress('seed: VACUUM (ANALYZE)');
    await client.query('VACUUM (ANALYZE) logs');
    await client.query('VACUUM (ANALYZE) log_counts_minute');
    await client.query('VACUUM (ANALYZE) log_counts_hour');
    await client.query('VACUUM (ANALYZE) log_sketches');
    await client.query(`CREATE TABLE bench_seed AS SELECT ${rows}::bigint AS rows`);
  });
}

/**
 * The seed's rows were inserted by SQL, so the insert trigger filed them unsketched: every `contains=` would
 * read them all. The archiver sketches each batch it writes (docs/design.md §5); this files the same sketches
 * for the seed, over consecutive runs of ARCHIVER_BATCH_RECORDS rows in `ts` order, as a live archive's
 * batches arrive. A day is read in one query (the seed puts ~700,000 rows in it): a query per batch would
 * plan over every partition 2,000 times.
 */
async function sketchSeed(client: Client, rows: number, days: Date[]): Promise<void> {
  await client.query('DELETE FROM log_sketches');
  let read = 0;
  for (const day of days) {
    const { rows: dayRows } = await client.query<{ ts: string; message: string }>(
      `SELECT ${tsText('ts')} AS ts, message FROM logs WHERE ts >= $1 AND ts < $2 ORDER BY ts`,
      [day, addDays(day, 1)],
    );
    for (let start = 0; start < dayRows.length; start += SKETCH_BATCH) {
      const batch = dayRows.slice(start, start + SKETCH_BATCH);
      await client.query(
        'INSERT INTO log_sketches (first_ts, last_ts, grams) VALUES ($1::timestamptz, $2::timestamptz, $3)',
        [batch[0].ts, batch[batch.length - 1].ts, sketchMessages(batch.map((row) => row.message))],
      );
    }
    read += dayRows.length;
    progress(`seed: sketched ${read} / ${rows} rows`);
  }
}
