import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A broker user's permissions on the default vhost, as `rabbitmqctl set_permissions` takes them. */
export interface BrokerPermissions {
  configure: string;
  write: string;
  read: string;
}

/**
 * A RabbitMQ user of the machine's broker, made with rabbitmqctl (root on the broker's host, as CI is), so a
 * test can connect with exactly the permissions an operator would grant. Each rabbitmqctl call boots an
 * Erlang node for about 2 s: a test changes one user's permissions rather than making one user per role.
 */
export class BrokerUser {
  private constructor(
    readonly name: string,
    private readonly password: string,
  ) {}

  static async create(): Promise<BrokerUser> {
    const user = new BrokerUser(`lytest_${randomBytes(4).toString('hex')}`, randomBytes(12).toString('hex'));
    await rabbitmqctl('add_user', user.name, user.password);
    return user;
  }

  async grant({ configure, write, read }: BrokerPermissions): Promise<void> {
    await rabbitmqctl('set_permissions', '-p', '/', this.name, configure, write, read);
  }

  /** `url` (the guest's, say) with this user's credentials instead. */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.username = this.name;
    parsed.password = this.password;
    return parsed.toString();
  }

  async delete(): Promise<void> {
    await rabbitmqctl('delete_user', this.name);
  }
}

async function rabbitmqctl(...args: string[]): Promise<void> {
  // rabbitmqctl lives in /usr/sbin, which a non-login shell's PATH may lack.
  await run('rabbitmqctl', ['--quiet', ...args], {
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
    timeout: 60_000,
  });
}
