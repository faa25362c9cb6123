import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS, Target } from '@logyard/config';

/**
 * The built service. The CLI never imports the apps (libs do not depend on
 * apps); it runs the same entry point `npm start` runs, from the same build:
 * this file is dist/libs/cli/src/start.command.js.
 */
const SERVICE_MAIN = join(__dirname, '..', '..', '..', 'apps', 'logyard', 'src', 'main.js');

/**
 * `logyard start [--target …]`: runs the service in a child process with this
 * environment and terminal, passes SIGINT/SIGTERM on so it drains, and
 * resolves with its exit code.
 */
export function startService(target: Target): Promise<number> {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, SERVICE_MAIN, '--target', target], {
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`logyard: cannot run ${SERVICE_MAIN}: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
