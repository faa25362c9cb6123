import amqplib, { ChannelModel } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { ArchiverModule } from '@logyard/archiver';
import { COUNT_HEADER, TAIL_QUEUE_MAX_MESSAGES, topologyNames } from '@logyard/amqp';
import { CollectorModule } from '@logyard/collector';
import { encodeBatch, LogRecord, makeRecord, routingKey, Severity } from '@logyard/contracts';
import { RouterModule, TailAmqpConnection } from '@logyard/router';
import {
  createTestEnvironment,
  RunningLogyard,
  startLogyard,
  TestEnvironment,
  waitFor,
} from '@logyard/testing';
import { closeConnection, queueOwners } from '../support/broker';
import { metricValue } from '@logyard/observability';
import { request } from '../support/http';
import { SseClient } from '../support/sse';

interface Subscription {
  patterns: string[];
  queue: string;
  maxLength: number;
}

const subscriptions = (client: SseClient) =>
  client.messages('subscribed').map((data) => JSON.parse(data) as Subscription);
const subscribed = (client: SseClient) => client.waitFor('event: subscribed', (c) => subscriptions(c)[0]);
const droppedSum = (client: SseClient) =>
  client
    .messages('dropped')
    .reduce((sum, data) => sum + (JSON.parse(data) as { dropped: number }).dropped, 0);

describe('live tail: GET /tail', () => {
  let world: TestEnvironment;
  let sut: RunningLogyard;
  let amqp: ChannelModel;
  /** Open from the start on a pattern nothing matches: sees heartbeats, never a record. */
  let quiet: SseClient;
  const clients: SseClient[] = [];
  const tag = randomBytes(4).toString('hex');

  const tailUrl = (...patterns: string[]) =>
    `${sut.url}/tail?${patterns.map((p) => `pattern=${encodeURIComponent(p)}`).join('&')}`;
  const tail = async (...patterns: string[]) => {
    const client = await SseClient.open(tailUrl(...patterns));
    clients.push(client);
    expect(client.status).toBe(200);
    await subscribed(client);
    return client;
  };
  /** Whether a queue exists, asked from a connection of our own: exclusive queues answer 405 to others. */
  const queueExists = async (queue: string) => {
    const channel = await amqp.createChannel();
    channel.on('error', () => undefined);
    try {
      await channel.checkQueue(queue);
      await channel.close();
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 405) return true;
      if ((error as { code?: number }).code === 404) return false;
      throw error;
    }
  };

  beforeAll(async () => {
    world = createTestEnvironment();
    sut = await startLogyard([CollectorModule, RouterModule], world.env);
    amqp = await amqplib.connect(world.amqpUrl);
    quiet = await tail(`quiet-${tag}.#`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await sut?.close();
    await amqp?.close();
    await world?.dispose();
  });

  it('streams exactly the records matching either pattern, as SSE data lines of LogRecord JSON', async () => {
    const client = await tail('*.*.error', 'web-1_prod.#');
    expect(client.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(subscriptions(client)).toEqual([
      {
        patterns: ['*.*.error', 'web-1_prod.#'],
        queue: expect.stringMatching(/^amq\.gen-/),
        maxLength: 10_000,
      },
    ]);

    const sent = ['Web-1.prod', 'db-2', 'cache-3'].flatMap((host) =>
      (['debug', 'info', 'warn', 'error', 'fatal'] as Severity[]).flatMap((severity) =>
        [1, 2].map((n) =>
          makeRecord({ host, service: `svc-${tag}`, severity, message: `${host} ${severity} ${n}` }),
        ),
      ),
    );
    const matching = sent.filter((r) => r.severity === 'error' || routingKey(r).startsWith('web-1_prod.'));
    expect(matching).toHaveLength(14);
    await expect(request(`${sut.url}/ingest`, { body: sent })).resolves.toMatchObject({ status: 202 });
    await client.waitFor('the 14 matching records', (c) => c.records.length >= 14);

    // Everything of the first request sits ahead of the marker in the router's queue, so the router has
    // published all of it before the marker: a wrongly delivered record would have arrived before it.
    const marker = makeRecord({
      host: 'marker',
      service: `svc-${tag}`,
      severity: 'error',
      message: 'marker',
    });
    await expect(request(`${sut.url}/ingest`, { body: marker })).resolves.toMatchObject({ status: 202 });
    await client.waitFor('the marker', (c) => c.records.some((r) => r.id === marker.id));

    const comparable = (r: LogRecord) => ({
      id: r.id,
      host: r.host,
      severity: r.severity,
      message: r.message,
    });
    expect(client.records.map(comparable)).toEqual(
      expect.arrayContaining([...matching, marker].map(comparable)),
    );
    expect(client.records).toHaveLength(15);
    expect(client.records.at(-1)).toEqual(marker);
    expect(client.messages('dropped')).toEqual([]);
  });

  it("refuses a pattern that can never match with 400 and validatePattern's hint", async () => {
    await expect(request(tailUrl('*.*.error', '*..error'))).resolves.toMatchObject({
      status: 400,
      body: {
        statusCode: 400,
        field: 'pattern',
        message: `pattern "*..error" has an empty word; separate words with single dots, e.g. '*.error'; did you mean '*.error'?`,
      },
    });
    await expect(request(`${sut.url}/tail`)).resolves.toMatchObject({
      status: 400,
      body: { field: 'pattern' },
    });
    await expect(request(`${sut.url}/tail?patern=%23`)).resolves.toMatchObject({
      status: 400,
      body: { field: 'patern' },
    });
  });

  it('sheds the oldest records for a reader that stopped reading, keeps its queue bounded, and reports every one it shed', async () => {
    const host = `shed-${tag}`;
    const reader = await tail(`${host}.#`);
    const { queue } = subscriptions(reader)[0];
    reader.pause();

    // The queue is exclusive to the app's tail connection; only a channel on that connection may inspect it.
    const probe = sut.app.get(TailAmqpConnection).createChannel('probe', false);
    await probe.waitForConnect();
    let deepest = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        deepest = Math.max(deepest, (await probe.checkQueue(queue)).messageCount);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    // 20,000 two-record messages of ~1 KB records: far more than socket buffers and the queue bound hold.
    const messages = 20_000;
    const publisher = await amqp.createConfirmChannel();
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < messages; i++) {
      const records = [0, 1].map((n) =>
        makeRecord({ host, service: 'flood', message: `${i}.${n} ${filler}` }),
      );
      publisher.publish(topologyNames(world.prefix).logs, `${host}.flood.info`, encodeBatch(records), {
        headers: { [COUNT_HEADER]: 2 },
      });
      if (i % 500 === 499) await publisher.waitForConfirms();
    }
    await publisher.waitForConfirms();
    await publisher.close();
    // The reader is asleep, so the broker is holding all it may and shedding the rest.
    await waitFor(
      'a full tail queue',
      async () => (await probe.checkQueue(queue)).messageCount === TAIL_QUEUE_MAX_MESSAGES,
    );
    sampling = false;
    await sampler;
    await probe.close();
    expect(deepest).toBe(TAIL_QUEUE_MAX_MESSAGES);

    reader.resume();
    const total = messages * 2;
    await reader.waitFor(
      'every record delivered or reported dropped',
      (c) => c.records.length + droppedSum(c) === total,
      60_000,
    );
    const dropped = droppedSum(reader);
    // At least the queue's 10,000 messages arrive after the reader wakes up; more than a socket's worth is shed.
    expect(reader.records.length).toBeGreaterThanOrEqual(TAIL_QUEUE_MAX_MESSAGES * 2);
    expect(dropped).toBeGreaterThan(5_000);
    expect(new Set(reader.records.map((r) => r.id)).size).toBe(reader.records.length);
    for (const data of reader.messages('dropped')) expect(data).toMatch(/^\{"dropped":\d+\}$/);
    await expect(metricValue(sut.url, 'logyard_tail_records_dropped_total')).resolves.toBe(dropped);
  });

  it("deletes a closed client's queues at once", async () => {
    const client = await tail(`gone-${tag}.#`);
    const { queue } = subscriptions(client)[0];
    const before = await queueOwners();
    const owner = before.get(queue)!;
    const owned = (owners: Map<string, string>) =>
      [...owners].filter(([, pid]) => pid === owner).map(([name]) => name);
    expect(owned(before)).toContain(queue);

    await client.close();
    await waitFor('the tail queue to go', async () => !(await queueExists(queue)), { timeoutMs: 5_000 });
    // Its drop queue went with it: the app's connection holds exactly two queues fewer.
    const after = owned(await queueOwners());
    expect(owned(before).filter((name) => !after.includes(name))).toHaveLength(2);
  });

  it('sends a heartbeat comment on a quiet stream', async () => {
    await quiet.waitFor(
      'a heartbeat',
      (c) => c.items.some((item) => 'comment' in item && item.comment === 'heartbeat'),
      20_000,
    );
    expect(quiet.records).toEqual([]);
  });

  it('resubscribes on a fresh queue when the broker connection is lost, and keeps streaming', async () => {
    const host = `again-${tag}`;
    const client = await tail(`${host}.#`);
    const first = subscriptions(client)[0];
    const owner = (await queueOwners()).get(first.queue)!;

    await closeConnection(owner, 'logyard tail e2e: simulated connection loss');
    const second = await client.waitFor('a second event: subscribed', (c) => subscriptions(c)[1]);
    expect(second.patterns).toEqual(first.patterns);
    expect(second.queue).not.toBe(first.queue);
    expect(client.items).toContainEqual({
      comment: 'lost the connection to RabbitMQ; resubscribing once it is back',
    });

    const record = makeRecord({ host, message: 'after the reconnect' });
    await waitFor(
      'the collector to accept again',
      async () => (await request(`${sut.url}/ingest`, { body: record })).status === 202,
    );
    await client.waitFor('the record sent after the reconnect', (c) =>
      c.records.find((r) => r.id === record.id),
    );
    expect(client.ended).toBe(false);
  });
});

describe('live tail behind QUERY_TOKENS', () => {
  let world: TestEnvironment;
  let sut: RunningLogyard;
  let closed = false;
  const url = () => `${sut.url}/tail?pattern=${encodeURIComponent('#')}`;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    world = createTestEnvironment({
      QUERY_TOKENS: 'query-1-0123456789abcdef,query-2-0123456789abcdef',
      INGEST_TOKENS: 'ingest-1-0123456789abcdef',
    });
    sut = await startLogyard([CollectorModule, RouterModule, ArchiverModule], world.env);
  });

  afterAll(async () => {
    if (!closed) await sut?.close();
    await world?.dispose();
  });

  it('answers 401 without a token, or with a token of the other kind', async () => {
    for (const headers of [{}, bearer('ingest-1-0123456789abcdef'), bearer('query-3-0123456789abcdef')]) {
      const client = await SseClient.open(url(), { headers });
      expect({ headers, status: client.status }).toEqual({ headers, status: 401 });
    }
  });

  it('streams to a query token, and guards ingest and the query API with their own tokens', async () => {
    const client = await SseClient.open(url(), { headers: bearer('query-2-0123456789abcdef') });
    expect(client.status).toBe(200);
    await subscribed(client);

    const record = makeRecord({ host: 'guarded', severity: 'warn' });
    for (const headers of [{}, bearer('query-1-0123456789abcdef')]) {
      await expect(request(`${sut.url}/ingest`, { body: record, headers })).resolves.toMatchObject({
        status: 401,
      });
    }
    await expect(
      request(`${sut.url}/ingest`, { body: record, headers: bearer('ingest-1-0123456789abcdef') }),
    ).resolves.toMatchObject({
      status: 202,
    });
    await client.waitFor('the record', (c) => c.records.find((r) => r.id === record.id));

    await expect(
      request(`${sut.url}/api/logs`, { headers: bearer('ingest-1-0123456789abcdef') }),
    ).resolves.toMatchObject({
      status: 401,
    });
    await expect(
      request(`${sut.url}/api/logs`, { headers: bearer('query-1-0123456789abcdef') }),
    ).resolves.toMatchObject({
      status: 200,
    });
    await expect(request(`${sut.url}/api/logs/${record.id}`)).resolves.toMatchObject({ status: 401 });

    // Shutting down ends open streams with a last comment and a clean end, not a reset.
    closed = true;
    await sut.close();
    await client.waitFor('the end of the stream', (c) => c.ended);
    expect(client.items.at(-1)).toEqual({ comment: 'tail ended: Logyard is shutting down' });
  });
});
