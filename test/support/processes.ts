import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '@logyard/config';

/** The built all-in-one entry point (`npm test` builds first). */
export const MAIN_JS = join(__dirname, '../../dist/apps/logyard/src/main.js');

/** A child process, what it has written so far, and its exit code to come. */
export interface WatchedProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Both streams, interleaved as they arrived. */
  output: () => string;
  /** The exit code once the process has ended and its output is read to the end; null when a signal ended it. */
  exited: Promise<number | null>;
}

/** Collects a spawned process's output from its start, so a failing test can show what it said. */
export function watchProcess(child: ChildProcess): WatchedProcess {
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), (output += chunk.toString())));
  child.stderr?.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), (output += chunk.toString())));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, output: () => output, exited };
}

/** Starts `node dist/…/main.js args` as a real OS process with `env` on top of a clean environment. */
export function spawnLogyard(args: string[], env: Record<string, string>): WatchedProcess {
  return watchProcess(
    spawn(process.execPath, [...SERVICE_NODE_FLAGS, MAIN_JS, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Spawns a role on `port` and resolves once it reports ready. */
export async function startLogyardProcess(
  target: 'all' | 'collector' | 'router' | 'archiver',
  env: Record<string, string>,
  port: number,
): Promise<WatchedProcess & { url: string }> {
  const sut = spawnLogyard(['--target', target], { ...env, PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await fetch(`${url}/health/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return { ...sut, url };
    if (sut.child.exitCode !== null || Date.now() > deadline) {
      sut.child.kill('SIGKILL');
      throw new Error(`${target} did not become ready on ${port}:\n${sut.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM and wait for the drain; SIGKILL if it outlives the deadline. */
export async function stopLogyardProcess(sut: WatchedProcess): Promise<number | null> {
  if (sut.child.exitCode !== null || sut.child.signalCode !== null) return sut.child.exitCode;
  sut.child.kill('SIGTERM');
  const timer = setTimeout(() => sut.child.kill('SIGKILL'), 15_000);
  try {
    return await sut.exited;
  } finally {
    clearTimeout(timer);
  }
}
