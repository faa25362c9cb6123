import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { watchProcess, WatchedProcess } from './processes';

/** The `logyard` bin of the package, which runs the build (`npm test` builds first). */
export const CLI_JS = join(__dirname, '../../bin/logyard.js');

/** Starts `logyard args…` as a real OS process with `env` on top of a clean environment. */
export function spawnCli(args: string[], env: Record<string, string>): WatchedProcess {
  return watchProcess(
    spawn(process.execPath, [CLI_JS, ...args], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Runs `logyard args…` to completion (killed past `timeoutMs`) and returns its exit code and output. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const sut = spawnCli(args, env);
  const timer = setTimeout(() => sut.child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await sut.exited;
    return { code, stdout: sut.stdout(), stderr: sut.stderr() };
  } finally {
    clearTimeout(timer);
  }
}
