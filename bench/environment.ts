import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { buildTopology } from '@logyard/amqp';
import { SERVICE_NODE_FLAGS } from '@logyard/config';
import { metricValue } from '@logyard/observability';
import { CpuSample, cpuPerRecord, sampleCpu } from './cpu-usage';
import { PG_SERVER_URL, unusedPort, withClient } from '@logyard/testing';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MAIN_JS = join(__dirname, '../apps/logyard/src/main.js');

export function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/**
 * Flushes PostgreSQL's dirty pages before a timed phase, so every phase
 * starts from the same state rather than inheriting a checkpoint (and the
 * full-page writes after it) due to the previous phase's WAL.
 */
export async function checkpoint(): Promise<void> {
  await withClient('postgres', (client) => client.query('CHECKPOINT')).catch((error: Error) =>
    progress(`CHECKPOINT refused (${error.message}); a checkpoint may land inside the timed phase`),
  );
}

/** A Logyard process of the built tree, on its own prefix and database. */
export interface BenchService {
  url: string;
  pid: number;
  database: string;
  databaseUrl: string;
  prefix: string;
  stop(): Promise<void>;
}

export async function startService(
  target: string,
  database: string,
  extraEnv: Record<string, string> = {},
): Promise<BenchService> {
  const prefix = `bench_${randomBytes(3).toString('hex')}`;
  const port = await unusedPort();
  const databaseUrl = `${PG_SERVER_URL}/${database}`;
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service under load.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...SERVICE_NODE_FLAGS, ...nodeArgs, MAIN_JS, '--target', target],
    {
      env: {
        ...process.env,
        AMQP_URL,
        AMQP_PREFIX: prefix,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        NO_COLOR: '1',
        // One load generator is one sender offering all the pipeline takes: the per-sender limit, there to
        // stop a sender that alone would saturate the service, would measure itself instead.
        INGEST_RATE_LIMIT: '0',
        ...extraEnv,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // BENCH_SERVICE_STDERR=1 shows the service's own log, to see why a run failed.
  if (process.env.BENCH_SERVICE_STDERR) child.stderr?.pipe(process.stderr);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (
    (await fetch(`${url}/health/ready`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`Logyard did not start:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid!,
    database,
    databaseUrl,
    prefix,
    stop: async () => {
      // A service that died during the run has nothing left to drain.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await deleteTopology(prefix);
    },
  };
}

async function deleteTopology(prefix: string): Promise<void> {
  const connection = await amqplib.connect(AMQP_URL);
  const channel = await connection.createChannel();
  const topology = buildTopology(prefix, 'classic');
  for (const queue of topology.queues) await channel.deleteQueue(queue.name);
  for (const exchange of topology.exchanges) await channel.deleteExchange(exchange.name);
  await connection.close();
}

/** Peak resident set size of a process so far, from the kernel's high-water mark. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p50 and p95 of one named request, in ms: how the issues state their latency budgets. */
export interface Latency {
  name: string;
  path: string;
  p50: number;
  p95: number;
}

/** How a latency is measured: runs untimed, then timed, and how finely their percentiles are reported. */
export interface LatencyPlan {
  warmups: number;
  runs: number;
  round: (ms: number) => number;
}

/**
 * Runs `once` `warmups` times untimed, as the JIT, caches and pools make the first runs slower than the rest,
 * then `runs` times; `once` resolves to its run's time in ms. Resolves to their p50 and p95, each `round`ed.
 */
export async function measureLatency(
  name: string,
  path: string,
  plan: LatencyPlan,
  once: () => Promise<number>,
): Promise<Latency> {
  const samples: number[] = [];
  for (let run = 0; run < plan.warmups + plan.runs; run++) {
    const ms = await once();
    if (run >= plan.warmups) samples.push(ms);
  }
  return { name, path, p50: plan.round(percentile(samples, 50)), p95: plan.round(percentile(samples, 95)) };
}

/**
 * Resolves once `total` records are committed in `logs`. Polls the archiver's
 * own commit counter (cheap, so polling does not compete with the run for
 * PostgreSQL), then confirms with one exact count of the table.
 */
export async function waitUntilStored(service: BenchService, total: number): Promise<void> {
  // Every 100 ms: a /metrics scrape costs the service ~0.25 ms (1 % of its CPU at 20 ms).
  while ((await archivedCount(service)) < total) await new Promise((resolve) => setTimeout(resolve, 100));
  for (;;) {
    const stored = await withClient(service.database, async (client) =>
      Number((await client.query('SELECT count(*) FROM logs')).rows[0].count),
    );
    if (stored >= total) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One timed run: how fast it went, and what each component spent per record. */
export interface TimedRun {
  recordsPerSecond: number;
  seconds: number;
  cpuUsPerRecord: CpuSample;
}

/**
 * Times `send` from a checkpointed start until all `records` it sends are committed, with each component's
 * CPU over that span: the one clock every ingest-shaped run uses.
 */
export async function timeUntilStored(
  service: BenchService,
  records: number,
  send: () => Promise<void>,
): Promise<TimedRun> {
  const before = await archivedCount(service);
  await checkpoint();
  const cpuBefore = sampleCpu([service.pid]);
  const started = process.hrtime.bigint();
  await send();
  await waitUntilStored(service, before + records);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    recordsPerSecond: Math.round(records / seconds),
    seconds,
    cpuUsPerRecord: cpuPerRecord(cpuBefore, sampleCpu([service.pid]), records),
  };
}

/** Records the archiver reports committed since it started. */
export function archivedCount(service: BenchService): Promise<number> {
  return metricValue(service.url, 'logyard_records_archived_total');
}
