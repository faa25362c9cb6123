import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { LogPage as Page } from '@logyard/contracts';
import { RouterModule } from '@logyard/router';
import { LogyardLogger } from '@logyard/sdk';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { BrokerPermissions, BrokerUser } from '../support/broker';
import { runCli, spawnCli } from '../support/cli';
import { request } from '../support/http';

/**
 * SECURITY.md's table of broker users, its `logyard\.` names moved to `prefix`: the permissions an operator
 * copies from the docs, by the row's first words.
 */
function documentedPermissions(prefix: string): Map<string, BrokerPermissions> {
  const security = readFileSync(join(__dirname, '../../SECURITY.md'), 'utf8');
  const rows = new Map<string, BrokerPermissions>();
  for (const [, who, ...cells] of security.matchAll(
    /^\s*\| (an? [^|]+?) +\| `([^`]+)` +\| `([^`]+)` +\| `([^`]+)` +\|$/gm,
  )) {
    const [configure, write, read] = cells.map((cell) =>
      cell.replaceAll('\\|', '|').replaceAll('logyard\\.', `${prefix}\\.`),
    );
    rows.set(who.split(' (')[0], { configure, write, read });
  }
  return rows;
}

describe('broker users with the permissions SECURITY.md grants them', () => {
  let logyard: IsolatedLogyard;
  let user: BrokerUser;
  let permissions: Map<string, BrokerPermissions>;
  /** The CLI's environment, connecting as `user`. */
  let env: Record<string, string>;

  const grant = (who: string) => {
    const granted = permissions.get(who);
    if (!granted) throw new Error(`SECURITY.md has no row for ${who}`);
    return user.grant(granted);
  };

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
    user = await BrokerUser.create();
    permissions = documentedPermissions(logyard.world.prefix);
    env = { ...logyard.world.env, AMQP_URL: user.url(logyard.world.amqpUrl) };
  });

  afterAll(async () => {
    await user?.delete();
    await logyard?.close();
  });

  it('lets an outside publisher ship through the SDK and `logyard send`', async () => {
    await grant('an outside publisher');
    const logger = new LogyardLogger({
      service: 'restricted-sdk',
      url: user.url(logyard.world.amqpUrl),
      prefix: logyard.world.prefix,
      console: false,
    });
    try {
      logger.error('shipped by a user without configure permission', 'PermissionsTest');
      await waitFor('the SDK record archived', async () => {
        const rows = await logyard.db.rows(`SELECT 1 FROM logs WHERE service = 'restricted-sdk'`);
        return rows.length === 1;
      });
      expect(logger.stats()).toMatchObject({ published: 1, dropped: 0 });
    } finally {
      await logger.close(1_000);
    }

    const sent = await runCli(['send', 'restricted.cli.warn', 'sent', 'by', 'a', 'publisher'], env);
    expect(sent).toMatchObject({ code: 0, stderr: '' });
  });

  it('lets an outside subscriber tail, and an RPC client query', async () => {
    await grant('an outside subscriber');
    const tail = spawnCli(['tail', 'subscribed.#'], env);
    try {
      await waitFor('the tail to subscribe', () => tail.stderr().includes('Ctrl-C to stop'), {
        timeoutMs: 10_000,
      });
      const ingested = await request(`${logyard.url}/ingest`, {
        body: { host: 'subscribed', service: 'api', severity: 'error', message: 'seen by a subscriber' },
      });
      expect(ingested.status).toBe(202);
      await waitFor('the tailed line', () => tail.stdout().includes('seen by a subscriber'));
    } finally {
      tail.child.kill('SIGINT');
    }
    await expect(tail.exited).resolves.toBe(0);

    await grant('an RPC client');
    const query = await waitFor('the record found over the RPC', async () => {
      const run = await runCli(['query', '--via', 'amqp', '--host', 'subscribed', '--json'], env);
      return run.code === 0 && (JSON.parse(run.stdout) as Page).items.length === 1 && run;
    });
    expect((JSON.parse(query.stdout) as Page).items[0]).toMatchObject({ message: 'seen by a subscriber' });
  });
});
