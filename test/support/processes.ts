import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built all-in-one entry point (`npm test` builds first). */
export const MAIN_JS = join(__dirname, '../../dist/apps/logyard/src/main.js');

export interface LogyardProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `node dist/…/main.js args` as a real OS process with `env` on top of a clean environment. */
export function spawnLogyard(args: string[], env: Record<string, string>): LogyardProcess {
  const child = spawn(process.execPath, [MAIN_JS, ...args], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}
