import amqplib, { ChannelModel } from 'amqplib';
import { ArchiverModule } from '@logyard/archiver';
import { buildTopology } from '@logyard/amqp';
import { CollectorModule } from '@logyard/collector';
import { encodeBatch } from '@logyard/contracts';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { makeOutgoingRecords, RetryingSender } from '../support/retrying-sender';

const DELIVERY_LIMIT = 2;

describe('QUEUE_TYPE=quorum', () => {
  let logyard: IsolatedLogyard;
  let amqp: ChannelModel;

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule], {
      QUEUE_TYPE: 'quorum',
      DELIVERY_LIMIT: String(DELIVERY_LIMIT),
    });
    amqp = await amqplib.connect(logyard.world.amqpUrl);
  });
  afterAll(async () => {
    await amqp?.close();
    await logyard?.close();
  });

  it('declares every durable queue as a quorum queue with the delivery limit', async () => {
    const topology = buildTopology(logyard.world.prefix, 'quorum', DELIVERY_LIMIT);
    // The broker accepts a redeclaration only with equivalent arguments: each one is proven as declared.
    const channel = await amqp.createChannel();
    for (const queue of topology.queues) {
      await expect(
        channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments }),
      ).resolves.toEqual(expect.objectContaining({ queue: queue.name }));
    }
    await channel.close();
  });

  it('stores every accepted record exactly once', async () => {
    const records = makeOutgoingRecords(500, 'quorum');
    await new RetryingSender(() => logyard.url, records, { chunk: 100 }).run();
    const ids = records.map((record) => record.id);
    await expect(
      waitFor(
        'every record stored',
        async () =>
          (await logyard.db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [ids])) ===
          records.length,
      ),
    ).resolves.toBe(true);
  });

  it('dead-letters a message whose consumers crash, once its deliveries pass the limit', async () => {
    // A queue of the topology no Logyard process consumes, so only the crashing consumer below sees it.
    const queue = `${logyard.world.prefix}.poison`;
    const names = buildTopology(logyard.world.prefix, 'quorum', DELIVERY_LIMIT).names;
    const setup = await amqp.createConfirmChannel();
    await setup.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': names.dead,
        'x-delivery-limit': DELIVERY_LIMIT,
      },
    });
    setup.sendToQueue(queue, encodeBatch([]), { messageId: 'poison', persistent: true });
    await setup.waitForConfirms();

    // What the broker sees of a process that crashes on a message: its connection goes with the delivery unacked.
    const deliveries: number[] = [];
    await waitFor('the message gone from its queue', async () => {
      const crashing = await amqplib.connect(logyard.world.amqpUrl);
      const channel = await crashing.createChannel();
      const message = await channel.get(queue, { noAck: false });
      await crashing.close();
      if (message) deliveries.push(Number(message.properties.headers?.['x-delivery-count'] ?? 0));
      return message === false;
    });
    expect(deliveries).toEqual([0, 1, 2]);

    const dead = await waitFor('the message in the dead queue', async () => {
      const message = await setup.get(names.deadQueue, { noAck: true });
      return message && message.properties.messageId === 'poison' ? message : undefined;
    });
    expect(dead.properties.headers?.['x-first-death-reason']).toBe('delivery_limit');
    await setup.deleteQueue(queue);
    await setup.close();
  });
});
