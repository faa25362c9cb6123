import amqplib from 'amqplib';
import { topologyNames } from '@logyard/amqp';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { request } from '../support/http';
import { makeOutgoingRecords, RetryingSender } from '../support/retrying-sender';
import { SwitchableProxy } from '../support/switchable-proxy';

/**
 * AMQP_URL as a list: two proxies stand for two nodes of a cluster (both lead
 * to the machine's one broker). Cutting each in turn takes away whichever node
 * the process is connected to, at least once, while records stream in.
 */
describe('AMQP_URL with several nodes', () => {
  let nodes: SwitchableProxy[] = [];
  let logyard: IsolatedLogyard | undefined;

  afterEach(async () => {
    await logyard?.close();
    await Promise.all(nodes.map((node) => node.close()));
  });

  it('fails over to the next node without losing or duplicating an accepted record', async () => {
    nodes = await Promise.all([0, 1].map(() => SwitchableProxy.start({ host: '127.0.0.1', port: 5672 })));
    nodes.forEach((node) => node.forward());
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule], {
      AMQP_URL: nodes.map((node) => `amqp://guest:guest@127.0.0.1:${node.port}`).join(','),
    });
    const { url, db } = logyard;
    const records = makeOutgoingRecords(3000, 'failover');
    const sender = new RetryingSender(() => url, records, { chunk: 100, holdAfter: 1000 });
    const sending = sender.run();
    const ready = () =>
      waitFor('ready on the other node', async () => (await request(`${url}/health/ready`)).status === 200, {
        timeoutMs: 20_000,
      });

    await waitFor('a third of the records accepted', () => sender.accepted >= 1000);
    nodes[0].refuse();
    await ready();
    nodes[0].forward();
    nodes[1].refuse();
    await ready();
    sender.release();
    await sending;

    const ids = records.map((record) => record.id);
    const count = () => db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [ids]);
    await waitFor('every accepted record stored', async () => (await count()) === records.length, {
      timeoutMs: 60_000,
    });
    // Stored once each: ids are the primary key's, so a duplicate would be a second row of one id.
    await expect(
      db.scalar('SELECT count(*) - count(DISTINCT id) FROM logs WHERE id = ANY($1::uuid[])', [ids]),
    ).resolves.toBe(0);
  });

  // amqp-connection-manager reopens a channel only on a new connection: the publisher's channel, closed by
  // the broker over a publish to a missing exchange, stayed closed, and every later /ingest answered 503.
  it('reconnects when the broker closes a channel over a fault: the logs exchange deleted mid-stream', async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
    const { url, db, world } = logyard;
    const records = makeOutgoingRecords(3000, 'channel-fault');
    const sender = new RetryingSender(() => url, records, { chunk: 100, holdAfter: 1000 });
    const sending = sender.run();

    await waitFor('a third of the records accepted', () => sender.accepted >= 1000);
    const admin = await amqplib.connect(world.amqpUrl);
    try {
      const channel = await admin.createChannel();
      await channel.deleteExchange(topologyNames(world.prefix).logs);
    } finally {
      await admin.close();
    }
    sender.release();
    await sending;

    const ids = records.map((record) => record.id);
    await waitFor(
      'every accepted record stored',
      async () =>
        (await db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [ids])) === records.length,
      { timeoutMs: 60_000 },
    );
    expect(sender.refusals).toBeGreaterThan(0);
  });
});
