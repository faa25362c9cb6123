import amqplib, { ChannelModel, GetMessage } from 'amqplib';
import { v7 as uuidv7 } from 'uuid';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { REASON_HEADER, COUNT_HEADER, topologyNames } from '@logyard/amqp';
import { LogPage as Page, LogRecord, SEVERITIES, Severity } from '@logyard/contracts';
import { RouterModule } from '@logyard/router';
import type { RunningLogyard, TestEnvironment } from '@logyard/testing';
import { createTestEnvironment, DatabaseProbe, startLogyard, waitFor } from '@logyard/testing';
import { metricValue } from '@logyard/observability';
import { request } from '../support/http';

/** Mixed-case aliases for every severity, as real senders spell them. */
const ALIASES: Record<Severity, string[]> = {
  trace: ['TRACE', 'Verbose', 'finest', '10'],
  debug: ['Debug', 'FINE', 'debug', '20'],
  info: ['Info', 'NOTICE', 'information', '30'],
  warn: ['WARNING', 'Warn', 'warn', '40'],
  error: ['ERR', 'Error', 'error', '50'],
  fatal: ['CRITICAL', 'Panic', 'emerg', '60'],
};
const DOTTED_HOST = 'Web-1.prod.example.com';
describe('pipeline: collector → router → archive queues → archiver → PostgreSQL', () => {
  let world: TestEnvironment;
  let ingress: RunningLogyard;
  let archiver: RunningLogyard | undefined;
  let db: DatabaseProbe;
  let amqp: ChannelModel;
  const names = () => topologyNames(world.prefix);

  beforeAll(async () => {
    world = createTestEnvironment();
    ingress = await startLogyard([CollectorModule, RouterModule], world.env);
    amqp = await amqplib.connect(world.amqpUrl);
  });

  afterAll(async () => {
    await archiver?.close();
    await ingress?.close();
    await db?.close();
    await amqp?.close();
    await world?.dispose();
  });

  it('routes 1,200 records of six severities into their own archive queues, then stores each exactly once', async () => {
    const sent = SEVERITIES.flatMap((severity) =>
      Array.from({ length: 200 }, (_, i) => ({
        id: uuidv7(),
        host: i % 2 ? DOTTED_HOST : 'db-2',
        service: i % 3 ? 'checkout' : 'Payments API',
        severity: ALIASES[severity][i % ALIASES[severity].length],
        message: `${severity} line ${i}`,
        attributes: { n: i },
      })),
    );
    for (let start = 0; start < sent.length; start += 400) {
      const response = await request(`${ingress.url}/ingest`, { body: sent.slice(start, start + 400) });
      expect(response).toMatchObject({ status: 202, body: { accepted: 400, rejected: 0, errors: [] } });
    }

    // Only the collector and router run yet: every record must be waiting in its severity's archive queue.
    await waitFor(
      'all records routed',
      async () => (await metricValue(ingress.url, 'logyard_records_routed_total')) === 1200,
    );
    const channel = await amqp.createChannel();
    for (const severity of SEVERITIES) {
      const messages: GetMessage[] = [];
      for (let message; (message = await channel.get(names().archive[severity]));) messages.push(message);
      const records = messages.flatMap((m) => JSON.parse(m.content.toString()) as LogRecord[]);
      expect(records).toHaveLength(200);
      expect(new Set(records.map((r) => r.severity))).toEqual(new Set([severity]));
      for (const message of messages) {
        expect(message.properties).toMatchObject({ contentType: 'application/json', deliveryMode: 2 });
        expect(message.properties.headers?.[COUNT_HEADER]).toBe(
          JSON.parse(message.content.toString()).length,
        );
      }
    }
    await channel.close(); // unacked: the broker requeues them for the archiver

    archiver = await startLogyard([ArchiverModule], world.env);
    db = await DatabaseProbe.open(world.databaseUrl);
    await waitFor('1,200 rows', async () => (await db.scalar('SELECT count(*) FROM logs')) === 1200);
    await expect(db.scalar('SELECT count(DISTINCT id) FROM logs')).resolves.toBe(1200);
    await expect(
      db.rows('SELECT severity, count(*)::int AS n FROM logs GROUP BY severity ORDER BY severity'),
    ).resolves.toEqual([1, 5, 9, 13, 17, 21].map((severity) => ({ severity, n: 200 })));
    await expect(db.scalar('SELECT count(*) FROM logs WHERE host = $1', [DOTTED_HOST])).resolves.toBe(600);
    await expect(db.scalar(`SELECT count(*) FROM logs WHERE service = 'Payments API'`)).resolves.toBe(402);
    const ids = await db.rows<{ id: string }>('SELECT id FROM logs');
    expect(new Set(ids.map((row) => row.id))).toEqual(new Set(sent.map((record) => record.id)));
  });

  it('walks every record exactly once, newest first, when paging with limit=250', async () => {
    const seen: LogRecord[] = [];
    let pages = 0;
    for (let cursor: string | null = ''; cursor !== null; pages++) {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page: { status: number; body: Page } = await request<Page>(
        `${archiver!.url}/api/logs?limit=250${query}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(1200);
    expect(new Set(seen.map((r) => r.id)).size).toBe(1200);
    const keys = seen.map((r) => `${r.ts} ${r.id}`);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('archives a plain-text body published by a raw AMQP client with key test.mysql.error', async () => {
    const channel = await amqp.createChannel();
    // Exactly what the classic tutorial publisher sends: no content type, no headers.
    channel.publish(names().ingest, 'test.mysql.error', Buffer.from('Run. Run. Or it will explode.'));
    await channel.close();
    const page = await waitFor('the plain-text record', async () => {
      const { body } = await request<Page>(`${archiver!.url}/api/logs?host=test&service=mysql`);
      return body.items.length > 0 && body.items;
    });
    expect(page).toHaveLength(1);
    expect(page[0]).toMatchObject({
      host: 'test',
      service: 'mysql',
      severity: 'error',
      message: 'Run. Run. Or it will explode.',
    });
  });

  it('delivers only errors to a subscriber bound *.*.error on the logs exchange', async () => {
    const channel = await amqp.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, names().logs, '*.*.error');
    const received: LogRecord[] = [];
    await channel.consume(
      queue,
      (m) => m && received.push(...(JSON.parse(m.content.toString()) as LogRecord[])),
      {
        noAck: true,
      },
    );
    const tag = `sub-${uuidv7()}`;
    const batch = SEVERITIES.flatMap((severity) =>
      Array.from({ length: 5 }, (_, i) => ({
        severity,
        service: tag,
        host: `h${i}`,
        message: `${severity} ${i}`,
      })),
    );
    expect((await request(`${ingress.url}/ingest`, { body: batch })).status).toBe(202);
    // Once every record is archived the router has published them all; the subscriber queue then holds
    // everything it will ever get, so an empty queue means we have seen it all.
    await waitFor(
      'all 30 archived',
      async () => (await db.scalar('SELECT count(*) FROM logs WHERE service = $1', [tag])) === 30,
    );
    await waitFor('subscriber drained', async () => (await channel.checkQueue(queue)).messageCount === 0);
    const mine = received.filter((r) => r.service === tag);
    expect(mine).toHaveLength(5);
    expect(mine.every((r) => r.severity === 'error')).toBe(true);
    expect(received.every((r) => r.severity === 'error')).toBe(true);
    await channel.close();
  });

  it('dead-letters malformed messages with their reason while the pipeline keeps flowing', async () => {
    const channel = await amqp.createChannel();
    const goodId = uuidv7();
    channel.publish(names().ingest, 'app.api.error', Buffer.from('{"message": "unterminated'), {
      contentType: 'application/json',
    });
    channel.publish(names().ingest, 'two.words', Buffer.from('no severity word'));
    channel.publish(
      names().ingest,
      'app.api.info',
      Buffer.from(
        JSON.stringify([
          { id: goodId, message: 'fine' },
          { message: 'bad', ts: 'yesterday-ish' },
        ]),
      ),
      { contentType: 'application/json' },
    );
    const dead = await waitFor('three dead letters', async () => {
      const { messageCount } = await channel.checkQueue(names().deadQueue);
      return messageCount >= 3 && messageCount;
    });
    expect(dead).toBe(3);
    const letters: GetMessage[] = [];
    for (let m; (m = await channel.get(names().deadQueue, { noAck: true }));) letters.push(m);
    const reasons = letters.map((m) => String(m.properties.headers?.[REASON_HEADER]));
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringContaining('not valid JSON'),
        expect.stringContaining('"two.words" has no severity word'),
        expect.stringMatching(/^record 1: ts: /),
      ]),
    );
    expect(letters.find((m) => m.fields.routingKey === 'app.api.error')?.content.toString()).toBe(
      '{"message": "unterminated',
    );
    await channel.close();

    const after = await request(`${ingress.url}/ingest`, {
      body: { message: 'still flowing', service: 'after-dead' },
    });
    expect(after.status).toBe(202);
    await waitFor('records after the poison archived', async () => {
      const n = await db.scalar(`SELECT count(*) FROM logs WHERE id = $1 OR service = 'after-dead'`, [
        goodId,
      ]);
      return n === 2;
    });
  });

  it('keeps the valid records of a mixed HTTP batch and reports the invalid ones by index', async () => {
    const good = [uuidv7(), uuidv7()];
    const response = await request(`${ingress.url}/ingest`, {
      body: [
        { id: good[0], message: 'ok 1' },
        { severity: 'error' },
        { id: good[1], message: 'ok 2', severity: 'warning' },
        { message: 'late', ts: 'not a time' },
        { message: 'loud', severity: 'LOUD' },
      ],
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      accepted: 2,
      rejected: 3,
      errors: [
        { index: 1, error: 'message is required' },
        { index: 3, error: expect.stringMatching(/^ts: /) },
        { index: 4, error: expect.stringMatching(/^severity: /) },
      ],
    });
    await waitFor(
      'both valid records archived',
      async () => (await db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1)', [good])) === 2,
    );
  });

  it('accepts NDJSON and refuses bodies with nothing valid or over BODY_LIMIT', async () => {
    const ndjson = await request(`${ingress.url}/ingest`, {
      body: '{"message":"a"}\n\n{"message":"b","severity":"debug"}\nnot json\n',
      contentType: 'application/x-ndjson',
    });
    expect(ndjson).toMatchObject({ status: 202, body: { accepted: 2, rejected: 1, errors: [{ index: 2 }] } });

    const nothing = await request(`${ingress.url}/ingest`, { body: [{ severity: 'info' }] });
    expect(nothing).toMatchObject({ status: 400, body: { accepted: 0, rejected: 1 } });
    const notJson = await request(`${ingress.url}/ingest`, {
      body: '{oops',
      contentType: 'application/json',
    });
    expect(notJson.status).toBe(400);

    const tooBig = await request(`${ingress.url}/ingest`, {
      body: { message: 'x'.repeat(11 * 1024 * 1024) },
    });
    expect(tooBig).toMatchObject({ status: 413, body: { message: expect.stringContaining('BODY_LIMIT') } });
  });

  it('serves a record by id, and 400s that name the bad parameter', async () => {
    const [first] = (await request<Page>(`${archiver!.url}/api/logs?limit=1`)).body.items;
    await expect(request(`${archiver!.url}/api/logs/${first.id}`)).resolves.toMatchObject({
      status: 200,
      body: first,
    });
    await expect(request(`${archiver!.url}/api/logs/${uuidv7()}`)).resolves.toMatchObject({ status: 404 });
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['from=yesterday', 'from'],
      ['severity=loud', 'severity'],
      ['cursor=abc', 'cursor'],
      ['sevrity=error', 'sevrity'],
    ]) {
      await expect(request(`${archiver!.url}/api/logs?${query}`)).resolves.toMatchObject({
        status: 400,
        body: { field },
      });
    }
    await expect(request(`${archiver!.url}/api/logs/not-a-uuid`)).resolves.toMatchObject({
      status: 400,
      body: { field: 'id' },
    });
  });

  it('filters by host, service, severity and minSeverity', async () => {
    const count = async (query: string) =>
      (await request<Page>(`${archiver!.url}/api/logs?limit=1000&${query}`)).body.items.length;
    await expect(count(`host=${DOTTED_HOST}&severity=fatal`)).resolves.toBe(100);
    await expect(count(`host=db-2&service=Payments%20API&severity=ERR`)).resolves.toBe(34);
    await expect(count('minSeverity=error&host=db-2&host=Web-1.prod.example.com')).resolves.toBe(400);
  });

  it('reports readiness and Prometheus metrics for every role', async () => {
    for (const app of [ingress, archiver!]) {
      await expect(request(`${app.url}/health/live`)).resolves.toMatchObject({ status: 200 });
      await expect(request(`${app.url}/health/ready`)).resolves.toMatchObject({
        status: 200,
        body: { ready: true },
      });
    }
    await expect(metricValue(ingress.url, 'logyard_records_accepted_total')).resolves.toBeGreaterThanOrEqual(
      1200,
    );
    await expect(metricValue(archiver!.url, 'logyard_records_archived_total')).resolves.toBeGreaterThan(0);
    await expect(metricValue(archiver!.url, 'logyard_archive_write_seconds_count')).resolves.toBeGreaterThan(
      0,
    );
  });
});
