import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Stops and starts the machine's RabbitMQ node application (the Erlang VM keeps running). */
export async function rabbitmqctl(command: 'stop_app' | 'start_app'): Promise<void> {
  await run('rabbitmqctl', ['-q', command], { timeout: 120_000 });
}

const PG_VERSION = readdirSync('/etc/postgresql')[0];

export async function pgCluster(command: 'stop' | 'start' | 'restart'): Promise<void> {
  await run(
    'pg_ctlcluster',
    [
      '--skip-systemctl-redirect',
      PG_VERSION,
      'main',
      command,
      ...(command === 'start' ? [] : ['--mode=fast']),
    ],
    {
      timeout: 120_000,
    },
  );
}
