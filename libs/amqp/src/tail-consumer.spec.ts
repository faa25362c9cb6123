import type { Channel, ConsumeMessage } from 'amqplib';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  encodeBatch,
  LogRecord,
  makeRecord,
  MAX_RECORDS_PER_MESSAGE,
} from '@logyard/contracts';
import {
  decodeTailMessage,
  recordsIn,
  TAIL_PREFETCH,
  TailConsumer,
  TailOutput,
  tailQueueArguments,
} from './tail-consumer';
import { COUNT_HEADER } from './topology';

const message = (body: Buffer | string, headers?: Record<string, unknown>) => ({
  content: Buffer.isBuffer(body) ? body : Buffer.from(body),
  properties: { headers },
});

describe(recordsIn.name, () => {
  it('trusts the count header routers set, up to what a message may carry', () => {
    expect(recordsIn(message('[]', { [COUNT_HEADER]: 250 }))).toBe(250);
    expect(recordsIn(message('[]', { [COUNT_HEADER]: 1e308 }))).toBe(MAX_RECORDS_PER_MESSAGE);
  });

  it('counts the array when the header is missing or unusable', () => {
    const body = encodeBatch([makeRecord(), makeRecord(), makeRecord()]);
    expect(recordsIn(message(body))).toBe(3);
    expect(recordsIn(message(body, { [COUNT_HEADER]: 'three' }))).toBe(3);
    expect(recordsIn(message(body, { [COUNT_HEADER]: 0 }))).toBe(3);
  });

  it('counts a single object, an empty array or an unreadable body as one', () => {
    expect(recordsIn(message('{"message":"x"}'))).toBe(1);
    expect(recordsIn(message('[]'))).toBe(1);
    expect(recordsIn(message('not json'))).toBe(1);
  });

  it('counts a body over BODY_LIMIT as one, unread', () => {
    const body = Buffer.from(`[${'{},'.repeat(DEFAULT_BODY_LIMIT_BYTES / 3)}{}]`);
    expect(recordsIn(message(body))).toBe(1);
  });
});

describe(decodeTailMessage.name, () => {
  it('splits a batch into its records, unchanged', () => {
    const records = [makeRecord({ severity: 'error' }), makeRecord({ message: 'x'.repeat(70_000) })];
    expect(decodeTailMessage(encodeBatch(records))).toEqual(records);
  });

  it('skips what is not a record', () => {
    const record = makeRecord();
    expect(decodeTailMessage(Buffer.from(JSON.stringify([{ nope: 1 }, record])))).toEqual([record]);
    expect(decodeTailMessage(Buffer.from('{oops'))).toEqual([]);
  });

  it('skips a message over `maxBodyBytes` unread', () => {
    const body = encodeBatch([makeRecord()]);
    expect(decodeTailMessage(body, body.length - 1)).toEqual([]);
    expect(decodeTailMessage(body, body.length)).toHaveLength(1);
  });

  it('reads no more than MAX_RECORDS_PER_MESSAGE records of a message', () => {
    const records = Array.from({ length: MAX_RECORDS_PER_MESSAGE + 1 }, () => makeRecord());
    expect(decodeTailMessage(encodeBatch(records))).toEqual(records.slice(0, MAX_RECORDS_PER_MESSAGE));
  });
});

describe(tailQueueArguments.name, () => {
  it('bounds the queue, sheds its head, and dead-letters what it sheds to the drop queue', () => {
    expect(tailQueueArguments('amq.gen-drops')).toEqual({
      'x-queue-type': 'classic',
      'x-max-length': 10_000,
      'x-max-length-bytes': 64 * 1024 * 1024,
      'x-overflow': 'drop-head',
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'amq.gen-drops',
    });
  });
});

/**
 * Records what the consumer asks of its channel and lets the test deliver.
 * It stands in only for the calls the flow control makes; what the broker
 * does with these queues is proven by the tail e2e suite.
 */
class RecordingChannel {
  readonly acked: ConsumeMessage[] = [];
  readonly deleted: string[] = [];
  readonly consumers = new Map<string, (message: ConsumeMessage | null) => void>();
  prefetchCount = 0;
  private declared = 0;

  assertQueue = async () => ({ queue: `amq.gen-${++this.declared}` });
  bindQueue = async () => ({});
  prefetch = async (count: number) => {
    this.prefetchCount = count;
  };
  consume = async (queue: string, onMessage: (message: ConsumeMessage | null) => void) => {
    this.consumers.set(queue, onMessage);
    return { consumerTag: queue };
  };
  ack = (message: ConsumeMessage) => this.acked.push(message);
  deleteQueue = async (queue: string) => this.deleted.push(queue);

  deliver(queue: string, records: LogRecord[]): ConsumeMessage {
    const delivered = {
      ...message(encodeBatch(records), { [COUNT_HEADER]: records.length }),
      fields: {},
    } as unknown as ConsumeMessage;
    this.consumers.get(queue)!(delivered);
    return delivered;
  }
}

describe(TailConsumer.name, () => {
  let channel: RecordingChannel;
  let written: string[];
  let room: boolean;
  let cancelled: boolean;
  const output: TailOutput = {
    records: (records) => {
      written.push(...records.map((r) => r.message));
      return room;
    },
    dropped: (count) => {
      written.push(`dropped ${count}`);
      return room;
    },
    cancelled: () => {
      cancelled = true;
    },
  };
  const open = () => TailConsumer.open(channel as unknown as Channel, 'logs', ['*.*.error'], output);
  const records = (...messages: string[]) => messages.map((m) => makeRecord({ message: m }));

  beforeEach(() => {
    channel = new RecordingChannel();
    written = [];
    room = true;
    cancelled = false;
  });

  it('consumes the tail queue with a bounded prefetch, dead-lettering into the drop queue', async () => {
    const sut = await open();
    expect(sut.queue).toBe('amq.gen-2');
    expect([...channel.consumers.keys()]).toEqual(['amq.gen-1', 'amq.gen-2']);
    expect(channel.prefetchCount).toBe(TAIL_PREFETCH);
  });

  it('acks each message once its records are handed over', async () => {
    const sut = await open();
    const first = channel.deliver(sut.queue, records('a', 'b'));
    expect(written).toEqual(['a', 'b']);
    expect(channel.acked).toEqual([first]);
  });

  it('holds deliveries unacked while the output is full, and hands them over in order on resume', async () => {
    const sut = await open();
    room = false;
    const first = channel.deliver(sut.queue, records('a'));
    const second = channel.deliver(sut.queue, records('b'));
    const third = channel.deliver(sut.queue, records('c'));
    expect(written).toEqual(['a']);
    expect(channel.acked).toEqual([first]);

    sut.resume();
    expect(written).toEqual(['a', 'b']);
    expect(channel.acked).toEqual([first, second]);
    room = true;
    sut.resume();
    expect(written).toEqual(['a', 'b', 'c']);
    expect(channel.acked).toEqual([first, second, third]);
  });

  it('reports shed records, summed, after the records held from before the gap', async () => {
    const sut = await open();
    room = false;
    channel.deliver(sut.queue, records('a'));
    channel.deliver(sut.queue, records('b'));
    channel.deliver('amq.gen-1', records('x', 'y', 'z'));
    channel.deliver('amq.gen-1', records('w'));
    expect(written).toEqual(['a']);
    room = true;
    sut.resume();
    channel.deliver(sut.queue, records('c'));
    expect(written).toEqual(['a', 'b', 'dropped 4', 'c']);
  });

  it('deletes both queues on close and hands nothing over afterwards', async () => {
    const sut = await open();
    room = false;
    channel.deliver(sut.queue, records('a'));
    channel.deliver(sut.queue, records('b'));
    await sut.close();
    sut.resume();
    expect(written).toEqual(['a']);
    expect(channel.deleted).toEqual(['amq.gen-2', 'amq.gen-1']);
  });

  it('tells the output when the broker cancels the subscription', async () => {
    const sut = await open();
    channel.consumers.get(sut.queue)!(null);
    expect(cancelled).toBe(true);
  });
});
