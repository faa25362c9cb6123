import amqplib, { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { REASON_HEADER, topologyNames } from '@logyard/amqp';
import { ArchiverModule } from '@logyard/archiver';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { consumerChannels, queueMessages, queueOwners } from '../support/broker';
import { runCli } from '../support/cli';
import { request } from '../support/http';
import { SseClient } from '../support/sse';

const TOKEN = 'query-token-of-the-hostile-suite';
/** What a record must never send to a terminal: C0, DEL, C1, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex -- control characters are what it seeks
const TERMINAL_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * What an outsider can make the query side (archiver API and RPC, router
 * tails) spend, and where its answers may go: issue 11, findings 5, 7 and 9.
 */
describe('hostile queries: tail cap, RPC vetting, query timeout and range cap', () => {
  let logyard: IsolatedLogyard;
  let amqp: ChannelModel;
  let channel: Channel;
  const replies = new Map<string, ConsumeMessage>();
  const auth = { authorization: `Bearer ${TOKEN}` };
  const names = () => topologyNames(logyard.world.prefix);

  /**
   * Runs `work` while the test holds an exclusive lock on `logs`: every query
   * of it then waits, deterministically longer than any QUERY_TIMEOUT, as a
   * query too heavy to finish would (statement_timeout counts lock waits).
   */
  async function whileLogsLocked<T>(work: () => Promise<T>): Promise<T> {
    await logyard.db.rows('BEGIN');
    try {
      await logyard.db.rows('LOCK TABLE logs IN ACCESS EXCLUSIVE MODE');
      return await work();
    } finally {
      await logyard.db.rows('ROLLBACK');
    }
  }

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([RouterModule, ArchiverModule], {
      QUERY_TOKENS: TOKEN,
      TAIL_MAX_SESSIONS: '2',
      QUERY_TIMEOUT: '500ms',
      QUERY_POOL_SIZE: '1',
      QUERY_MAX_RANGE: '7d',
      RPC_MAX_REQUEST_BYTES: '1kb',
    });
    await logyard.db.rows(
      `INSERT INTO logs (id, ts, observed_ts, host, service, severity, message, attributes)
       SELECT gen_random_uuid(), now() - i * interval '1 s', now(), 'web-' || i, 'svc', 9, 'row ' || i, '{}'
         FROM generate_series(1, 10) i`,
    );
    amqp = await amqplib.connect(logyard.world.amqpUrl);
    channel = await amqp.createChannel();
    await channel.consume('amq.rabbitmq.reply-to', (m) => m && replies.set(m.properties.correlationId, m), {
      noAck: true,
    });
  });

  afterAll(async () => {
    await amqp?.close();
    await logyard?.close();
  });

  describe('GET /tail', () => {
    const tailUrl = () => `${logyard.url}/tail?pattern=${encodeURIComponent('*.*.error')}`;
    const tail = () => SseClient.open(tailUrl(), { headers: auth });
    /** A tail once a slot is free: a closed client's slot frees when the server sees it go. */
    const tailWhenFree = () =>
      waitFor('a free tail slot', async () => {
        const client = await tail();
        if (client.status === 200) return client;
        await client.close();
        return undefined;
      });

    it('refuses the tail past TAIL_MAX_SESSIONS with 503, Retry-After and why, until one closes', async () => {
      const open = [await tailWhenFree(), await tailWhenFree()];
      try {
        expect(open.map((client) => client.status)).toEqual([200, 200]);
        const refused = await request<{ message: string }>(tailUrl(), { headers: auth });
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('30');
        expect(refused.body.message).toBe(
          'cannot subscribe: this process already serves 2 live tails, its limit (TAIL_MAX_SESSIONS); ' +
            'retry later, or close a tail you no longer read',
        );

        await open.shift()?.close();
        open.push(await tailWhenFree());
      } finally {
        await Promise.all(open.map((client) => client.close()));
      }
    });

    it('holds its queues on a connection of its own, apart from publishing and consuming', async () => {
      const client = await tailWhenFree();
      try {
        const queue = await client.waitFor('subscribed', (c) => {
          const [data] = c.messages('subscribed');
          return data && (JSON.parse(data) as { queue: string }).queue;
        });
        const owner = (await queueOwners()).get(queue);
        const connections = await brokerConnections();
        expect(connections.get(owner ?? '')).toBe('logyard tail');
        expect([...connections.values()]).toContain('logyard');
      } finally {
        await client.close();
      }
    });
  });

  describe('AMQP RPC', () => {
    type CallOptions = { headers?: Record<string, unknown>; replyTo?: string; timeoutMs?: number };
    async function call(body: unknown, options: CallOptions = {}) {
      const correlationId = send(body, options);
      const message = await waitFor('the RPC reply', () => replies.get(correlationId), options);
      return JSON.parse(message.content.toString()) as unknown;
    }
    /** Publishes a request; returns its correlation id. */
    function send(body: unknown, options: CallOptions = {}): string {
      const correlationId = randomUUID();
      channel.sendToQueue(names().rpc, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), {
        replyTo: options.replyTo ?? 'amq.rabbitmq.reply-to',
        correlationId,
        headers: options.headers,
      });
      return correlationId;
    }
    const withToken = { headers: { 'x-logyard-token': TOKEN } };

    it('answers a request carrying a query token in x-logyard-token', async () => {
      await expect(call({ limit: '1', host: 'web-1' }, withToken)).resolves.toMatchObject({
        items: [{ host: 'web-1' }],
      });
    });

    it('refuses a request without a token, or with a wrong one, as HTTP does, with 401', async () => {
      await expect(call({ limit: '1' })).resolves.toEqual({
        error: {
          statusCode: 401,
          message: 'this query needs header x-logyard-token with one of QUERY_TOKENS',
        },
      });
      await expect(
        call({ limit: '1' }, { headers: { 'x-logyard-token': 'a-wrong-token-000000' } }),
      ).resolves.toEqual({
        error: { statusCode: 401, message: 'the x-logyard-token header is not one of QUERY_TOKENS' },
      });
    });

    it('refuses a body over RPC_MAX_REQUEST_BYTES with 413', async () => {
      await expect(call({ q: 'x'.repeat(2000) }, withToken)).resolves.toMatchObject({
        error: { statusCode: 413, field: 'body' },
      });
    });

    // JSON may escape a lone surrogate, which jsonb cannot hold: the query answered 500 and logged an error.
    it('refuses an attribute value holding a lone surrogate with 400, naming it', async () => {
      await expect(call({ 'attr.k': 'v\ud800' }, withToken)).resolves.toMatchObject({
        error: { statusCode: 400, field: 'attr.k' },
      });
    });

    it("never replies into Logyard's own queues: a reply_to naming one is dead-lettered with the reason", async () => {
      const request = JSON.stringify({ limit: '1' });
      channel.sendToQueue(names().rpc, Buffer.from(request), {
        replyTo: names().deadQueue,
        correlationId: 'aimed-at-the-dead-queue',
        headers: { 'x-logyard-token': TOKEN },
      });
      const letter = await waitFor('the dead letter', () => channel.get(names().deadQueue, { noAck: true }));
      expect(letter.content.toString()).toBe(request);
      expect(String(letter.properties.headers?.[REASON_HEADER])).toContain('which is no reply queue');
      // The request was settled without a reply: nothing else ever reaches the dead queue.
      await waitFor(
        'the request settled',
        async () => (await channel.checkQueue(names().rpc)).messageCount === 0,
      );
      await expect(channel.checkQueue(names().deadQueue)).resolves.toMatchObject({ messageCount: 0 });
    });

    it('replies on a connection of its own: a reply_to RabbitMQ cannot decode costs no consumer and no redelivery', async () => {
      const [consumer] = await consumerChannels(names().rpc);
      expect(consumer).toBeDefined();

      // RabbitMQ closes the connection that publishes to a direct reply-to name it cannot decode (541).
      send({}, { replyTo: 'amq.rabbitmq.reply-to.AAAA.k' });
      // Answered once the reply connection is back; the forged request was handled before.
      await waitFor('an answer after the forged reply_to', () =>
        call({ limit: '1' }, { ...withToken, timeoutMs: 2_000 }).catch(() => undefined),
      );

      await waitFor(
        'the forged request acked, not redelivered',
        async () => (await queueMessages(names().rpc)) === 0,
      );
      expect(await consumerChannels(names().rpc)).toEqual([consumer]);
    });

    it('answers a query past QUERY_TIMEOUT with a 504 naming the setting', async () => {
      await expect(whileLogsLocked(() => call({ limit: '1' }, withToken))).resolves.toEqual({
        error: {
          statusCode: 504,
          message:
            'the query ran longer than QUERY_TIMEOUT (500ms) and was cancelled; narrow the time range or add filters (host, service, severity)',
        },
      });
    });

    it('is asked with the token by `logyard query --via amqp` (LOGYARD_TOKEN)', async () => {
      const env = { ...logyard.world.env, LOGYARD_TOKEN: TOKEN };
      const args = ['query', '--via', 'amqp', '--host', 'web-7', '--limit', '1', '--json'];
      const answered = await runCli(args, env);
      expect(answered).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(answered.stdout)).toMatchObject({ items: [{ host: 'web-7' }] });
      await expect(runCli(args, logyard.world.env)).resolves.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('set LOGYARD_TOKEN to a query token'),
      });
    });
  });

  describe('logyard query', () => {
    it('prints a record with terminal escapes and forged lines in its fields as one inert line', async () => {
      await logyard.db.rows(
        `INSERT INTO logs (id, ts, observed_ts, host, service, severity, message, attributes)
         VALUES (gen_random_uuid(), now(), now(), $1, $2, 17, $3, '{}')`,
        [
          'evil\u001b]0;pwned\u0007',
          'svc\u202e',
          'boom\n2026-01-01T00:00:00.000000Z web-1 svc info forged\u001b[2J\u009b',
        ],
      );
      const env = { ...logyard.world.env, LOGYARD_URL: logyard.url, LOGYARD_TOKEN: TOKEN };
      for (const json of [[], ['--json']]) {
        const printed = await runCli(['query', '--severity', 'error', ...json], env);
        expect(printed).toMatchObject({ code: 0, stderr: '' });
        expect(printed.stdout.trimEnd()).not.toMatch(TERMINAL_CONTROL);
        expect(printed.stdout.trimEnd().split('\n')).toHaveLength(1);
      }
      const { stdout } = await runCli(['query', '--severity', 'error'], env);
      expect(stdout).toContain('evil\\x1b]0;pwned\\x07 svc\\u{202e} error boom\\n2026');
    });
  });

  describe('HTTP queries', () => {
    it.each([['/api/facets'], ['/api/logs/histogram'], ['/api/logs']])(
      '%s answers a query past QUERY_TIMEOUT with a 504 naming the setting',
      async (path) => {
        await expect(
          whileLogsLocked(() => request(`${logyard.url}${path}`, { headers: auth })),
        ).resolves.toMatchObject({
          status: 504,
          body: { statusCode: 504, message: expect.stringContaining('QUERY_TIMEOUT (500ms)') },
        });
        // The pool's connections are fine afterwards.
        await expect(request(`${logyard.url}${path}`, { headers: auth })).resolves.toMatchObject({
          status: 200,
        });
      },
    );

    it('refuses a read at once with 503 and Retry-After while every query connection is busy and as many reads wait', async () => {
      const facets = () => request<{ message: string }>(`${logyard.url}/api/facets`, { headers: auth });
      const [first, second, third] = await whileLogsLocked(async () => {
        const holding = facets();
        await waitFor(
          'the first read to hold the one query connection, waiting on the lock',
          async () =>
            (await logyard.db.scalar(
              "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'logyard-query' AND wait_event_type = 'Lock'",
            )) > 0,
        );
        return Promise.all([holding, facets(), facets()]);
      });
      expect(first.status).toBe(504);
      const [refused, queued] = second.status === 503 ? [second, third] : [third, second];
      expect(queued.status).toBe(504);
      expect(refused).toMatchObject({
        status: 503,
        body: {
          statusCode: 503,
          message: 'all 1 query connections are busy and 1 more reads wait (QUERY_POOL_SIZE); retry in 5 s',
        },
      });
      expect(refused.headers.get('retry-after')).toBe('5');
    });

    it.each([['/api/facets'], ['/api/logs/histogram']])(
      '%s refuses a range wider than QUERY_MAX_RANGE with a 400 naming from',
      async (path) => {
        await expect(request(`${logyard.url}${path}?from=now-8d`, { headers: auth })).resolves.toMatchObject({
          status: 400,
          body: { field: 'from', message: expect.stringContaining('more than 7d') },
        });
      },
    );

    it('reads on a pool of its own, so the archiver never waits behind a query for a connection', async () => {
      await request(`${logyard.url}/api/logs?limit=1`, { headers: auth });
      const database = new URL(logyard.world.databaseUrl).pathname.slice(1);
      await expect(
        logyard.db.scalar(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'logyard-query'",
          [database],
        ),
      ).resolves.toBeGreaterThan(0);
    });
  });
});

/** connection pid → connection_name of every client connection, from `rabbitmqctl list_connections`. */
async function brokerConnections(): Promise<Map<string, string>> {
  const { stdout } = await promisify(execFile)(
    'rabbitmqctl',
    ['-q', 'list_connections', 'pid', 'client_properties', '--no-table-headers'],
    { timeout: 60_000 },
  );
  const names = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [pid, properties] = line.split('\t');
    const name = /connection_name","([^"]*)"/.exec(properties ?? '')?.[1];
    if (pid && name) names.set(pid, name);
  }
  return names;
}
