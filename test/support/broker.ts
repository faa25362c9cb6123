import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The connection (its Erlang pid) that owns each exclusive queue, from
 * `rabbitmqctl list_queues`: how a test finds which queues one app's
 * connection holds. Slow (a second or two): for a few checks only.
 */
export async function queueOwners(): Promise<Map<string, string>> {
  const { stdout } = await run(
    'rabbitmqctl',
    ['-q', 'list_queues', 'name', 'owner_pid', '--no-table-headers'],
    {
      timeout: 60_000,
    },
  );
  const owners = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, owner] = line.split('\t');
    if (name && owner) owners.set(name, owner);
  }
  return owners;
}

/**
 * Closes one client connection on the broker, as a network failure or a
 * broker restart would, leaving RabbitMQ itself and every other client alone.
 */
export async function closeConnection(pid: string, reason: string): Promise<void> {
  await run('rabbitmqctl', ['-q', 'close_connection', pid, reason], { timeout: 60_000 });
}
