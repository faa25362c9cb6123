import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { INamespace, Root } from 'protobufjs';
import { CollectorModule } from '@logyard/collector';
import { metricValue } from '@logyard/observability';
import { createTestEnvironment, RunningLogyard, startLogyard, TestEnvironment } from '@logyard/testing';
import otlpDescriptor from '../../apps/collector/src/sources/otlp/proto/otlp-logs.descriptor.json';

const INGEST_TOKEN = 'ingest-token-0123456789';
const OTHER_INGEST_TOKEN = 'ingest-token-abcdefghij';
const AUTH = { authorization: `Bearer ${INGEST_TOKEN}` };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read whatever came back
  json: any;
}

/** One raw HTTP exchange: any method may carry a body, which fetch refuses to send on GET. */
function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Node frames a GET body only when told its length.
    const length = init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) };
    const headers = { ...length, ...init.headers };
    const outgoing = httpRequest(url, { method: init.method ?? 'POST', headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', reject);
      incoming.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, bytes, text, json });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

const otlp = Root.fromJSON(otlpDescriptor as INamespace);
const ExportLogsServiceRequest = otlp.lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);
const ExportLogsServiceResponse = otlp.lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
);

/** Not gzip at all, yet labelled as gzip: inflating it fails at once. */
const NOT_GZIP = Buffer.from('definitely not gzip');

describe('hostile HTTP input', () => {
  describe('a collector behind INGEST_TOKENS', () => {
    let world: TestEnvironment;
    let logyard: RunningLogyard;

    beforeAll(async () => {
      world = createTestEnvironment({ INGEST_TOKENS: `${INGEST_TOKEN},${OTHER_INGEST_TOKEN}` });
      logyard = await startLogyard([CollectorModule], world.env);
    });

    afterAll(async () => {
      await logyard?.close();
      await world?.dispose();
    });

    it('answers 100,000 junk NDJSON lines in 232 gzipped bytes with the first 100 errors and a count', async () => {
      const body = gzipSync('a\n'.repeat(100_000));
      expect(body.length).toBe(232);
      const answer = await send(`${logyard.url}/ingest`, {
        headers: { ...AUTH, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
        body,
      });
      expect(answer.status).toBe(400);
      expect(answer.text.length).toBeLessThan(20_000);
      expect(answer.json).toMatchObject({ accepted: 0, rejected: 100_000, errorsOmitted: 99_900 });
      expect(answer.json.errors).toHaveLength(100);
      expect(answer.json.errors[99]).toMatchObject({ index: 99 });
    });

    it('never reads the body of a route that takes none', async () => {
      const answer = await send(`${logyard.url}/health/live`, {
        method: 'GET',
        headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
        body: NOT_GZIP,
      });
      expect(answer).toMatchObject({ status: 200 });
    });

    it.each([
      ['/ingest', 'application/json'],
      ['/v1/logs', 'application/json'],
      ['/loki/api/v1/push', 'application/json'],
    ])('checks the token of %s before reading its body', async (path, contentType) => {
      const answer = await send(`${logyard.url}${path}`, {
        headers: { 'content-type': contentType, 'content-encoding': 'gzip' },
        body: NOT_GZIP,
      });
      expect(answer.status).toBe(401);
    });

    it('answers a body that is not valid gzip with a clean 400', async () => {
      const answer = await send(`${logyard.url}/ingest`, {
        headers: { ...AUTH, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: NOT_GZIP,
      });
      expect(answer).toMatchObject({
        status: 400,
        json: { statusCode: 400, error: 'Bad Request', message: 'body: not valid gzip' },
      });
    });

    it('answers an unknown Content-Encoding 415 Unsupported Media Type', async () => {
      const answer = await send(`${logyard.url}/ingest`, {
        headers: { ...AUTH, 'content-type': 'application/json', 'content-encoding': 'br' },
        body: '{"message":"a"}',
      });
      expect(answer).toMatchObject({
        status: 415,
        json: { statusCode: 415, error: 'Unsupported Media Type' },
      });
      expect(answer.json.message).toMatch(/Content-Encoding/);
    });

    it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['multipart/form-data'], [undefined]])(
      'refuses /ingest with Content-Type %p as 415, the types a web page may post cross-origin',
      async (contentType) => {
        const answer = await send(`${logyard.url}/ingest`, {
          headers: { ...AUTH, ...(contentType ? { 'content-type': contentType } : {}) },
          body: '{"message":"a"}',
        });
        expect(answer).toMatchObject({
          status: 415,
          json: {
            statusCode: 415,
            error: 'Unsupported Media Type',
            message: expect.stringContaining('application/x-ndjson'),
          },
        });
      },
    );

    it('sends no X-Powered-By header', async () => {
      const answer = await send(`${logyard.url}/health/live`, { method: 'GET' });
      expect(answer.headers['x-powered-by']).toBeUndefined();
    });

    it('answers no CORS preflight while CORS_ORIGINS is unset', async () => {
      const answer = await send(`${logyard.url}/ingest`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('a collector with CORS_ORIGINS and a tight per-sender rate limit', () => {
    let world: TestEnvironment;
    let logyard: RunningLogyard;

    beforeAll(async () => {
      world = createTestEnvironment({
        INGEST_TOKENS: `${INGEST_TOKEN},${OTHER_INGEST_TOKEN}`,
        CORS_ORIGINS: 'https://ui.example, https://ops.example',
        INGEST_RATE_LIMIT: '1kb',
        INGEST_RATE_BURST: '4kb',
      });
      logyard = await startLogyard([CollectorModule], world.env);
    });

    afterAll(async () => {
      await logyard?.close();
      await world?.dispose();
    });

    it('answers a preflight from a listed origin and ignores any other origin', async () => {
      const preflight = (origin: string) =>
        send(`${logyard.url}/ingest`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const listed = await preflight('https://ops.example');
      expect(listed.headers['access-control-allow-origin']).toBe('https://ops.example');
      const other = await preflight('https://evil.example');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers a noisy sender 429 with Retry-After while another token still gets through', async () => {
      const ingest = (token: string) =>
        send(`${logyard.url}/ingest`, {
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'x'.repeat(3000) }),
        });
      await expect(ingest(INGEST_TOKEN)).resolves.toMatchObject({ status: 202 });
      await expect(ingest(INGEST_TOKEN)).resolves.toMatchObject({ status: 202 });
      const refused = await ingest(INGEST_TOKEN);
      expect(refused).toMatchObject({
        status: 429,
        json: {
          statusCode: 429,
          error: 'Too Many Requests',
          message: expect.stringContaining('INGEST_RATE'),
        },
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await expect(ingest(OTHER_INGEST_TOKEN)).resolves.toMatchObject({ status: 202 });
    });
  });
  describe('a collector with a 1 MB BODY_LIMIT, whose push formats state much in few bytes', () => {
    let world: TestEnvironment;
    let logyard: RunningLogyard;
    /** POST gzipped, as an exporter would: the body inflates to just under BODY_LIMIT. */
    const post = (path: string, contentType: string, body: Buffer) => {
      expect(body.length).toBeLessThan(1024 * 1024);
      return send(`${logyard.url}${path}`, {
        headers: { 'content-type': contentType, 'content-encoding': 'gzip' },
        body: gzipSync(body),
      });
    };
    const postOtlp = async (request: object) => {
      const body = ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request)).finish();
      const answer = await post('/v1/logs', 'application/x-protobuf', Buffer.from(body));
      const decoded = ExportLogsServiceResponse.decode(answer.bytes);
      return { status: answer.status, body: ExportLogsServiceResponse.toObject(decoded, { longs: Number }) };
    };
    const ready = () => send(`${logyard.url}/health/ready`, { method: 'GET' });

    beforeAll(async () => {
      world = createTestEnvironment({ BODY_LIMIT: '1mb' });
      logyard = await startLogyard([CollectorModule], world.env);
    });

    afterAll(async () => {
      await logyard?.close();
      await world?.dispose();
    });

    it('publishes no more of 100,000 empty OTLP log records, 2 bytes each, than the output budget pays for', async () => {
      const answer = await postOtlp({
        resourceLogs: [{ scopeLogs: [{ logRecords: Array(100_000).fill({}) }] }],
      });
      // 4 × BODY_LIMIT, at 152 bytes a record: its stamp and the `{}` of its shared attributes.
      const accepted = Math.floor((4 * 1024 * 1024) / 152);
      expect(answer).toMatchObject({
        status: 200,
        body: {
          partialSuccess: {
            rejectedLogRecords: 100_000 - accepted,
            errorMessage: expect.stringContaining('send fewer records per request'),
          },
        },
      });
      await expect(metricValue(logyard.url, 'logyard_records_accepted_total', 'source="otlp"')).resolves.toBe(
        accepted,
      );
      await expect(ready()).resolves.toMatchObject({ status: 200 });
    });

    it('refuses 500,000 empty OTLP log records unread: more protobuf messages than BODY_LIMIT pays for', async () => {
      const body = ExportLogsServiceRequest.encode(
        ExportLogsServiceRequest.fromObject({
          resourceLogs: [{ scopeLogs: [{ logRecords: Array(500_000).fill({}) }] }],
        }),
      ).finish();
      const answer = await post('/v1/logs', 'application/x-protobuf', Buffer.from(body));
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('body holds over 131072 protobuf messages');
      await expect(ready()).resolves.toMatchObject({ status: 200 });
    });

    it('answers 60,000 resource attributes over 60,000 empty scopes at once', async () => {
      const answer = await postOtlp({
        resourceLogs: [
          {
            resource: { attributes: Array.from({ length: 60_000 }, (_, i) => ({ key: `a${i}` })) },
            scopeLogs: Array(60_000).fill({}),
          },
        ],
      });
      expect(answer).toEqual({ status: 200, body: {} });
      await expect(ready()).resolves.toMatchObject({ status: 200 });
    });

    it('counts 300,000 refused Loki entries, 3 bytes each, and names the first 10', async () => {
      const body = Buffer.from(
        `{"streams":[{"stream":{"job":"x"},"values":[${Array(300_000).fill('[]')}]}]}`,
      );
      const answer = await post('/loki/api/v1/push', 'application/json', body);
      expect(answer).toMatchObject({ status: 400, json: { rejected: 300_000 } });
      expect(answer.json.errors).toHaveLength(10);
      await expect(ready()).resolves.toMatchObject({ status: 200 });
    });

    it('accepts no more of 60,000 tiny POST /ingest records than the output budget pays for', async () => {
      const body = Buffer.from(JSON.stringify(Array(60_000).fill({ message: 'm' })));
      const answer = await post('/ingest', 'application/json', body);
      // 4 × BODY_LIMIT at 150 bytes a record: its stamp, and no shared attributes.
      const accepted = Math.floor((4 * 1024 * 1024) / 150);
      expect(answer).toMatchObject({
        status: 202,
        json: { accepted, rejected: 60_000 - accepted, errorsOmitted: 60_000 - accepted - 100 },
      });
      expect(answer.json.errors[0]).toEqual({
        index: accepted,
        error: expect.stringContaining('send fewer records per request'),
      });
      await expect(metricValue(logyard.url, 'logyard_records_accepted_total', 'source="http"')).resolves.toBe(
        accepted,
      );
    });
  });
});
