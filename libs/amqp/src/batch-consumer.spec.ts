import type { Channel, ConsumeMessage } from 'amqplib';
import { DecodedMessage, LogRecord, makeRecord, tryEncodeBatch } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { AmqpConnection } from './amqp-connection';
import { BatchConsumer, BatchConsumerOptions, WriteOutcome, WRITTEN } from './batch-consumer';
import { BrokerUnavailableError } from './confirm-publisher';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';

/** One fake channel per queue: hands deliveries to the consumer and records acks. */
class FakeBroker {
  readonly acked: ConsumeMessage[] = [];
  private readonly consumers: ((message: ConsumeMessage) => void)[] = [];
  private tag = 0;

  readonly connection = {
    createChannel: (_name: string, _confirm: boolean, setup: (channel: Channel) => Promise<void>) => {
      const ready = setup(this.channel());
      return { waitForConnect: () => ready, close: async () => undefined };
    },
  } as unknown as AmqpConnection;

  deliver(records: Pick<LogRecord, 'id'>[]): ConsumeMessage {
    const message = {
      content: Buffer.from(JSON.stringify(records)),
      fields: { routingKey: 'h.s.info', deliveryTag: ++this.tag },
      properties: {},
    } as unknown as ConsumeMessage;
    for (const consume of this.consumers) consume(message);
    return message;
  }

  private channel(): Channel {
    return {
      prefetch: async () => undefined,
      consume: async (_queue: string, onMessage: (message: ConsumeMessage) => void) => {
        this.consumers.push(onMessage);
        return { consumerTag: 'tag' };
      },
      cancel: async () => undefined,
      ack: (message: ConsumeMessage) => this.acked.push(message),
    } as unknown as Channel;
  }
}

class FakeDeadLetters {
  readonly letters: DeadLetter[] = [];
  away = false;
  /** Reasons whose first letter the broker fails to confirm, as when it goes away mid-publish. */
  readonly failOnce = new Set<string>();

  async publish(letter: DeadLetter): Promise<void> {
    if (this.away) throw new BrokerUnavailableError('not connected');
    if (this.failOnce.delete(letter.reason)) throw new BrokerUnavailableError('connection closed');
    this.letters.push(letter);
  }
}

/** Records travel through the fake queue as their ids; decode finds them again. */
function setUp(write: BatchConsumerOptions['write'], known: LogRecord[]) {
  const broker = new FakeBroker();
  const deadLetters = new FakeDeadLetters();
  const byId = new Map(known.map((record) => [record.id, record]));
  const decode = (message: ConsumeMessage): DecodedMessage => ({
    records: (JSON.parse(message.content.toString()) as LogRecord[]).map((record) => byId.get(record.id)!),
    rejects: [],
  });
  const sut = new BatchConsumer(
    broker.connection,
    deadLetters as unknown as DeadLetterPublisher,
    new MetricsService(),
    { stage: 'router', queues: ['q'], prefetch: 10, maxRecords: 100, lingerMs: 1, decode, write },
  );
  return { sut, broker, deadLetters };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe(BatchConsumer.name, () => {
  /** The router's sink of finding 2: encoding the batch throws for one record nested 20,000 deep. */
  function deep(): LogRecord {
    let attributes: Record<string, unknown> = {};
    for (let level = 0; level < 20_000; level++) attributes = { a: attributes };
    return makeRecord({ attributes });
  }

  it('dead-letters a record the sink refuses exactly once, with its reason, and writes the rest once', async () => {
    const poison = deep();
    const good = Array.from({ length: 9 }, () => makeRecord());
    const written: LogRecord[] = [];
    const write = async (records: LogRecord[]): Promise<WriteOutcome> => {
      const body = tryEncodeBatch(records);
      if (!body.ok) return { kind: 'refused', reason: body.error };
      written.push(...records);
      return WRITTEN;
    };
    const { sut, broker, deadLetters } = setUp(write, [poison, ...good]);
    await sut.start();

    const shallow = (record: LogRecord) => ({ id: record.id });
    const messages = [
      broker.deliver(good.slice(0, 4).map(shallow)),
      broker.deliver([poison, ...good.slice(4, 6)].map(shallow)),
      broker.deliver(good.slice(6).map(shallow)),
    ];
    await until(() => broker.acked.length === messages.length, 'every delivery acked');

    expect(deadLetters.letters).toHaveLength(1);
    expect(deadLetters.letters[0]).toMatchObject({
      reason: expect.stringMatching(/^router refused: records cannot be serialised as JSON: .*call stack/),
      queue: 'q',
      // The record cannot be written as JSON again: the message that brought it goes instead.
      body: messages[1].content,
    });
    expect(written.map((record) => record.id).sort()).toEqual(good.map((record) => record.id).sort());
    await sut.stop();
  });

  it('retries an outage without dead-lettering anything, and acks once the sink is back', async () => {
    const records = [makeRecord(), makeRecord()];
    let away = 2;
    const write = async (): Promise<WriteOutcome> =>
      away-- > 0 ? { kind: 'unavailable', reason: 'database away' } : WRITTEN;
    const { sut, broker, deadLetters } = setUp(write, records);
    await sut.start();

    broker.deliver(records.map((record) => ({ id: record.id })));
    await until(() => broker.acked.length === 1, 'the delivery acked');

    expect(away).toBe(-1);
    expect(deadLetters.letters).toEqual([]);
    await sut.stop();
  });

  it('retries the whole batch, not dead-lettering twice, when the broker goes away while dead-lettering', async () => {
    const [poison, good] = [makeRecord(), makeRecord()];
    const writes: string[][] = [];
    const write = async (records: LogRecord[]): Promise<WriteOutcome> => {
      writes.push(records.map((record) => record.id));
      return records.includes(poison) ? { kind: 'refused', reason: 'no' } : WRITTEN;
    };
    const { sut, broker, deadLetters } = setUp(write, [poison, good]);
    deadLetters.away = true;
    await sut.start();

    broker.deliver([poison, good].map((record) => ({ id: record.id })));
    await until(() => writes.length >= 3, 'a first attempt');
    deadLetters.away = false;
    await until(() => broker.acked.length === 1, 'the delivery acked');

    expect(deadLetters.letters.map((letter) => letter.reason)).toEqual(['router refused: no']);
    await sut.stop();
  });

  it('sends each dead letter once when only some were confirmed before the broker went away', async () => {
    const [first, second, good] = [makeRecord(), makeRecord(), makeRecord()];
    const poison = new Map([
      [first.id, 'first'],
      [second.id, 'second'],
    ]);
    const write = async (records: LogRecord[]): Promise<WriteOutcome> => {
      const bad = records.find((record) => poison.has(record.id));
      return bad ? { kind: 'refused', reason: poison.get(bad.id)! } : WRITTEN;
    };
    const { sut, broker, deadLetters } = setUp(write, [first, second, good]);
    deadLetters.failOnce.add('router refused: second');
    await sut.start();

    broker.deliver([first, second, good].map((record) => ({ id: record.id })));
    await until(() => broker.acked.length === 1, 'the delivery acked');

    expect(deadLetters.letters.map((letter) => letter.reason).sort()).toEqual([
      'router refused: first',
      'router refused: second',
    ]);
    await sut.stop();
  });
});
