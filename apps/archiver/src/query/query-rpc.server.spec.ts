import { DeadLetter, DeadLetterPublisher } from '@logyard/amqp';
import { LogyardConfig } from '@logyard/config';
import { LogPage, makeRecord } from '@logyard/contracts';
import { QueryTimeoutError } from '@logyard/db';
import { FakeConsumerBroker } from '@logyard/testing';
import { LogQueryService } from './log-query.service';
import { QueryRpcServer } from './query-rpc.server';
import { RpcReplyConnection } from './rpc-reply.connection';

interface Reply {
  queue: string;
  body: unknown;
  options: { correlationId?: string; contentType?: string };
}

/**
 * The broker as the RPC server sees it: its consumer channel on the rpc queue, and a confirm channel for
 * replies whose confirms the test can hold back.
 */
class FakeBroker extends FakeConsumerBroker {
  readonly replies: Reply[] = [];
  /** Replies handed to the confirm channel, confirmed or not. */
  repliesSent = 0;
  private confirm?: Promise<void>;
  /** Set: publishing a reply fails, as on a nack or a timeout. */
  replyFails?: Error;
  private requests = 0;

  constructor() {
    super({ topology: { names: { rpc: 'logyard.rpc' } } });
  }

  /** Holds back the confirm of every reply until the returned function is called. */
  holdConfirms(): () => void {
    let release!: () => void;
    this.confirm = new Promise((resolve) => (release = resolve));
    return release;
  }

  /** Delivers a request as RabbitMQ would; returns its delivery tag. */
  request(body: unknown, properties: { replyTo?: string; correlationId?: string } = {}): number {
    const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const id = ++this.requests;
    return this.deliver(content, 'logyard.rpc', {
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: `c${id}`,
      headers: {},
      ...properties,
    }).fields.deliveryTag;
  }

  protected override publishChannel(): unknown {
    return {
      publish: async (_exchange: string, queue: string, body: Buffer, options: Reply['options']) => {
        this.repliesSent++;
        await this.confirm;
        if (this.replyFails) throw this.replyFails;
        this.replies.push({ queue, body: JSON.parse(body.toString()), options });
      },
      close: async () => undefined,
    };
  }
}

class FakeDeadLetters {
  readonly letters: DeadLetter[] = [];
  fails?: Error;
  async publish(letter: DeadLetter): Promise<void> {
    if (this.fails) throw this.fails;
    this.letters.push(letter);
  }
}

const config = { auth: { queryTokens: [] }, query: { rpcMaxRequestBytes: 1024 } } as unknown as LogyardConfig;

/** The server with one fake broker for requests and, unless given another, for replies. */
async function setUp(page: LogQueryService['page'], replyBroker?: FakeBroker) {
  const broker = new FakeBroker();
  const deadLetters = new FakeDeadLetters();
  const queries = { page: jest.fn(page) };
  const sut = new QueryRpcServer(
    broker.connection,
    (replyBroker ?? broker).connection as unknown as RpcReplyConnection,
    deadLetters as unknown as DeadLetterPublisher,
    queries as unknown as LogQueryService,
    config,
  );
  await sut.onApplicationBootstrap();
  return { sut, broker, deadLetters, queries };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const record = makeRecord({ service: 'checkout' });
const onePage = async (): Promise<{ ok: true; value: LogPage }> => ({
  ok: true,
  value: { items: [record], nextCursor: null },
});

/** A request answered, its reply sent but not yet confirmed: it stays unacked until `confirm()`. */
async function answeredUnconfirmed() {
  const { sut, broker } = await setUp(onePage);
  const confirm = broker.holdConfirms();
  broker.request({});
  await until(() => broker.repliesSent === 1, 'the reply sent');
  return { sut, broker, confirm };
}

describe(QueryRpcServer.name, () => {
  it('answers on reply_to with the correlation id, the same page as HTTP, then acks', async () => {
    const { sut, broker, queries } = await setUp(onePage);

    const tag = broker.request({ service: 'checkout', limit: '10' }, { correlationId: 'abc' });
    await until(() => broker.acked.length === 1, 'the request acked');

    expect(queries.page).toHaveBeenCalledWith({ service: 'checkout', limit: '10' });
    expect(broker.replies).toEqual([
      {
        queue: 'amq.rabbitmq.reply-to',
        body: { items: [JSON.parse(JSON.stringify(record))], nextCursor: null },
        options: expect.objectContaining({ correlationId: 'abc', contentType: 'application/json' }),
      },
    ]);
    expect(broker.acked).toEqual([{ tag, channel: 1 }]);
    await sut.beforeApplicationShutdown();
  });

  it('acks a request only once its reply is confirmed', async () => {
    const { sut, broker, confirm } = await answeredUnconfirmed();
    expect(broker.acked).toEqual([]);

    confirm();
    await until(() => broker.acked.length === 1, 'the request acked');
    await sut.beforeApplicationShutdown();
  });

  it('answers a body that is no query with a 400 reply, running no query', async () => {
    const { sut, broker, queries } = await setUp(onePage);

    broker.request('{oops');
    await until(() => broker.acked.length === 1, 'the request acked');

    expect(queries.page).not.toHaveBeenCalled();
    expect(broker.replies[0].body).toMatchObject({ error: { statusCode: 400, field: 'body' } });
    await sut.beforeApplicationShutdown();
  });

  it('answers a bad parameter with the 400 the HTTP API gives', async () => {
    const { sut, broker } = await setUp(async () => ({
      ok: false,
      error: { field: 'limit', message: 'must be an integer from 1 to 1000' },
    }));

    broker.request({ limit: 'lots' });
    await until(() => broker.acked.length === 1, 'the request acked');

    expect(broker.replies[0].body).toEqual({
      error: { statusCode: 400, field: 'limit', message: 'limit: must be an integer from 1 to 1000' },
    });
    await sut.beforeApplicationShutdown();
  });

  it('answers a query past QUERY_TIMEOUT with 504, and an unexpected failure with 500 and no detail', async () => {
    const failures = [new QueryTimeoutError(2_000), new Error('relation "secret_table" does not exist')];
    const { sut, broker } = await setUp(async () => {
      throw failures.shift();
    });

    broker.request({});
    broker.request({});
    await until(() => broker.acked.length === 2, 'both requests acked');

    const errors = broker.replies.map((reply) => (reply.body as { error: { statusCode: number } }).error);
    expect(errors.map((error) => error.statusCode).sort()).toEqual([500, 504]);
    expect(JSON.stringify(errors)).not.toContain('secret_table');
    await sut.beforeApplicationShutdown();
  });

  it('dead-letters a request without reply_to, with its reason, acks it, and answers nothing', async () => {
    const { sut, broker, deadLetters, queries } = await setUp(onePage);

    broker.request({}, { replyTo: '' });
    await until(() => broker.acked.length === 1, 'the request acked');

    expect(deadLetters.letters).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(/without reply_to/),
        queue: 'logyard.rpc',
        routingKey: 'logyard.rpc',
      }),
    ]);
    expect(broker.replies).toEqual([]);
    expect(queries.page).not.toHaveBeenCalled();
    await sut.beforeApplicationShutdown();
  });

  it('dead-letters a request whose reply_to is no reply queue, rather than publish into it', async () => {
    const { sut, broker, deadLetters } = await setUp(onePage);

    broker.request({}, { replyTo: 'logyard.router' });
    await until(() => broker.acked.length === 1, 'the request acked');

    expect(deadLetters.letters[0].reason).toMatch(/which is no reply queue/);
    expect(broker.replies).toEqual([]);
    await sut.beforeApplicationShutdown();
  });

  it('acks anyway when the reply or the dead letter fails on a live channel: the caller has a timeout', async () => {
    const { sut, broker, deadLetters } = await setUp(onePage);
    broker.replyFails = new Error('timeout waiting for confirm');
    deadLetters.fails = new Error('nack');

    broker.request({});
    broker.request({}, { replyTo: '' });
    await until(() => broker.acked.length === 2, 'both requests acked');

    expect(broker.replies).toEqual([]);
    expect(deadLetters.letters).toEqual([]);
    await sut.beforeApplicationShutdown();
  });

  it("publishes replies on the reply connection and acks on the consumer's, so a reply the broker kills is not redelivered", async () => {
    const replyBroker = new FakeBroker();
    const { sut, broker } = await setUp(onePage, replyBroker);
    // What RabbitMQ does to the publishing connection for a reply_to that does not decode.
    replyBroker.replyFails = new Error('Connection closed: 541 (INTERNAL-ERROR)');

    const tag = broker.request({}, { replyTo: 'amq.rabbitmq.reply-to.AAAA.k' });
    await until(() => broker.acked.length === 1, 'the request acked');

    expect(replyBroker.repliesSent).toBe(1);
    expect(broker.repliesSent).toBe(0);
    expect(broker.acked).toEqual([{ tag, channel: 1 }]);
    await sut.beforeApplicationShutdown();
  });

  it('does not ack a request whose channel closed before it was answered: the broker redelivers it', async () => {
    const { sut, broker, confirm } = await answeredUnconfirmed();
    await broker.reconnect();
    confirm();
    await sut.beforeApplicationShutdown();

    expect(broker.replies).toHaveLength(1);
    expect(broker.acked).toEqual([]);
  });

  it('finishes the requests in hand before shutting down', async () => {
    const { sut, broker, confirm } = await answeredUnconfirmed();
    let stopped = false;
    const stopping = sut.beforeApplicationShutdown().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);

    confirm();
    await stopping;
    expect(broker.acked).toHaveLength(1);
  });
});
