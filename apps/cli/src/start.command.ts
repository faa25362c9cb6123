import { spawn } from 'node:child_process';
import { SERVICE_NODE_FLAGS, Target } from '@logyard/config/env';

/**
 * The service's entry, resolved the way Node resolves any module: through the
 * `imports` map of package.json, the one place naming the built entry point
 * (docs/design.md §9). The CLI never imports the service's code — its own
 * import graph stays free of NestJS — and runs it in a child process because
 * the service's V8 flags take effect only at a process's start.
 */
export const SERVICE_ENTRY = '#logyard/service';

/**
 * `logyard start [--target …]`: runs the service in a child process with this
 * environment and terminal, passes SIGINT/SIGTERM on so it drains, and
 * resolves with its exit code.
 */
export function startService(target: Target): Promise<number> {
  let main: string;
  try {
    main = require.resolve(SERVICE_ENTRY);
  } catch (error) {
    process.stderr.write(
      `logyard: cannot find the service (${SERVICE_ENTRY}): ${(error as Error).message}\n`,
    );
    return Promise.resolve(1);
  }
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, main, '--target', target], {
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`logyard: cannot run ${main}: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
