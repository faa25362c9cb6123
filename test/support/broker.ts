import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

/** A broker user's permissions on the default vhost, as `rabbitmqctl set_permissions` takes them. */
export interface BrokerPermissions {
  configure: string;
  write: string;
  read: string;
}

/**
 * A user of the machine's broker, so a test can connect with exactly the permissions an operator would
 * grant. Each rabbitmqctl call takes a second or two: a test changes one user's permissions rather than
 * making one user per role.
 */
export class BrokerUser {
  private constructor(
    readonly name: string,
    private readonly password: string,
  ) {}

  static async create(): Promise<BrokerUser> {
    const user = new BrokerUser(`lytest_${randomBytes(4).toString('hex')}`, randomBytes(12).toString('hex'));
    await run('rabbitmqctl', ['-q', 'add_user', user.name, user.password], { timeout: 60_000 });
    return user;
  }

  async grant({ configure, write, read }: BrokerPermissions): Promise<void> {
    await run('rabbitmqctl', ['-q', 'set_permissions', '-p', '/', this.name, configure, write, read], {
      timeout: 60_000,
    });
  }

  /** `url` (the guest's, say) with this user's credentials instead. */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.username = this.name;
    parsed.password = this.password;
    return parsed.toString();
  }

  async delete(): Promise<void> {
    await run('rabbitmqctl', ['-q', 'delete_user', this.name], { timeout: 60_000 });
  }
}
