import { SEVERITY_NUMBER } from '@logyard/contracts';
import { withClient } from '@logyard/testing';
import { BenchService, peakRssMb, percentile, progress, TimedRun, timeUntilStored } from './environment';
import { BenchRecord, makeBatch, makeHostBatch, WorkloadShape } from './workload';

const REQUEST_RECORDS = 1_000;
const IN_FLIGHT = 4;

/** POST /ingest, retrying while the collector answers 503 (broker busy). */
export async function post(service: BenchService, body: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${service.url}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (response.status === 202) return;
    if (response.status !== 503)
      throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface EndToEndRun extends TimedRun {
  peakRssMb: number;
}

/** The request bodies of an end-to-end run: `records` records of `shape`, 1,000 a request. */
export interface IngestWorkload {
  shape: WorkloadShape;
  records: number;
  bodies: string[];
}

/**
 * Builds a run's request bodies before any service is started: the load generator's JSON encoding is not
 * Logyard's work (the raw reference builds its CSV first too), and building takes seconds on a slow machine.
 * Built while a service was up, past its 5 s keep-alive, the connection idle meanwhile was closed under the
 * first request that reused it ("fetch failed: other side closed").
 */
export function ingestWorkload(records: number, shape: WorkloadShape): IngestWorkload {
  const bodies: string[] = [];
  for (let sent = 0; sent < records; sent += REQUEST_RECORDS) {
    const batch = makeBatch(shape, sent / REQUEST_RECORDS, Math.min(REQUEST_RECORDS, records - sent), sent);
    bodies.push(JSON.stringify(batch));
  }
  return { shape, records, bodies };
}

/**
 * Logyard end to end: the workload's records through POST /ingest (4 requests
 * in flight) until every one is committed in `logs`; also the peak RSS of the
 * process and each component's CPU per record over the run.
 */
export async function measureEndToEnd(
  service: BenchService,
  { shape, records, bodies: requests }: IngestWorkload,
): Promise<EndToEndRun> {
  let next = 0;
  const run = await timeUntilStored(service, records, async () => {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < requests.length) {
          const index = next++;
          await post(service, requests[index]);
          if (index % 50 === 49)
            progress(`ingest (${shape}): ${(index + 1) * REQUEST_RECORDS} / ${records} accepted`);
        }
      }),
    );
  });
  return { ...run, peakRssMb: peakRssMb(service.pid) };
}

/** Records of each latency request whose visibility is timed, spread over the request's routing keys. */
const TIMED_PER_REQUEST = 10;
const TIMED_STRIDE = 97;
/**
 * How often the latency run looks for its timed records: a resolution of 2 % of the 1 s target (a record is
 * seen up to this much late, never early), at a cost to PostgreSQL that must stay small beside the pipeline's.
 */
const POLL_MS = 20;
/**
 * Which timed records are visible: one index probe per record, by the whole primary key, in a prepared
 * statement so that the ~30 partitions are not planned again at every poll. It replaced
 * `ts = ANY(…) AND id = ANY(…)`, which matched every stored record sharing a timed record's ts (the workload
 * repeats a ts every 1,000 records) and took ~60 ms a poll: the instrument cost PostgreSQL most of a core.
 */
const VISIBLE = {
  name: 'latency-visible',
  text: `SELECT l.id FROM unnest($1::timestamptz[], $2::uuid[], $3::smallint[]) AS p(ts, id, severity)
    JOIN logs l ON l.ts = p.ts AND l.id = p.id AND l.severity = p.severity`,
};

/**
 * Accepted → queryable: the requests of (2) — 1,000 records from one host —
 * paced at `rate` records/s; for ten records of each request, spread over its
 * routing keys (so over its messages), the time from the request's 202 until
 * the record is visible in `logs`.
 */
export async function measureLatency(
  service: BenchService,
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number; samples: number }> {
  const intervalMs = (REQUEST_RECORDS / rate) * 1000;
  const requests = Array.from({ length: Math.ceil((seconds * 1000) / intervalMs) }, (_, i) => {
    const batch = makeHostBatch(i, REQUEST_RECORDS, i * REQUEST_RECORDS);
    const timed = Array.from({ length: TIMED_PER_REQUEST }, (_, k) => batch[k * TIMED_STRIDE]);
    return { body: JSON.stringify(batch), timed };
  });
  // id -> the record's key and when it was accepted.
  const pending = new Map<string, { record: BenchRecord; acceptedAt: number }>();
  const latencies: number[] = [];
  let sending = true;
  const poller = (async () => {
    await withClient(service.database, async (client) => {
      while (sending || pending.size > 0) {
        if (pending.size > 0) {
          const keys = [...pending.values()].map(({ record }) => record);
          const { rows } = await client.query<{ id: string }>({
            ...VISIBLE,
            values: [
              keys.map(({ ts }) => ts),
              keys.map(({ id }) => id),
              keys.map(({ severity }) => SEVERITY_NUMBER[severity]),
            ],
          });
          const now = performance.now();
          for (const { id } of rows) {
            latencies.push(now - pending.get(id)!.acceptedAt);
            pending.delete(id);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    });
  })();
  const started = performance.now();
  const inFlight = requests.map(async ({ body, timed }, i) => {
    await new Promise((resolve) => setTimeout(resolve, started + i * intervalMs - performance.now()));
    await post(service, body);
    const accepted = performance.now();
    for (const record of timed) pending.set(record.id, { record, acceptedAt: accepted });
  });
  await Promise.all(inFlight);
  sending = false;
  await poller;
  return {
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    samples: latencies.length,
  };
}
