import { BenchService, peakRssMb, percentile, progress, withClient } from './environment';
import { BenchRecord, makeHostBatch } from './workload';

const REQUEST_RECORDS = 1_000;
const IN_FLIGHT = 4;

async function post(service: BenchService, records: BenchRecord[]): Promise<void> {
  for (;;) {
    const response = await fetch(`${service.url}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(records),
    });
    if (response.status === 202) return;
    if (response.status !== 503)
      throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function countRows(service: BenchService): Promise<number> {
  return withClient(service.database, async (client) =>
    Number((await client.query('SELECT count(*) FROM logs')).rows[0].count),
  );
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
  const requests: BenchRecord[][] = [];
  for (let sent = 0; sent < records; sent += REQUEST_RECORDS) {
    requests.push(makeHostBatch(sent / REQUEST_RECORDS, Math.min(REQUEST_RECORDS, records - sent), sent));
  }
  const before = await countRows(service);
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
  for (let stored = 0; stored < before + records;) {
    stored = await countRows(service);
    if (stored < before + records) await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  let sending = true;
  const poller = (async () => {
    await withClient(service.database, async (client) => {
      while (sending || pending.size > 0) {
        if (pending.size > 0) {
          const ids = [...pending.keys()];
          const { rows } = await client.query<{ id: string }>(
            'SELECT id FROM logs WHERE id = ANY($1::uuid[])',
            [ids],
          );
          const now = performance.now();
          for (const { id } of rows) {
            latencies.push(now - pending.get(id)!);
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
    inFlight.push(
      post(service, batch).then(() => {
        pending.set(batch[batch.length - 1].id, performance.now());
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
