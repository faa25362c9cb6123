import amqplib, { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { randomBytes, randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { REASON_HEADER, topologyNames } from '@logyard/amqp';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { LogPage as Page, LogRecord, SEVERITIES } from '@logyard/contracts';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { request } from '../support/http';

type Histogram = { interval: string; buckets: { ts: string; counts: Record<string, number> }[] };
type Outgoing = Partial<LogRecord> & { message: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ZERO = { trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0 };

/** The wire form of a time: ISO UTC with microseconds. */
const wire = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/** A facet's values as the API lists them, most frequent first, from `{ value: count }` in that order. */
const counts = (values: Record<string, number>) =>
  Object.entries(values).map(([value, count]) => ({ value, count }));

describe('query API: search, histogram, facets, live paging, AMQP RPC, OpenAPI', () => {
  let logyard: IsolatedLogyard;
  let amqp: ChannelModel;
  const now = Date.now();
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const trace = randomBytes(16).toString('hex');
  // The histogram's records sit in one whole past hour, so bucket edges are known exactly.
  const hour = Math.floor((now - 3 * HOUR) / HOUR) * HOUR;
  const minute = (m: number) => hour + m * MINUTE;

  const shop: Outgoing[] = [
    ['web-1', 'error', 'payment declined by issuer', 5 * MINUTE, 'eu', trace],
    ['web-1', 'info', 'payment accepted', 5 * MINUTE + 1000, 'eu'],
    ['web-2', 'warn', 'card declined: insufficient funds', 6 * MINUTE, 'eu'],
    ['web-2', 'error', 'timeout contacting payment gateway', 7 * MINUTE, 'us', trace],
    ['web-1', 'info', 'order shipped', 8 * MINUTE, 'us'],
    ['web-3', 'warn', 'payment declined, retry scheduled', 9 * MINUTE, 'us'],
    ['web-3', 'debug', 'cache warmed', 2 * HOUR, 'eu'],
    ['web-3', 'info', 'nightly report sent', 2 * HOUR + MINUTE],
    ['web-1', 'info', 'weekly payment summary', 3 * DAY],
  ].map(([host, severity, message, age, region, traceId]) => ({
    id: uuidv7(),
    host: host as string,
    service: 'shop',
    severity: severity as LogRecord['severity'],
    message: message as string,
    ts: ago(age as number),
    attributes: region ? { region } : {},
    ...(traceId ? { traceId: traceId as string } : {}),
  }));
  const ledger: Outgoing = {
    host: 'db-1',
    service: 'ledger',
    message: 'ledger entry written',
    ts: ago(5 * MINUTE + 500),
    traceId: trace.toUpperCase(),
  };
  const histogramRecords: Outgoing[] = (
    [
      [1, 'error', 3],
      [2, 'warn', 1],
      [16, 'error', 2],
      [16, 'info', 4],
      [50, 'fatal', 1],
    ] as const
  ).flatMap(([at, severity, count]) =>
    Array.from({ length: count }, (_, i) => ({
      host: 'batch-1',
      service: 'hist',
      severity,
      message: `hist ${severity} ${i}`,
      ts: new Date(minute(at) + i).toISOString(),
    })),
  );

  async function ingest(records: Outgoing[]): Promise<void> {
    const response = await request(`${logyard.url}/ingest`, { body: records });
    expect(response).toMatchObject({ status: 202, body: { accepted: records.length, rejected: 0 } });
  }

  async function get<T>(path: string): Promise<T> {
    const response = await request<T>(`${logyard.url}${path}`);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return response.body;
  }

  const messages = async (query: string) =>
    (await get<Page>(`/api/logs?limit=1000&${query}`)).items.map((record) => record.message);

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
    amqp = await amqplib.connect(logyard.world.amqpUrl);
    await ingest([...shop, ledger, ...histogramRecords]);
    await logyard.db.awaitCount(21);
  });

  afterAll(async () => {
    await amqp?.close();
    await logyard?.close();
  });

  describe('GET /api/logs', () => {
    it.each([
      [
        'words',
        'declined',
        [
          'payment declined by issuer',
          'card declined: insufficient funds',
          'payment declined, retry scheduled',
        ],
      ],
      ['every word', 'declined payment', ['payment declined by issuer', 'payment declined, retry scheduled']],
      ['a phrase', '"payment declined"', ['payment declined by issuer', 'payment declined, retry scheduled']],
      [
        '-word',
        'payment -declined',
        ['payment accepted', 'timeout contacting payment gateway', 'weekly payment summary'],
      ],
      ['or', 'timeout or shipped', ['timeout contacting payment gateway', 'order shipped']],
    ])('finds full text by %s (q=%s)', async (_kind, q, expected) => {
      await expect(messages(`service=shop&q=${encodeURIComponent(q)}`)).resolves.toEqual(expected);
    });

    it('filters on attributes, alone and with full text', async () => {
      await expect(messages('service=shop&attr.region=eu')).resolves.toEqual([
        'payment declined by issuer',
        'payment accepted',
        'card declined: insufficient funds',
        'cache warmed',
      ]);
      await expect(messages('attr.region=us&q=declined')).resolves.toEqual([
        'payment declined, retry scheduled',
      ]);
      await expect(messages('attr.region=mars')).resolves.toEqual([]);
    });

    it('finds every record of a trace across services, whatever the case of the id', async () => {
      const expected = [
        'payment declined by issuer',
        'ledger entry written',
        'timeout contacting payment gateway',
      ];
      await expect(messages(`traceId=${trace}`)).resolves.toEqual(expected);
      await expect(messages(`traceId=${trace.toUpperCase()}`)).resolves.toEqual(expected);
    });

    it.each([
      ['from=now-15m', 6],
      ['from=now-15m&minSeverity=warn', 4],
      ['from=now-3h', 8],
      ['from=now-7d', 9],
      ['to=now-1h', 3],
      ['from=now-1d&to=now-1h', 2],
      [`from=${ago(10 * MINUTE)}&to=${now - 6 * MINUTE}`, 3],
    ])('reads relative and absolute times (%s)', async (range, count) => {
      await expect(messages(`service=shop&${range}`)).resolves.toHaveLength(count);
    });

    // PostgreSQL cannot take NUL in a text parameter: it answered 500.
    it.each([
      ['q=a%00b', 'q'],
      ['service=shop%00', 'service'],
      ['host=%00', 'host'],
      ['contains=%00x', 'contains'],
      ['attr.region=eu%00', 'attr.region'],
    ])('refuses NUL in %s with a 400 naming %s', async (query, field) => {
      await expect(request(`${logyard.url}/api/logs?${query}`)).resolves.toMatchObject({
        status: 400,
        body: { field, message: expect.stringContaining('NUL') },
      });
    });
  });

  describe('GET /api/logs/histogram', () => {
    const range = `from=${wire(minute(0))}&to=${wire(minute(60))}`;

    it('counts each bucket per severity exactly as seeded, empty buckets included', async () => {
      await expect(get<Histogram>(`/api/logs/histogram?service=hist&${range}&interval=15m`)).resolves.toEqual(
        {
          interval: '15m',
          buckets: [
            { ts: wire(minute(0)), counts: { ...ZERO, error: 3, warn: 1 } },
            { ts: wire(minute(15)), counts: { ...ZERO, error: 2, info: 4 } },
            { ts: wire(minute(30)), counts: ZERO },
            { ts: wire(minute(45)), counts: { ...ZERO, fatal: 1 } },
          ],
        },
      );
    });

    it('keys counts by the severities asked for', async () => {
      const sut = await get<Histogram>(`/api/logs/histogram?${range}&interval=1h&minSeverity=error`);
      expect(sut.buckets).toEqual([{ ts: wire(minute(0)), counts: { error: 5, fatal: 1 } }]);
    });

    it('chooses the interval from the range, 30s for an hour', async () => {
      const sut = await get<Histogram>(`/api/logs/histogram?service=hist&${range}`);
      expect(sut.interval).toBe('30s');
      expect(sut.buckets).toHaveLength(120);
      expect(sut.buckets.filter((bucket) => Object.values(bucket.counts).some(Boolean))).toEqual([
        { ts: wire(minute(1)), counts: { ...ZERO, error: 3 } },
        { ts: wire(minute(2)), counts: { ...ZERO, warn: 1 } },
        { ts: wire(minute(16)), counts: { ...ZERO, error: 2, info: 4 } },
        { ts: wire(minute(50)), counts: { ...ZERO, fatal: 1 } },
      ]);
    });

    it('covers the last 24 hours by default', async () => {
      const sut = await get<Histogram>('/api/logs/histogram?service=shop');
      expect(sut.interval).toBe('15m');
      const total = sut.buckets.reduce(
        (sum, b) => sum + Object.values(b.counts).reduce((a, n) => a + n, 0),
        0,
      );
      expect(total).toBe(8);
    });

    it.each([
      ['interval=2m', 'interval'],
      ['interval=1s&from=now-7d', 'interval'],
      ['limit=10', 'limit'],
      ['cursor=abc', 'cursor'],
      ['from=now+1h', 'from'],
    ])('refuses %s, naming %s', async (query, field) => {
      await expect(request(`${logyard.url}/api/logs/histogram?${query}`)).resolves.toMatchObject({
        status: 400,
        body: { field },
      });
    });
  });

  describe('GET /api/facets', () => {
    it('counts hosts, services and severities over the last 24 hours, most frequent first', async () => {
      await expect(get('/api/facets')).resolves.toEqual({
        hosts: counts({ 'batch-1': 11, 'web-1': 3, 'web-3': 3, 'web-2': 2, 'db-1': 1 }),
        services: counts({ hist: 11, shop: 8, ledger: 1 }),
        severities: counts({ info: 8, error: 7, warn: 3, debug: 1, fatal: 1 }),
      });
    });

    it('applies the filters of /api/logs', async () => {
      await expect(get('/api/facets?service=shop&from=now-15m')).resolves.toEqual({
        hosts: counts({ 'web-1': 3, 'web-2': 2, 'web-3': 1 }),
        services: counts({ shop: 6 }),
        severities: counts({ info: 2, warn: 2, error: 2 }),
      });
      await expect(get('/api/facets?q=nothing-matches-this')).resolves.toEqual({
        hosts: [],
        services: [],
        severities: [],
      });
    });
  });

  describe('AMQP RPC on the rpc queue', () => {
    let channel: Channel;
    const replies = new Map<string, ConsumeMessage>();

    beforeAll(async () => {
      channel = await amqp.createChannel();
      // Direct reply-to: the pseudo-queue must be consumed, no-ack, before requests name it.
      await channel.consume('amq.rabbitmq.reply-to', (m) => m && replies.set(m.properties.correlationId, m), {
        noAck: true,
      });
    });

    afterAll(async () => {
      await channel?.close();
    });

    async function call(body: unknown): Promise<{ message: ConsumeMessage; reply: unknown }> {
      const correlationId = randomUUID();
      channel.sendToQueue(
        topologyNames(logyard.world.prefix).rpc,
        Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
        { replyTo: 'amq.rabbitmq.reply-to', correlationId, contentType: 'application/json' },
      );
      const message = await waitFor('the RPC reply', () => replies.get(correlationId));
      return { message, reply: JSON.parse(message.content.toString()) };
    }

    it('answers exactly what GET /api/logs answers, page after page', async () => {
      const params = { service: 'shop', severity: ['warn', 'error'], limit: '3' };
      const first = await call(params);
      expect(first.message.properties).toMatchObject({ contentType: 'application/json' });
      const http = await get<Page>('/api/logs?service=shop&severity=warn&severity=error&limit=3');
      expect(first.reply).toEqual(http);
      expect(http.items).toHaveLength(3);

      const second = await call({ ...params, cursor: http.nextCursor });
      const httpSecond = await get<Page>(
        `/api/logs?service=shop&severity=warn&severity=error&limit=3&cursor=${http.nextCursor}`,
      );
      expect(second.reply).toEqual(httpSecond);
      expect(httpSecond).toMatchObject({
        items: [{ message: 'payment declined, retry scheduled' }],
        nextCursor: null,
      });

      await expect(call({ traceId: trace, q: 'payment' })).resolves.toMatchObject({
        reply: await get<Page>(`/api/logs?traceId=${trace}&q=payment`),
      });
    });

    it('answers a bad parameter with the error HTTP gives, and a non-JSON body naming body', async () => {
      const http = await request<{ message: string }>(`${logyard.url}/api/logs?limit=0`);
      await expect(call({ limit: '0' })).resolves.toMatchObject({
        reply: { error: { statusCode: 400, field: 'limit', message: http.body.message } },
      });
      await expect(call({ sevrity: 'error' })).resolves.toMatchObject({
        reply: { error: { statusCode: 400, field: 'sevrity' } },
      });
      await expect(call(Buffer.from('service=shop'))).resolves.toMatchObject({
        reply: {
          error: { statusCode: 400, field: 'body', message: expect.stringContaining('not valid JSON') },
        },
      });
    });

    it('dead-letters a request without reply_to, and acks every request', async () => {
      const names = topologyNames(logyard.world.prefix);
      channel.sendToQueue(names.rpc, Buffer.from('{"service":"shop"}'), { correlationId: 'lost' });
      const letter = await waitFor('the dead letter', () => channel.get(names.deadQueue, { noAck: true }));
      expect(letter.content.toString()).toBe('{"service":"shop"}');
      expect(String(letter.properties.headers?.[REASON_HEADER])).toMatch(/without reply_to/);
      await expect(channel.checkQueue(names.rpc)).resolves.toMatchObject({ messageCount: 0 });
    });
  });

  describe('OpenAPI', () => {
    it('documents every endpoint the all-in-one app serves', async () => {
      const doc = await get<{ paths: Record<string, Record<string, unknown>> }>('/api/docs-json');
      const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method} ${path}`),
      );
      // Express 5's router holds one layer per route Nest registered; swagger's own are not endpoints.
      const layers: { route?: { path: string; methods: Record<string, boolean> } }[] = logyard.app
        .getHttpAdapter()
        .getInstance().router.stack;
      const served = layers
        .flatMap((layer) =>
          layer.route ? Object.keys(layer.route.methods).map((m) => `${m} ${layer.route!.path}`) : [],
        )
        .filter((route) => !route.includes('/api/docs'))
        .map((route) => route.replace(/:(\w+)/g, '{$1}'));
      expect(documented.sort()).toEqual(expect.arrayContaining(served.sort()));
      expect(documented).toEqual(
        expect.arrayContaining([
          'post /ingest',
          'get /tail',
          'get /api/logs',
          'get /api/logs/{id}',
          'get /api/logs/histogram',
          'get /api/facets',
          'get /health/live',
          'get /health/ready',
          'get /metrics',
        ]),
      );
    });

    it('documents every refusal of every ingest route, in the error envelope', async () => {
      type Responses = Record<string, { content?: Record<string, { schema?: { properties?: object } }> }>;
      const doc = await get<{ paths: Record<string, { post: { responses: Responses } }> }>('/api/docs-json');
      for (const path of ['/ingest', '/loki/api/v1/push', '/v1/logs']) {
        const responses = doc.paths[path].post.responses;
        for (const status of ['401', '413', '415', '429', '503']) {
          expect({ path, status, schema: responses[status]?.content?.['application/json']?.schema }).toEqual({
            path,
            status,
            schema: expect.objectContaining({
              properties: expect.objectContaining({
                statusCode: expect.anything(),
                message: expect.anything(),
              }),
            }),
          });
        }
      }
    });

    it('serves Swagger UI with its assets', async () => {
      const page = await fetch(`${logyard.url}/api/docs`);
      expect(page.status).toBe(200);
      await expect(page.text()).resolves.toContain('swagger-ui');
      await expect(fetch(`${logyard.url}/api/docs/swagger-ui-bundle.js`)).resolves.toMatchObject({
        status: 200,
      });
    });
  });

  // Last: it keeps ingesting, which the exact counts above must not see.
  it('walks a live range while records keep arriving: every record stored before the walk once, none twice', async () => {
    const from = ago(HOUR + MINUTE);
    const stream = (count: number, ts: (i: number) => number): Outgoing[] =>
      Array.from({ length: count }, (_, i) => ({
        id: uuidv7(),
        host: 'stream-1',
        service: 'stream',
        severity: SEVERITIES[i % SEVERITIES.length],
        message: `stream ${i}`,
        ts: new Date(ts(i)).toISOString(),
      }));
    for (let i = 0; i < 4; i++) await ingest(stream(500, (j) => now - MINUTE - (i * 500 + j) * 1_700));
    const stored = () => logyard.db.scalar<number>(`SELECT count(*) FROM logs WHERE service = 'stream'`);
    await waitFor('the 2,000 records archived', async () => (await stored()) === 2000);

    // Meanwhile: records newer than the walk's start, and late ones with old timestamps inside the range.
    const late = new Set<string>();
    let stop = false;
    const ingesting = (async () => {
      while (!stop) {
        const fresh = stream(20, () => Date.now());
        const old = stream(20, () => now - MINUTE - Math.floor(Math.random() * 58 * MINUTE));
        old.forEach((record) => late.add(record.id!));
        await ingest([...fresh, ...old]);
        await new Promise((resolve) => setTimeout(resolve, 20)); // paces the load on a small machine
      }
    })();
    try {
      await waitFor('concurrent records arriving', async () => (await stored()) > 2000);
      const before = await logyard.db.rows<{ id: string }>(
        `SELECT id FROM logs WHERE service = 'stream' AND ts >= $1`,
        [from],
      );
      const seen: LogRecord[] = [];
      let firstPage = new Set<string>();
      for (let cursor: string | null = '', pages = 0; cursor !== null; pages++) {
        const count = await stored();
        const page: Page = await get<Page>(
          `/api/logs?service=stream&from=${from}&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
        );
        if (pages === 0) firstPage = new Set(page.items.map((r) => r.id));
        seen.push(...page.items);
        cursor = page.nextCursor;
        // Each next page is read only after more records committed, so the walk truly overlaps ingestion.
        if (cursor) await waitFor('more records committed', async () => (await stored()) > count);
      }

      const ids = seen.map((record) => record.id);
      expect(new Set(ids).size).toBe(ids.length);
      const keys = seen.map((record) => `${record.ts} ${record.id}`);
      expect(keys).toEqual([...keys].sort().reverse());
      const seenIds = new Set(ids);
      expect(before.filter(({ id }) => !seenIds.has(id))).toEqual([]);
      // Anything else seen is either on the first page or a late record that landed below the cursor.
      const beforeIds = new Set(before.map(({ id }) => id));
      expect(ids.filter((id) => !beforeIds.has(id) && !firstPage.has(id) && !late.has(id))).toEqual([]);
      expect(before.length).toBeGreaterThan(2000);
    } finally {
      stop = true;
      await ingesting;
    }
  });
});
