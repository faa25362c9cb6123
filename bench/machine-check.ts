import { Worker } from 'node:worker_threads';

// Each probe runs in a worker thread and times only its own loop, so thread start-up is not counted.

/** Register-only integer work that no engine can skip: a few tenths of a second of one core. */
const INTEGER_LOOP = `
  const { parentPort } = require('node:worker_threads');
  const start = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 40_000_000; i++) x = (x * 31 + i) | 0;
  parentPort.postMessage({ value: Number(process.hrtime.bigint() - start) / 1e6, x });
`;

/**
 * Dependent random reads over 64 MB, far beyond any cache: nanoseconds per read. PostgreSQL's index
 * inserts wait on memory like this, and a busy neighbour on the host slows them while leaving
 * register-only work untouched.
 */
const MEMORY_WALK = `
  const { parentPort } = require('node:worker_threads');
  const reads = 3_000_000;
  const slots = new Int32Array(16 * 1024 * 1024);
  for (let i = 0; i < slots.length; i++) slots[i] = Math.imul(i, 2654435761) & (slots.length - 1);
  const start = process.hrtime.bigint();
  let at = 0;
  for (let i = 0; i < reads; i++) at = slots[at] ^ (i & 1023);
  parentPort.postMessage({ value: Number(process.hrtime.bigint() - start) / reads, at });
`;

function probe(source: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once('message', ({ value }: { value: number }) => resolve(value));
    worker.once('error', reject);
  });
}

export interface AloneAndPaired {
  alone: number;
  /** The slower of two copies run at once: near `alone` when the host gives two full cores (or memory paths). */
  paired: number;
}

export interface MachineCheck {
  /** The integer loop, ms. */
  integerMs: AloneAndPaired;
  /** One random memory read, ns. */
  memoryNs: AloneAndPaired;
}

async function aloneAndPaired(source: string): Promise<AloneAndPaired> {
  const alone = await probe(source);
  const pair = await Promise.all([probe(source), probe(source)]);
  return { alone, paired: Math.max(...pair) };
}

/**
 * What the host gives right now. The pipeline keeps two cores busy while the raw reference needs one,
 * and the day-to-day drift of this shared machine has been in memory as much as in CPU, so both are
 * shown next to each round.
 */
export async function checkMachine(): Promise<MachineCheck> {
  return { integerMs: await aloneAndPaired(INTEGER_LOOP), memoryNs: await aloneAndPaired(MEMORY_WALK) };
}
