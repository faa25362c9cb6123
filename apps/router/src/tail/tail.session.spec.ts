import { EventEmitter } from 'node:events';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Response } from 'express';
import { encodeBatch, makeRecord } from '@logyard/contracts';
import { TailAmqpConnection } from './tail-amqp.connection';
import { TAIL_STALLED_MS, TailSession, TailUnavailableError } from './tail.session';

/** What the session writes to its client, as the client would see it. */
class FakeResponse extends EventEmitter {
  status?: number;
  body = '';
  ended = false;
  /** What write() answers: false is a full socket. */
  accepts = true;
  writableNeedDrain = false;

  writeHead(status: number): this {
    this.status = status;
    return this;
  }
  flushHeaders(): void {}
  write(chunk: string): boolean {
    this.body += chunk;
    return this.accepts;
  }
  end(chunk?: string): void {
    if (chunk) this.body += chunk;
    this.ended = true;
  }
  /** The client closed the connection. */
  leave(): void {
    this.emit('close');
  }
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

/** One amqplib channel: the queues a tail declares, its consumers, and what was deleted. */
class FakeChannel extends EventEmitter {
  readonly deleted: string[] = [];
  readonly acked: ConsumeMessage[] = [];
  private readonly consumers = new Map<string, (message: ConsumeMessage | null) => void>();
  /** While set, binding waits for it: a subscription still being made. */
  binding?: Promise<void>;

  constructor(private readonly number: number) {
    super();
  }

  private declared = 0;

  async assertQueue(): Promise<{ queue: string }> {
    return { queue: `amq.gen-${this.number}-${++this.declared}` };
  }
  async bindQueue(): Promise<void> {
    await this.binding;
  }
  async prefetch(): Promise<void> {}
  async consume(queue: string, onMessage: (message: ConsumeMessage | null) => void): Promise<void> {
    this.consumers.set(queue, onMessage);
  }
  async deleteQueue(queue: string): Promise<void> {
    this.deleted.push(queue);
  }
  ack(message: ConsumeMessage): void {
    this.acked.push(message);
  }

  /** The tail queue's consumer (the second one declared: the drop queue comes first). */
  private get tail(): (message: ConsumeMessage | null) => void {
    return [...this.consumers.values()][1];
  }
  deliver(content: Buffer): void {
    this.tail({ content, properties: { headers: {} } } as unknown as ConsumeMessage);
  }
  /** The tail queue shed a message of `count` records: it arrives on the drop queue. */
  shed(content: Buffer, count: number): void {
    const dropQueue = [...this.consumers.values()][0];
    dropQueue({
      content,
      properties: { headers: { 'x-logyard-count': count } },
    } as unknown as ConsumeMessage);
  }
  /** The broker cancelled the consumer (an operator deleted the queue). */
  cancel(): void {
    this.tail(null);
  }
}

/** amqp-connection-manager's part: runs the tail's setup on each (re)connection; emits 'error' for a failed one. */
class FakeConnection {
  readonly wrapper = Object.assign(new EventEmitter(), {
    closed: false,
    close: async () => {
      this.wrapper.closed = true;
    },
  });
  readonly channels: FakeChannel[] = [];
  private setup?: (channel: Channel) => Promise<void>;
  readonly topology = { names: { logs: 'logyard.logs' } };

  createChannel(_name: string, _confirm: boolean, setup: (channel: Channel) => Promise<void>) {
    this.setup = setup;
    return this.wrapper;
  }

  /** Runs the setup on a new channel, as on connecting and after each reconnect; binding waits for `binding`. */
  connect(binding?: Promise<void>): { channel: FakeChannel; done: Promise<void> } {
    const channel = new FakeChannel(this.channels.length + 1);
    channel.binding = binding;
    this.channels.push(channel);
    return { channel, done: this.setup!(channel as unknown as Channel) };
  }
}

/** Every session a test made, ended after it so that no heartbeat or timeout outlives the test. */
const sessions: TailSession[] = [];

function setUp() {
  const connection = new FakeConnection();
  const response = new FakeResponse();
  const dropped: number[] = [];
  const sut = new TailSession(connection as unknown as TailAmqpConnection, response as unknown as Response, {
    patterns: ['*.*.error'],
    onDropped: (count) => dropped.push(count),
  });
  sessions.push(sut);
  return { sut, connection, response, dropped };
}

/** Starts a session and lets its first subscription complete: the session is streaming. */
async function streaming() {
  const world = setUp();
  const started = world.sut.start();
  const { channel } = world.connection.connect();
  await started;
  return { ...world, channel };
}

const events = (body: string) => [...body.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);

describe(TailSession.name, () => {
  afterEach(async () => {
    jest.useRealTimers();
    await Promise.all(sessions.splice(0).map((session) => session.end()));
  });

  describe('created', () => {
    it('→ subscribing on start(): nothing written until a queue is bound', async () => {
      const { sut, response } = setUp();
      expect(sut.phase).toBe('created');
      const started = sut.start();
      expect(sut.phase).toBe('subscribing');
      expect(response.status).toBeUndefined();
      response.leave();
      await started;
    });

    it('→ ended on end(), with nothing to release', async () => {
      const { sut, response } = setUp();
      await sut.end('shutting down');
      expect(sut.phase).toBe('ended');
      expect(response.body).toBe('');
    });

    it('starts only once', async () => {
      const { sut } = await streaming();
      await expect(sut.start()).rejects.toThrow(/starts once/);
    });
  });

  describe('subscribing', () => {
    it('→ streaming once the queue is bound: 200, event-stream headers, then `event: subscribed`', async () => {
      const { sut, response } = await streaming();
      expect(sut.phase).toBe('streaming');
      expect(response.status).toBe(200);
      expect(events(response.body)).toEqual(['subscribed']);
      expect(response.body).toContain('"patterns":["*.*.error"]');
      expect(response.body).toContain('"maxLength":10000');
    });

    it('→ ended when the client leaves: start() resolves, nothing written, the late queues deleted', async () => {
      const { sut, connection, response } = setUp();
      const started = sut.start();
      let bind!: () => void;
      const { channel, done } = connection.connect(new Promise((resolve) => (bind = resolve)));
      response.leave();
      await started;
      expect(sut.phase).toBe('ended');

      bind();
      await done;
      await sut.end();
      expect(response.status).toBeUndefined();
      expect(response.body).toBe('');
      expect(channel.deleted).toHaveLength(2);
      expect(connection.wrapper.closed).toBe(true);
    });

    it('→ ended when no subscription comes in time: start() rejects TailUnavailableError', async () => {
      jest.useFakeTimers();
      const { sut, response } = setUp();
      const started = sut.start();
      jest.advanceTimersByTime(10_000);
      await expect(started).rejects.toThrow(TailUnavailableError);
      await expect(started).rejects.toThrow('no subscription within 10000 ms');
      expect(sut.phase).toBe('ended');
      expect(response.body).toBe('');
    });

    it('→ ended when the channel cannot be set up: start() rejects, naming the reason', async () => {
      const { sut, connection, response } = setUp();
      const started = sut.start();
      connection.wrapper.emit('error', new Error('ACCESS_REFUSED'));
      await expect(started).rejects.toThrow(new TailUnavailableError('cannot subscribe: ACCESS_REFUSED'));
      expect(response.status).toBeUndefined();
    });

    it('→ ended on end(reason): start() rejects with that reason', async () => {
      const { sut } = setUp();
      const started = sut.start();
      await sut.end('Logyard is shutting down');
      await expect(started).rejects.toThrow(new TailUnavailableError('Logyard is shutting down'));
    });
  });

  describe('streaming', () => {
    it('writes each record as a data line, and reports drops as `event: dropped`', async () => {
      const { channel, response, dropped } = await streaming();
      const records = [makeRecord({ message: 'one' }), makeRecord({ message: 'two' })];
      channel.deliver(encodeBatch(records));
      expect(response.body).toContain(`data: ${JSON.stringify(records[0])}\n\n`);
      expect(response.body).toContain(`data: ${JSON.stringify(records[1])}\n\n`);
      expect(channel.acked).toHaveLength(1);

      channel.shed(Buffer.from('[]'), 250);
      expect(events(response.body)).toEqual(['subscribed', 'dropped']);
      expect(response.body).toContain('data: {"dropped":250}\n\n');
      expect(dropped).toEqual([250]);
    });

    it('holds further messages while the socket is full and resumes on drain', async () => {
      const { channel, response } = await streaming();
      response.accepts = false;
      channel.deliver(encodeBatch([makeRecord({ message: 'first' })]));
      channel.deliver(encodeBatch([makeRecord({ message: 'second' })]));
      expect(response.body).not.toContain('second');
      response.accepts = true;
      response.emit('drain');
      expect(response.body).toContain('second');
    });

    it('→ streaming when the connection is lost: a comment, then a new queue and another `event: subscribed`', async () => {
      const { sut, channel, connection, response } = await streaming();
      channel.emit('close');
      expect(response.body).toContain(': lost the connection to RabbitMQ; resubscribing once it is back');
      await connection.connect().done;
      expect(sut.phase).toBe('streaming');
      expect(events(response.body)).toEqual(['subscribed', 'subscribed']);
      expect(response.body).toContain('"queue":"amq.gen-2-');
    });

    it('writes a heartbeat comment every 15 s, but not to a reader that is behind', async () => {
      jest.useFakeTimers();
      const { response } = await streaming();
      jest.advanceTimersByTime(15_000);
      expect(response.body.match(/: heartbeat/g)).toHaveLength(1);
      response.writableNeedDrain = true;
      jest.advanceTimersByTime(15_000);
      expect(response.body.match(/: heartbeat/g)).toHaveLength(1);
    });

    it('→ ended when the socket stays full for a minute: the connection closed, queues deleted', async () => {
      jest.useFakeTimers();
      const { sut, channel, response } = await streaming();
      response.accepts = false;
      channel.deliver(encodeBatch([makeRecord({ message: 'never read' })]));
      response.writableNeedDrain = true;
      jest.advanceTimersByTime(TAIL_STALLED_MS - 1);
      expect(sut.phase).toBe('streaming');
      jest.advanceTimersByTime(15_000);
      expect(response.destroyed).toBe(true);
      await sut.end();
      expect(channel.deleted).toHaveLength(2);
    });

    it('stays streaming for a reader that is behind but drains', async () => {
      jest.useFakeTimers();
      const { sut, channel, response } = await streaming();
      for (let minute = 0; minute < 3; minute++) {
        response.accepts = false;
        channel.deliver(encodeBatch([makeRecord({ message: 'slow' })]));
        jest.advanceTimersByTime(TAIL_STALLED_MS - 15_000);
        response.accepts = true;
        response.emit('drain');
      }
      jest.advanceTimersByTime(TAIL_STALLED_MS);
      expect(response.destroyed).toBe(false);
      expect(sut.phase).toBe('streaming');
    });

    it('→ ended when the client leaves: nothing more written, queues deleted, channel closed', async () => {
      const { sut, channel, connection, response } = await streaming();
      const before = response.body;
      response.leave();
      await sut.end('too late');
      expect(sut.phase).toBe('ended');
      expect(response.ended).toBe(false);
      expect(response.body).toBe(before);
      expect(channel.deleted).toHaveLength(2);
      expect(connection.wrapper.closed).toBe(true);
    });

    it('→ ended on end(reason): a last comment, the end of the response, queues deleted', async () => {
      const { sut, channel, response } = await streaming();
      await sut.end('Logyard is shutting down');
      expect(response.body.endsWith(': tail ended: Logyard is shutting down\n\n')).toBe(true);
      expect(response.ended).toBe(true);
      expect(channel.deleted).toHaveLength(2);
    });

    it('→ ended when the broker cancels the subscription', async () => {
      const { sut, channel, response } = await streaming();
      channel.cancel();
      await sut.end();
      expect(response.body).toContain(': tail ended: the broker cancelled the subscription');
      expect(response.ended).toBe(true);
    });

    it('→ ended when the broker closes the channel over a fault of its own', async () => {
      const { sut, channel, response } = await streaming();
      channel.emit('error', new Error('PRECONDITION_FAILED'));
      await sut.end();
      expect(response.body).toContain(': tail ended: RabbitMQ closed the channel: PRECONDITION_FAILED');
    });
  });

  describe('ended', () => {
    it('is terminal: end() again is the same release, and nothing more is written or resubscribed', async () => {
      const { sut, channel, connection, response } = await streaming();
      const first = sut.end('once');
      expect(sut.end('twice')).toBe(first);
      await first;
      const body = response.body;

      channel.deliver(encodeBatch([makeRecord()]));
      channel.emit('close');
      await connection.connect().done;
      expect(response.body).toBe(body);
      expect(sut.phase).toBe('ended');
      expect(connection.channels[1].deleted).toEqual([]);
    });
  });
});
