import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parse } from 'protobufjs';
import { compress } from 'snappyjs';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard } from '@logyard/testing';
import { LOKI_PUSH_PROTO } from '../../apps/collector/src/sources/loki/loki-protobuf.decoder';
import { metricValue } from '@logyard/observability';
import { postWhileBrokerAway } from '../support/broker-away';
import { request } from '../support/http';

/**
 * A service logging with pino through the pino-loki transport. It runs as a process of its own: the
 * transport's worker thread posts to the collector while end() blocks its caller's thread, which in this
 * process would be the collector's.
 */
const PINO_SERVICE = `
const pino = require('pino');
const { host, labels } = JSON.parse(process.argv[1]);
const target = require.resolve('pino-loki');
const transport = pino.transport({ target, options: { host, labels, batching: { interval: 0.1 } } });
const logger = pino({ level: 'info' }, transport);
logger.info({ orderId: 42 }, 'order placed');
logger.warn({ meta: { tenant: 'acme' } }, 'slow checkout');
logger.error({ err: new Error('card declined') }, 'payment declined');
logger.fatal('shutting down');
transport.end();
`;
const REPOSITORY = join(__dirname, '../..');
const PushRequest = parse(LOKI_PUSH_PROTO).root.lookupType('logproto.PushRequest');

const nanos = (date: Date) => `${BigInt(date.getTime()) * 1_000_000n}`;

describe('Loki push: POST /loki/api/v1/push → router → archiver → PostgreSQL', () => {
  let logyard: IsolatedLogyard;
  const push = () => `${logyard.url}/loki/api/v1/push`;
  const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
  const archived = (service: string, count: number) => logyard.db.archived(service, count);

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
  });

  afterAll(() => logyard?.close());

  it('archives what pino sends through the pino-loki transport', async () => {
    const app = unique('pino');
    await promisify(execFile)(
      process.execPath,
      ['-e', PINO_SERVICE, JSON.stringify({ host: logyard.url, labels: { app, env: 'e2e' } })],
      { cwd: REPOSITORY, timeout: 30_000 },
    );

    const stored = await archived(app, 4);
    expect(new Set(stored.map((row) => row.host))).toEqual(new Set([hostname()]));
    const byMessage = Object.fromEntries(stored.map((row) => [row.message, row]));
    expect(byMessage['order placed']).toMatchObject({
      severity: 9,
      attributes: { orderId: 42, env: 'e2e', pid: expect.any(Number) },
    });
    expect(byMessage['slow checkout']).toMatchObject({ severity: 13, attributes: { tenant: 'acme' } });
    expect(byMessage['payment declined']).toMatchObject({
      severity: 17,
      attributes: { err: { type: 'Error', message: 'card declined' } },
    });
    expect(byMessage['shutting down']).toMatchObject({ severity: 21 });
    // pino's own `time` stays an attribute; the record's ts is Loki's timestamp (here the same instant).
    expect(byMessage['order placed'].ts.getTime()).toBe(byMessage['order placed'].attributes.time);
  });

  it('accepts a gzip-compressed JSON push with structured metadata, answering 204', async () => {
    const job = unique('loki-json');
    const response = await request(push(), {
      body: gzipSync(
        JSON.stringify({
          streams: [
            {
              stream: { job, instance: 'db-2:9100', level: 'warning', region: 'eu' },
              values: [
                [nanos(new Date('2026-11-24T10:00:00.123Z')), 'disk 91% full'],
                [nanos(new Date('2026-11-24T10:00:01Z')), 'disk 92% full', { trace_id: 'abc' }],
              ],
            },
          ],
        }),
      ),
      headers: { 'content-encoding': 'gzip' },
    });
    expect(response.status).toBe(204);
    await expect(archived(job, 2)).resolves.toEqual([
      expect.objectContaining({
        ts: new Date('2026-11-24T10:00:00.123Z'),
        host: 'db-2:9100',
        severity: 13,
        message: 'disk 91% full',
        attributes: { region: 'eu' },
      }),
      expect.objectContaining({ message: 'disk 92% full', attributes: { region: 'eu', trace_id: 'abc' } }),
    ]);
  });

  it('accepts a snappy-compressed protobuf push, as Promtail and Alloy send it', async () => {
    const service = unique('loki-proto');
    const body = Buffer.from(
      compress(
        PushRequest.encode(
          PushRequest.fromObject({
            streams: [
              {
                labels: `{service_name="${service}", host="web-3", detected_level="error"}`,
                entries: [
                  { timestamp: { seconds: 1764000000, nanos: 123456000 }, line: 'upstream timed out' },
                  {
                    timestamp: { seconds: 1764000001 },
                    line: '{"level":"info","msg":"retried","attempt":2}',
                    structuredMetadata: [{ name: 'pod', value: 'api-7' }],
                  },
                ],
              },
            ],
          }),
        ).finish(),
      ),
    );
    const response = await request(push(), { body, contentType: 'application/x-protobuf' });
    expect(response.status).toBe(204);
    await expect(archived(service, 2)).resolves.toEqual([
      expect.objectContaining({ host: 'web-3', severity: 17, message: 'upstream timed out' }),
      // The label's severity wins over the line's level.
      expect.objectContaining({ severity: 17, message: 'retried', attributes: { attempt: 2, pod: 'api-7' } }),
    ]);
  });

  it('refuses a push without streams, names refused entries while keeping the rest, and stays ready', async () => {
    for (const body of [{}, { streams: [] }]) {
      await expect(request(push(), { body })).resolves.toMatchObject({
        status: 400,
        body: { message: 'streams: a Loki push needs a non-empty "streams" array' },
      });
    }
    await expect(
      request(push(), { body: Buffer.from('not snappy'), contentType: 'application/x-protobuf' }),
    ).resolves.toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^body is not a snappy-compressed Loki PushRequest: /) },
    });
    // Six bytes that looped the collector's event loop forever while it decompressed with snappyjs.
    await expect(
      request(push(), {
        body: Buffer.from([10, 0xfc, 0xfa, 0xff, 0xff, 0xff]),
        contentType: 'application/x-protobuf',
      }),
    ).resolves.toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/: snappy: literal at byte 1 runs past the body$/) },
    });

    const job = unique('loki-partial');
    const partial = await request(push(), {
      body: {
        streams: [
          {
            stream: { job },
            values: [
              [nanos(new Date()), 'kept'],
              [1764000000, 'numeric timestamp'],
            ],
          },
        ],
      },
    });
    expect(partial).toMatchObject({
      status: 400,
      body: {
        message: '1 of 2 entries refused; the others were accepted',
        accepted: 1,
        rejected: 1,
        errors: [{ path: 'streams[0].values[1]', error: expect.stringMatching(/^timestamp: 1764000000 /) }],
      },
    });
    await archived(job, 1);
    await expect(request(`${logyard.url}/health/ready`)).resolves.toMatchObject({ status: 200 });
    await expect(metricValue(logyard.url, 'logyard_records_rejected_total', 'source="loki"')).resolves.toBe(
      1,
    );
  });
});

describe('Loki push while the broker is away', () => {
  it('answers 503 with Retry-After, so the client retries', async () => {
    const response = await postWhileBrokerAway('/loki/api/v1/push', {
      streams: [{ stream: { job: 'x' }, values: [[nanos(new Date()), 'lost?']] }],
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });
});
