import { Body, Controller, Get, INestApplication, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { ConfigModule, loadConfig } from '@logyard/config';
import { IngestEndpoint } from './ingest-endpoint';
import { IngestRateLimiter } from './ingest-rate-limiter';

const TOKEN = 'ingest-token-0123456789';
const NOT_GZIP = Buffer.from('definitely not gzip');
// Not a JSON type, so supertest sends a Buffer as is instead of serialising it.
const BODY_TYPE = 'application/x-ndjson';

@Controller()
class ExampleController {
  @Post('ingest')
  @IngestEndpoint([BODY_TYPE])
  ingest(@Body() body: Buffer): { bytes: number; text: string } {
    return { bytes: body.length, text: body.toString('utf8') };
  }

  /** As Loki's protobuf push: a body that inflates, inside, to 1 KiB. */
  @Post('inflating')
  @IngestEndpoint([BODY_TYPE], () => 1024)
  inflating(): void {}

  @Get('open')
  open(): string {
    return 'open';
  }
}

async function startApp(env: Record<string, string>): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(loadConfig(env))],
    controllers: [ExampleController],
    providers: [IngestRateLimiter],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  await app.init();
  return app;
}

/** Every request here names its headers: which ones it leaves out is often what the case is about. */
function send(
  app: INestApplication,
  method: 'get' | 'post',
  path: string,
  body: Buffer | string,
  headers: Record<string, string>,
) {
  return request(app.getHttpServer())[method](path).set(headers).send(body);
}

/** Posts `body` to /ingest chunked, so without a Content-Length; resolves with the status. */
function postChunked(app: INestApplication, body: Buffer, headers: Record<string, string>): Promise<number> {
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return new Promise((resolve, reject) => {
    const post = httpRequest({ port, method: 'POST', path: '/ingest', headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    post.on('error', reject);
    // A write before end(): Node sends the body chunked instead of declaring its length.
    post.write(body);
    post.end();
  });
}

describe(IngestEndpoint.name, () => {
  let sut: INestApplication;
  /** A post to the endpoint with a valid token and body type, unless `headers` say otherwise. */
  const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
    send(sut, 'post', '/ingest', body, {
      Authorization: `Bearer ${TOKEN}`,
      'Content-Type': BODY_TYPE,
      ...headers,
    });

  beforeAll(async () => {
    sut = await startApp({ INGEST_TOKENS: TOKEN, BODY_LIMIT: '1kb' });
  });
  afterAll(() => sut.close());

  it('hands the handler the body as a Buffer, inflated from gzip or deflate', async () => {
    await post('{"message":"a"}').expect(201, { bytes: 15, text: '{"message":"a"}' });
    await post(gzipSync('{"message":"gz"}'), { 'Content-Encoding': 'gzip' }).expect(201, {
      bytes: 16,
      text: '{"message":"gz"}',
    });
    await post(deflateSync('{"message":"df"}'), { 'Content-Encoding': 'deflate' }).expect(201);
  });

  it('checks the token before the Content-Type and the body', async () => {
    await send(sut, 'post', '/ingest', NOT_GZIP, {
      'Content-Type': 'text/plain',
      'Content-Encoding': 'gzip',
    }).expect(401);
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded']])(
    'answers Content-Type %p with 415 Unsupported Media Type before reading the body',
    async (contentType) => {
      await post(NOT_GZIP, { 'Content-Type': contentType, 'Content-Encoding': 'gzip' }).expect(415, {
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: `Content-Type must be one of ${BODY_TYPE}; got ${contentType}`,
      });
    },
  );

  it.each([
    ['gzip', NOT_GZIP, 'body: not valid gzip'],
    ['gzip', gzipSync('{"message":"a"}').subarray(0, 12), 'body: not valid gzip'],
    ['deflate', NOT_GZIP, 'body: not valid deflate'],
  ])('answers a broken %s body with a clean 400, no zlib message', async (encoding, body, message) => {
    await post(body, { 'Content-Encoding': encoding }).expect(400, {
      statusCode: 400,
      error: 'Bad Request',
      message,
    });
  });

  it.each([['br'], ['zstd'], ['compress']])('refuses Content-Encoding %p as 415', async (encoding) => {
    await post(NOT_GZIP, { 'Content-Encoding': encoding }).expect(415, {
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: `Content-Encoding must be gzip or deflate (or none), got ${encoding}`,
    });
  });

  it('answers 413 to a body over BODY_LIMIT after inflation', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024, 'a'));
    expect(bomb.length).toBeLessThan(1024);
    await post(bomb, { 'Content-Encoding': 'gzip' }).expect(413, {
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'body exceeds BODY_LIMIT of 1024 bytes (after decompression)',
    });
  });

  it('sends no body-reading error to routes without IngestEndpoint', async () => {
    await send(sut, 'get', '/open', NOT_GZIP, {
      'Content-Encoding': 'gzip',
      'Content-Type': 'application/json',
    }).expect(200, 'open');
  });

  describe('with a rate limit', () => {
    let limited: INestApplication;

    beforeAll(async () => {
      limited = await startApp({ INGEST_RATE_LIMIT: '100', INGEST_RATE_BURST: '100' });
    });
    afterAll(() => limited.close());

    it('counts senders by address without tokens and answers 429 with Retry-After', async () => {
      const postAsAnyone = () =>
        send(limited, 'post', '/ingest', `{"message":"${'x'.repeat(200)}"}`, {
          'Content-Type': BODY_TYPE,
          Authorization: `Bearer ${Math.random()}`,
        });
      await postAsAnyone().expect(201);
      // A new made-up token on each request does not open a new budget when tokens are off.
      const refused = await postAsAnyone().expect(429);
      // 1 s of window, then 115 bytes over at 100 bytes per second: about 2.2 s, in whole seconds.
      const retryAfter = refused.headers['retry-after'];
      expect(['2', '3']).toContain(retryAfter);
      expect(refused.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `this sender posted more than INGEST_RATE_LIMIT allows; retry after ${retryAfter} s`,
      });
    });

    it('charges a body that inflates inside what it inflates to', async () => {
      const app = await startApp({ INGEST_RATE_LIMIT: '1kb', INGEST_RATE_BURST: '1kb' });
      try {
        await send(app, 'post', '/inflating', 'x', { 'Content-Type': BODY_TYPE }).expect(201);
        await send(app, 'post', '/ingest', '{}', { 'Content-Type': BODY_TYPE }).expect(429);
      } finally {
        await app.close();
      }
    });

    it('charges a gzip body that fails to inflate the whole BODY_LIMIT, though it came chunked', async () => {
      const app = await startApp({ INGEST_RATE_LIMIT: '1kb', INGEST_RATE_BURST: '1kb', BODY_LIMIT: '1kb' });
      try {
        await app.listen(0, '127.0.0.1');
        const withoutTrailer = gzipSync(Buffer.alloc(900)).subarray(0, -8);
        const headers = { 'Content-Type': BODY_TYPE, 'Content-Encoding': 'gzip' };
        expect(await postChunked(app, withoutTrailer, headers)).toBe(400);
        await send(app, 'post', '/ingest', '{}', { 'Content-Type': BODY_TYPE }).expect(429);
      } finally {
        await app.close();
      }
    });
  });
});
