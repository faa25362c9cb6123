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

/** The channel (its Erlang pid) of each consumer of `queue`, from `rabbitmqctl list_consumers`. */
export async function consumerChannels(queue: string): Promise<string[]> {
  const { stdout } = await run(
    'rabbitmqctl',
    ['-q', 'list_consumers', 'queue_name', 'channel_pid', '--no-table-headers'],
    { timeout: 60_000 },
  );
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([name, channel]) => name === queue && channel)
    .map(([, channel]) => channel);
}

/** Messages in `queue`, ready or delivered and not yet acked, from `rabbitmqctl list_queues`. */
export async function queueMessages(queue: string): Promise<number | undefined> {
  const { stdout } = await run(
    'rabbitmqctl',
    ['-q', 'list_queues', 'name', 'messages', '--no-table-headers'],
    {
      timeout: 60_000,
    },
  );
  const line = stdout.split('\n').find((row) => row.split('\t')[0] === queue);
  return line === undefined ? undefined : Number(line.split('\t')[1]);
}
