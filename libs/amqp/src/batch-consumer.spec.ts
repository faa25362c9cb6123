import type { ConsumeMessage } from 'amqplib';
import { DecodedMessage, LogRecord, makeRecord, tryEncodeBatch } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { FakeConsumerBroker } from '@logyard/testing';
import { BatchConsumer, BatchStage, WriteOutcome, WRITTEN } from './batch-consumer';
import { BrokerUnavailableError } from './confirm-publisher';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';

/** The batch consumer's queue, carrying records as JSON arrays of them. */
class FakeBroker extends FakeConsumerBroker {
  deliverRecords(records: Pick<LogRecord, 'id'>[]): ConsumeMessage {
    return this.deliver(Buffer.from(JSON.stringify(records)), 'h.s.info');
  }
}

class FakeDeadLetters {
  readonly letters: DeadLetter[] = [];
  away = false;
  /** Reasons whose first letter the broker fails to confirm, as when it goes away mid-publish. */
  readonly failOnce = new Set<string>();
  /** While set, publishing waits for it: a confirm the broker has not sent yet. */
  confirm?: Promise<void>;

  async publish(letter: DeadLetter): Promise<void> {
    if (this.away) throw new BrokerUnavailableError('not connected');
    if (this.failOnce.delete(letter.reason)) throw new BrokerUnavailableError('connection closed');
    await this.confirm;
    this.letters.push(letter);
  }
}

/** Records travel through the fake queue as their ids; decode finds them again. */
function setUp(write: BatchStage['write'], known: LogRecord[], maxBytes?: number) {
  const broker = new FakeBroker();
  const deadLetters = new FakeDeadLetters();
  const byId = new Map(known.map((record) => [record.id, record]));
  const stage: BatchStage = {
    name: 'router',
    decode: (message: ConsumeMessage): DecodedMessage => {
      const items = JSON.parse(message.content.toString()) as (LogRecord | { reject: string })[];
      return {
        records: items.flatMap((item) => ('id' in item ? [byId.get(item.id)!] : [])),
        rejects: items.flatMap((item) =>
          'reject' in item ? [{ reason: item.reject, body: message.content }] : [],
        ),
      };
    },
    write,
  };
  const sut = new BatchConsumer(
    broker.connection,
    deadLetters as unknown as DeadLetterPublisher,
    new MetricsService(),
    stage,
    {
      queues: ['q'],
      prefetch: 10,
      maxRecords: 100,
      maxBytes,
      lingerMs: 1,
    },
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

/** A promise and the function that settles it. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

const ids = (records: LogRecord[]) => records.map((record) => ({ id: record.id }));

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
      broker.deliverRecords(good.slice(0, 4).map(shallow)),
      broker.deliverRecords([poison, ...good.slice(4, 6)].map(shallow)),
      broker.deliverRecords(good.slice(6).map(shallow)),
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

  it('ends a batch with the message that brings it to maxBytes, however few records it holds', async () => {
    const records = [makeRecord(), makeRecord(), makeRecord(), makeRecord()];
    const batches: string[][] = [];
    const write = async (batch: LogRecord[]): Promise<WriteOutcome> => {
      batches.push(batch.map((record) => record.id));
      return WRITTEN;
    };
    const { sut, broker } = setUp(write, records, 1_000);
    await sut.start();

    // Each message is 400 bytes: 40 of the 100 records a batch may hold, by its bytes.
    const padded = (record: LogRecord) => [{ id: record.id, padding: 'x'.repeat(340) }];
    for (const record of records) broker.deliverRecords(padded(record));
    await until(() => broker.acked.length === records.length, 'every delivery acked');

    const ids = records.map((record) => record.id);
    expect(batches).toEqual([ids.slice(0, 3), ids.slice(3)]);
    await sut.stop();
  });

  it('retries an outage without dead-lettering anything, and acks once the sink is back', async () => {
    const records = [makeRecord(), makeRecord()];
    let away = 2;
    const write = async (): Promise<WriteOutcome> =>
      away-- > 0 ? { kind: 'unavailable', reason: 'database away' } : WRITTEN;
    const { sut, broker, deadLetters } = setUp(write, records);
    await sut.start();

    broker.deliverRecords(records.map((record) => ({ id: record.id })));
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

    broker.deliverRecords([poison, good].map((record) => ({ id: record.id })));
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

    broker.deliverRecords([first, second, good].map((record) => ({ id: record.id })));
    await until(() => broker.acked.length === 1, 'the delivery acked');

    expect(deadLetters.letters.map((letter) => letter.reason).sort()).toEqual([
      'router refused: first',
      'router refused: second',
    ]);
    await sut.stop();
  });

  it('acks only once the write resolved, and only once every dead letter is confirmed', async () => {
    const records = [makeRecord(), makeRecord()];
    const stored = deferred<WriteOutcome>();
    const { sut, broker, deadLetters } = setUp(() => stored.promise, records);
    const confirmed = deferred();
    deadLetters.confirm = confirmed.promise;
    await sut.start();

    broker.deliver(Buffer.from(JSON.stringify([...ids(records), { reject: 'not a record' }])), 'h.s.info');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(broker.acked).toEqual([]);

    stored.resolve(WRITTEN);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(broker.acked).toEqual([]);

    confirmed.resolve();
    await until(() => broker.acked.length === 1, 'the delivery acked');
    expect(deadLetters.letters.map((letter) => letter.reason)).toEqual(['not a record']);
    await sut.stop();
  });

  it('dead-letters a message decode throws for, with the stage in its reason, and acks it', async () => {
    const { sut, broker, deadLetters } = setUp(async () => WRITTEN, []);
    await sut.start();

    const message = broker.deliver(Buffer.from('{not json'), 'h.s.info');
    await until(() => broker.acked.length === 1, 'the delivery acked');

    expect(deadLetters.letters).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/^router failed: /), body: message.content }),
    ]);
    await sut.stop();
  });

  it('pauses consumption while a batch retries, and resumes once it is written', async () => {
    const records = [makeRecord()];
    let available = false;
    let attempts = 0;
    const write = async (): Promise<WriteOutcome> => {
      attempts++;
      return available ? WRITTEN : { kind: 'unavailable', reason: 'database away' };
    };
    const { sut, broker } = setUp(write, records);
    await sut.start();
    expect(broker.subscribed).toBe(true);

    broker.deliverRecords(ids(records));
    await until(() => attempts >= 1 && !broker.subscribed, 'consumption paused');
    available = true;
    await until(() => broker.acked.length === 1, 'the delivery acked');
    await until(() => broker.subscribed, 'consumption resumed');
    await sut.stop();
  });

  it('treats a write that throws as an outage: retried, never dead-lettered', async () => {
    const records = [makeRecord()];
    let throws = 1;
    const write = async (): Promise<WriteOutcome> => {
      if (throws-- > 0) throw new Error('a bug');
      return WRITTEN;
    };
    const { sut, broker, deadLetters } = setUp(write, records);
    await sut.start();

    broker.deliverRecords(ids(records));
    await until(() => broker.acked.length === 1, 'the delivery acked');
    expect(deadLetters.letters).toEqual([]);
    await sut.stop();
  });

  it('isolates two refused records by halving: each good record written once, in logarithmically many writes', async () => {
    const records = Array.from({ length: 16 }, () => makeRecord());
    const poison = new Set([records[2].id, records[13].id]);
    const writes: LogRecord[][] = [];
    const written: string[] = [];
    const write = async (batch: LogRecord[]): Promise<WriteOutcome> => {
      writes.push(batch);
      if (batch.some((record) => poison.has(record.id))) return { kind: 'refused', reason: 'bad row' };
      written.push(...batch.map((record) => record.id));
      return WRITTEN;
    };
    const { sut, broker, deadLetters } = setUp(write, records);
    await sut.start();

    broker.deliverRecords(ids(records));
    await until(() => broker.acked.length === 1, 'the delivery acked');

    expect(written.sort()).toEqual(
      records
        .map((record) => record.id)
        .filter((id) => !poison.has(id))
        .sort(),
    );
    expect(deadLetters.letters).toHaveLength(2);
    // The first write, then for each refused record at most two writes per level of halving.
    expect(writes.length).toBeLessThanOrEqual(1 + 2 * 2 * Math.log2(records.length));
    await sut.stop();
  });

  it('drops deliveries of a channel that closed while their batch retried, acking nothing on the new channel', async () => {
    const [stale, fresh] = [makeRecord(), makeRecord()];
    let available = false;
    const written: string[] = [];
    const write = async (records: LogRecord[]): Promise<WriteOutcome> => {
      if (!available) return { kind: 'unavailable', reason: 'database away' };
      written.push(...records.map((record) => record.id));
      return WRITTEN;
    };
    const { sut, broker } = setUp(write, [stale, fresh]);
    await sut.start();

    broker.deliverRecords(ids([stale]));
    await until(() => !broker.subscribed, 'consumption paused by the retry');
    await broker.reconnect();
    available = true;
    // The retrying batch finds its delivery stale and is dropped, which resumes consumption on the new channel.
    await until(() => broker.subscribed, 'consuming on the new channel');
    broker.deliverRecords(ids([fresh]));
    await until(() => broker.acked.length === 1, 'the fresh delivery acked');

    expect(broker.acked.map(({ channel }) => channel)).toEqual([2]);
    expect(written).toEqual([fresh.id]);
    await sut.stop();
  });

  it('drains with the sink away: stops retrying at once and leaves the deliveries for redelivery', async () => {
    const records = [makeRecord(), makeRecord()];
    let attempts = 0;
    const write = async (): Promise<WriteOutcome> => {
      attempts++;
      return { kind: 'unavailable', reason: 'database away' };
    };
    const { sut, broker } = setUp(write, records);
    await sut.start();

    broker.deliverRecords(ids(records.slice(0, 1)));
    broker.deliverRecords(ids(records.slice(1)));
    await until(() => attempts >= 1, 'a first attempt');
    const started = Date.now();

    expect(await sut.stop()).toEqual({ acked: 0, records: 0, leftUnacked: 2 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(broker.acked).toEqual([]);
  });

  it('drains with the sink up: writes and acks what it holds before closing', async () => {
    const records = [makeRecord(), makeRecord(), makeRecord()];
    const stored = deferred<WriteOutcome>();
    const { sut, broker } = setUp(() => stored.promise, records);
    await sut.start();

    broker.deliverRecords(ids(records));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const drained = sut.stop();
    stored.resolve(WRITTEN);

    expect(await drained).toEqual({ acked: 1, records: 3, leftUnacked: 0 });
    expect(broker.acked).toHaveLength(1);
  });
});
