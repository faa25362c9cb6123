import { createTestEnvironment, DatabaseProbe, TestEnvironment, unusedPort, waitFor } from '@logyard/testing';
import { WatchedProcess, startLogyardProcess, stopLogyardProcess } from '../support/processes';
import { publishToIngest } from '../support/poison';
import { makeOutgoingRecords, RetryingSender } from '../support/retrying-sender';

/**
 * A measurement, not a test: `MEASURE_SCALING=1 npx jest --selectProjects
 * cluster --testPathPatterns scaling` (after `npm run build`). Against the
 * machine's RabbitMQ and PostgreSQL, it fills the queue in front of a stage
 * while that stage is absent, then starts 1 or 2 processes of it and measures
 * how fast they drain it, and each process's share of the work (the prefetch
 * fair dispatch). On 2 shared cores the point is the spreading, not the speed.
 */
const RECORDS = Number(process.env.MEASURE_RECORDS ?? 20_000);
const measure = process.env.MEASURE_SCALING ? describe : describe.skip;

type Running = WatchedProcess & { url: string };

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const [, value] of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm')))
    sum += Number(value);
  return sum;
}

measure('scaling: records/s with 1 and 2 processes of a stage', () => {
  const lines: string[] = [];
  let world: TestEnvironment | undefined;
  let running: Running[] = [];

  afterEach(async () => {
    await Promise.all(running.map((p) => stopLogyardProcess(p)));
    running = [];
    await world?.dispose();
  });
  afterAll(() => console.log([`scaling, ${RECORDS} records, prefetch fair dispatch:`, ...lines].join('\n')));

  async function start(role: 'collector' | 'router' | 'archiver'): Promise<Running> {
    const p = await startLogyardProcess(role, world!.env, await unusedPort());
    running.push(p);
    return p;
  }

  /** Sends RECORDS records to a collector and waits until `upstream` handed them all on. */
  async function fill(collector: Running, upstream: () => Promise<number>): Promise<void> {
    await new RetryingSender(() => collector.url, makeOutgoingRecords(RECORDS, 'scaling'), {
      chunk: 500,
    }).run();
    await waitFor('the queue filled', async () => (await upstream()) >= RECORDS, { timeoutMs: 300_000 });
  }

  /** Drain rate, timed from the first record done to the last, so process start-up does not count. */
  async function drain(done: () => Promise<number>): Promise<number> {
    let first: { at: number; count: number } | undefined;
    for (const deadline = Date.now() + 600_000; Date.now() < deadline;) {
      const count = await done().catch(() => 0);
      if (count > 0 && !first) first = { at: Date.now(), count };
      if (count >= RECORDS && first) return ((count - first.count) / (Date.now() - first.at)) * 1000;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('not drained in 10 minutes');
  }

  it.each([1, 2])('%i archiver(s)', async (n) => {
    world = createTestEnvironment({ ARCHIVER_FLUSH_MS: '100' });
    const collector = await start('collector');
    // The collector publishes what it validated to the logs exchange, so the archive queues fill without a router.
    await fill(collector, () => metric(collector.url, 'logyard_records_routed_total'));
    const archivers = await Promise.all(Array.from({ length: n }, () => start('archiver')));
    const db = await DatabaseProbe.open(world.databaseUrl);
    try {
      const rate = await drain(() => db.scalar('SELECT count(*) FROM logs'));
      const shares = await Promise.all(archivers.map((a) => metric(a.url, 'logyard_records_archived_total')));
      lines.push(
        `  ${n} archiver(s): ${Math.round(rate)} records/s; archived per process: ${shares.join(', ')}`,
      );
    } finally {
      await db.close();
    }
  });

  // The router's input is what AMQP publishers put on the ingest exchange (the collector publishes to the
  // logs exchange itself, docs/design.md §3): the queue is filled the way the SDK fills it, 500 records a message.
  it.each([1, 2])('%i router(s)', async (n) => {
    world = createTestEnvironment();
    await start('collector'); // asserts the topology, so the ingest exchange and the router queue exist
    const records = makeOutgoingRecords(RECORDS, 'scaling');
    const bodies = Array.from({ length: Math.ceil(RECORDS / 500) }, (_, i) =>
      JSON.stringify(records.slice(i * 500, (i + 1) * 500)),
    );
    await publishToIngest(world.amqpUrl, world.prefix, bodies);
    const routers = await Promise.all(Array.from({ length: n }, () => start('router')));
    const routed = async () =>
      (await Promise.all(routers.map((r) => metric(r.url, 'logyard_records_routed_total')))).reduce(
        (a, b) => a + b,
        0,
      );
    const rate = await drain(routed);
    const shares = await Promise.all(routers.map((r) => metric(r.url, 'logyard_records_routed_total')));
    lines.push(`  ${n} router(s): ${Math.round(rate)} records/s; routed per process: ${shares.join(', ')}`);
  });
});
