import {
  archivedCount,
  BenchService,
  peakRssMb,
  percentile,
  progress,
  waitUntilStored,
  withClient,
} from './environment';
import { makeHostBatch } from './workload';

const REQUEST_RECORDS = 1_000;
const IN_FLIGHT = 4;

async function post(service: BenchService, body: string): Promise<void> {
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

/**
 * Logyard end to end: N records through POST /ingest (1,000 per request,
 * 4 requests in flight) until every one is committed in `logs`; also the
 * peak RSS of the process over the run.
 */
export async function measureEndToEnd(
  service: BenchService,
  records: number,
): Promise<{ recordsPerSecond: number; seconds: number; peakRssMb: number }> {
  // Bodies are built before the clock starts, as the raw reference builds its CSV: the load generator's
  // JSON encoding is not Logyard's work.
  const requests: string[] = [];
  for (let sent = 0; sent < records; sent += REQUEST_RECORDS) {
    const batch = makeHostBatch(sent / REQUEST_RECORDS, Math.min(REQUEST_RECORDS, records - sent), sent);
    requests.push(JSON.stringify(batch));
  }
  const before = await archivedCount(service);
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length) {
        const index = next++;
        await post(service, requests[index]);
        if (index % 50 === 49) progress(`ingest: ${(index + 1) * REQUEST_RECORDS} / ${records} accepted`);
      }
    }),
  );
  await waitUntilStored(service, before + records);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { recordsPerSecond: Math.round(records / seconds), seconds, peakRssMb: peakRssMb(service.pid) };
}

/**
 * Accepted → queryable: requests of 100 records paced at `rate` records/s;
 * for each, the time from its 202 until one of its records is visible.
 */
export async function measureLatency(
  service: BenchService,
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number; samples: number }> {
  const perRequest = 100;
  const intervalMs = (perRequest / rate) * 1000;
  // id -> [ts, accepted at]; the lookup goes by (ts, id), the table's key, so polling stays cheap as it grows.
  const pending = new Map<string, [string, number]>();
  const latencies: number[] = [];
  let sending = true;
  const poller = (async () => {
    await withClient(service.database, async (client) => {
      while (sending || pending.size > 0) {
        if (pending.size > 0) {
          const { rows } = await client.query<{ id: string }>(
            'SELECT id FROM logs WHERE ts = ANY($1::timestamptz[]) AND id = ANY($2::uuid[])',
            [[...pending.values()].map(([ts]) => ts), [...pending.keys()]],
          );
          const now = performance.now();
          for (const { id } of rows) {
            latencies.push(now - pending.get(id)![1]);
            pending.delete(id);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
  })();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; performance.now() - started < seconds * 1000; i++) {
    const batch = makeHostBatch(i, perRequest, i * perRequest);
    const { id, ts } = batch[batch.length - 1];
    inFlight.push(
      post(service, JSON.stringify(batch)).then(() => {
        pending.set(id, [ts, performance.now()]);
      }),
    );
    const due = started + (i + 1) * intervalMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  await Promise.all(inFlight);
  sending = false;
  await poller;
  return {
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    samples: latencies.length,
  };
}
