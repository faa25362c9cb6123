import { Worker } from 'node:worker_threads';

/** Integer work that no engine can skip: a few tenths of a second of one core. */
const SPIN = `
  const { parentPort } = require('node:worker_threads');
  const start = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 40_000_000; i++) x = (x * 31 + i) | 0;
  parentPort.postMessage({ ms: Number(process.hrtime.bigint() - start) / 1e6, x });
`;

function spin(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SPIN, { eval: true });
    worker.once('message', ({ ms }: { ms: number }) => resolve(ms));
    worker.once('error', reject);
  });
}

export interface CpuCheck {
  /** The fixed loop alone. */
  aloneMs: number;
  /** The slower of two copies run at once: near `aloneMs` when the machine gives two full cores. */
  pairMs: number;
}

/**
 * What the machine gives right now. The pipeline keeps two cores busy while
 * the raw reference needs one, so a host that hands out less than two full
 * cores lowers the ratio: this shows it next to each round.
 */
export async function checkCpu(): Promise<CpuCheck> {
  const aloneMs = await spin();
  const pair = await Promise.all([spin(), spin()]);
  return { aloneMs, pairMs: Math.max(...pair) };
}
