import amqplib, { Channel, ChannelModel, GetMessage } from 'amqplib';
import { ArchiverModule } from '@logyard/archiver';
import { COUNT_HEADER, REASON_HEADER, topologyNames } from '@logyard/amqp';
import { CollectorModule } from '@logyard/collector';
import { LogRecord } from '@logyard/contracts';
import { metricValue } from '@logyard/observability';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { SseClient } from '../support/sse';

/** What the tutorial's publishers send: plain-text lines under 1-, 2- and 3-word keys. */
const PUBLISHED: [key: string, message: string][] = [
  ['error', 'one-word error'],
  ['warning', 'one-word warning'],
  ['info', 'one-word info'],
  ['test.info', 'test info'],
  ['error.apache', 'apache error'],
  ['checkout.error', 'checkout error'],
  ['checkout.warning', 'checkout warning'],
  ['web-1_prod.checkout.error', 'web checkout error'],
  ['web-1_prod.api.fatal', 'web api fatal'],
  ['db-2.checkout.info', 'db checkout info'],
  ['db-2.pg.debug', 'db pg debug'],
  ['db-2.pg.crit', 'db pg crit'],
];
const EVERY_MESSAGE = PUBLISHED.map(([, message]) => message);
/** Keys with no severity word, two, or too many words: dead letters. */
const REFUSED_KEYS = ['checkout', 'info.error', 'a.b.c.d'];

type Binding = {
  exchange: 'logs' | 'severity' | 'headers' | 'all';
  keys: string[];
  arguments?: object;
  /** More bindings of the same queue, on other exchanges. */
  also?: Binding[];
};

/** Every subscription style, and exactly the messages each must get — each once. */
const SUBSCRIPTIONS: Record<string, Binding & { expected: string[] }> = {
  "topic '*.error' (the card's)": {
    exchange: 'logs',
    keys: ['*.error'],
    expected: ['one-word error', 'apache error', 'checkout error', 'web checkout error'],
  },
  "topic 'checkout.*'": {
    exchange: 'logs',
    keys: ['checkout.*'],
    expected: ['checkout error', 'checkout warning', 'web checkout error', 'db checkout info'],
  },
  'topic, five overlapping patterns': {
    exchange: 'logs',
    keys: ['*.error', '#.error', '*.*.error', 'error', 'checkout.*'],
    expected: [
      'one-word error',
      'apache error',
      'checkout error',
      'web checkout error',
      'checkout warning',
      'db checkout info',
    ],
  },
  "topic 'web-1_prod.#'": {
    exchange: 'logs',
    keys: ['web-1_prod.#'],
    expected: ['web checkout error', 'web api fatal'],
  },
  "topic '#'": { exchange: 'logs', keys: ['#'], expected: EVERY_MESSAGE },
  "direct 'info' 'error' (the tutorial's receive_logs_direct.py info error)": {
    exchange: 'severity',
    keys: ['info', 'error'],
    expected: [
      'one-word error',
      'one-word info',
      'test info',
      'apache error',
      'checkout error',
      'web checkout error',
      'db checkout info',
    ],
  },
  "direct 'warn'": {
    exchange: 'severity',
    keys: ['warn'],
    expected: ['one-word warning', 'checkout warning'],
  },
  'headers x-match all service=checkout severity=error': {
    exchange: 'headers',
    keys: [''],
    arguments: { 'x-match': 'all', service: 'checkout', severity: 'error' },
    expected: ['checkout error', 'web checkout error'],
  },
  'headers x-match any host=web-1_prod severity=fatal': {
    exchange: 'headers',
    keys: [''],
    arguments: { 'x-match': 'any', host: 'web-1_prod', severity: 'fatal' },
    expected: ['web checkout error', 'web api fatal', 'db pg crit'],
  },
  fanout: { exchange: 'all', keys: [''], expected: EVERY_MESSAGE },
  'one queue bound on all four exchanges': {
    exchange: 'logs',
    keys: ['*.error'],
    also: [
      { exchange: 'severity', keys: ['error'] },
      { exchange: 'headers', keys: [''], arguments: { 'x-match': 'any', severity: 'error' } },
      { exchange: 'all', keys: [''] },
    ],
    expected: EVERY_MESSAGE,
  },
};

describe('the tutorial exchanges: topic, direct, headers and fanout subscriptions of 1-, 2- and 3-word keys', () => {
  let sut: IsolatedLogyard;
  let amqp: ChannelModel;
  let channel: Channel;
  const queues = new Map<string, string>();
  const names = () => topologyNames(sut.world.prefix);

  beforeAll(async () => {
    sut = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
    amqp = await amqplib.connect(sut.world.amqpUrl);
    channel = await amqp.createChannel();
    for (const [name, subscription] of Object.entries(SUBSCRIPTIONS)) {
      const { queue } = await channel.assertQueue('', { exclusive: true });
      for (const binding of [subscription, ...(subscription.also ?? [])]) {
        for (const key of binding.keys) {
          await channel.bindQueue(queue, names()[binding.exchange], key, binding.arguments);
        }
      }
      queues.set(name, queue);
    }
    for (const [key, message] of PUBLISHED) channel.publish(names().ingest, key, Buffer.from(message));
    for (const key of REFUSED_KEYS) channel.publish(names().ingest, key, Buffer.from(`refused ${key}`));
    // Routed means confirmed by the broker, so every subscriber queue then holds all it will ever get.
    await waitFor(
      'every record routed',
      async () => (await metricValue(sut.url, 'logyard_records_routed_total')) === PUBLISHED.length,
    );
  });

  afterAll(async () => {
    await amqp?.close();
    await sut?.close();
  });

  const drain = async (queue: string) => {
    const messages: GetMessage[] = [];
    for (let m; (m = await channel.get(queue, { noAck: true }));) messages.push(m);
    return messages;
  };
  const recordsOf = (messages: GetMessage[]) =>
    messages.flatMap((m) => JSON.parse(m.content.toString()) as LogRecord[]);

  it.each(Object.keys(SUBSCRIPTIONS))('%s gets exactly its records, each once', async (name) => {
    const messages = await drain(queues.get(name)!);
    const received = recordsOf(messages).map((record) => record.message);
    expect(received.sort()).toEqual([...SUBSCRIPTIONS[name].expected].sort());
    for (const message of messages) {
      const [host, service, severity] = message.fields.routingKey.split('.');
      // Sender-selected keys are the broker's business: BCC never reaches a subscriber.
      expect(message.properties.headers).toEqual({
        [COUNT_HEADER]: JSON.parse(message.content.toString()).length,
        host,
        service,
        severity,
      });
    }
  });

  it('reads 1- and 2-word keys as the tutorial means them: host unknown', async () => {
    await waitFor('the archive', async () => (await sut.db.scalar('SELECT count(*) FROM logs')) >= 12);
    const rows = await sut.db.rows<{ host: string; service: string; severity: number; message: string }>(
      'SELECT host, service, severity, message FROM logs ORDER BY message',
    );
    expect(
      rows.filter((row) => row.host === 'unknown').map((r) => [r.message, r.service, r.severity]),
    ).toEqual([
      ['apache error', 'apache', 17],
      ['checkout error', 'checkout', 17],
      ['checkout warning', 'checkout', 13],
      ['one-word error', 'unknown', 17],
      ['one-word info', 'unknown', 9],
      ['one-word warning', 'unknown', 13],
      ['test info', 'test', 9],
    ]);
  });

  it('archives each record exactly once, whatever the subscribers bind', async () => {
    await waitFor('the archive', async () => (await sut.db.scalar('SELECT count(*) FROM logs')) >= 12);
    const rows = await sut.db.rows<{ message: string; n: number }>(
      'SELECT message, count(*)::int AS n FROM logs GROUP BY message ORDER BY message',
    );
    expect(rows).toEqual([...EVERY_MESSAGE].sort().map((message) => ({ message, n: 1 })));
  });

  it('dead-letters keys with no severity word, two, or too many words, naming the accepted shapes', async () => {
    await waitFor(
      'three dead letters',
      async () => (await channel.checkQueue(names().deadQueue)).messageCount === REFUSED_KEYS.length,
    );
    const letters = await drain(names().deadQueue);
    expect(
      letters.map((m) => [m.fields.routingKey, String(m.properties.headers?.[REASON_HEADER])]).sort(),
    ).toEqual([
      ['a.b.c.d', expect.stringContaining('must be host.service.severity, service.severity or severity')],
      [
        'checkout',
        expect.stringContaining(
          'has no severity word; use host.service.severity, service.severity or severity',
        ),
      ],
      [
        'info.error',
        expect.stringContaining(
          'has two severity words; use host.service.severity, service.severity or severity',
        ),
      ],
    ]);
  });

  it("streams the card's '*.error' on GET /tail, each record once", async () => {
    const client = await SseClient.open(`${sut.url}/tail?pattern=*.error&pattern=%23.error`);
    try {
      expect(client.status).toBe(200);
      await client.waitFor('event: subscribed', (c) => c.messages('subscribed').length > 0);
      const errors = ['error', 'api.error', 'web-9.api.error'];
      for (const key of errors) channel.publish(names().ingest, key, Buffer.from(`tail ${key}`));
      channel.publish(names().ingest, 'web-9.api.info', Buffer.from('tail info'));
      // The marker goes last: once it arrives, everything published before it has been delivered.
      channel.publish(names().ingest, 'marker.error', Buffer.from('tail marker'));
      await client.waitFor('the marker', (c) => c.records.some((r) => r.message === 'tail marker'));
      expect(client.records.map((r) => r.message).sort()).toEqual(
        ['tail error', 'tail api.error', 'tail web-9.api.error', 'tail marker'].sort(),
      );
    } finally {
      await client.close();
    }
  });
});
