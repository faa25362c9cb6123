import express, { Express } from 'express';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { BodyOptions, readRequestBody } from './request-body';

/** An app whose one route reads its body with `options` and answers what it read, or the refusal. */
function serve(options: BodyOptions): Express {
  const app = express();
  app.post('/', async (req, res) => {
    const body = await readRequestBody(req, options);
    if (body.ok) res.status(200).json({ bytes: body.value.length, text: body.value.toString('utf8') });
    else res.status(body.error.statusCode).json(body.error);
  });
  return app;
}

describe(readRequestBody.name, () => {
  const post = (options: BodyOptions) => request(serve(options)).post('/');
  const ingest: BodyOptions = { limit: 1024, limitName: 'BODY_LIMIT', inflate: true };
  const session: BodyOptions = { limit: 64, limitName: 'the session limit', inflate: false };

  it('reads a body whole, and no body as an empty one', async () => {
    expect((await post(ingest).send('hello')).body).toEqual({ bytes: 5, text: 'hello' });
    expect((await post(ingest)).body).toEqual({ bytes: 0, text: '' });
  });

  it('refuses a body over the limit, declared or sent without a length, naming the limit', async () => {
    const declared = await post(session).set('Content-Type', 'text/plain').send('x'.repeat(65));
    expect(declared.status).toBe(413);
    expect(declared.body.message).toBe('body exceeds the session limit of 64 bytes');

    const chunked = post(ingest).set('Transfer-Encoding', 'chunked');
    for (let i = 0; i < 5; i++) chunked.write('y'.repeat(300));
    expect((await chunked).status).toBe(413);
  });

  it('inflates gzip when asked, capped after inflation, so a small bomb is refused', async () => {
    const text = 'z'.repeat(1000);
    const inflated = await post(ingest).set('Content-Encoding', 'gzip').send(gzipSync(text));
    expect(inflated.body).toEqual({ bytes: 1000, text });

    const bomb = await post(ingest)
      .set('Content-Encoding', 'gzip')
      .send(gzipSync(Buffer.alloc(10 * 1024 * 1024)));
    expect(bomb.status).toBe(413);
    expect(bomb.body.message).toBe('body exceeds BODY_LIMIT of 1024 bytes (after decompression)');
  });

  it('refuses a compressed body where inflation is not offered, and an encoding never offered', async () => {
    const compressed = await post(session).set('Content-Encoding', 'gzip').send(gzipSync('{}'));
    expect(compressed.status).toBe(415);
    expect(compressed.body.message).toBe('Content-Encoding must be none (identity), got gzip');

    const brotli = await post(ingest).set('Content-Encoding', 'br').send('x');
    expect(brotli.status).toBe(415);
    expect(brotli.body.message).toBe('Content-Encoding must be gzip or deflate (or none), got br');
  });

  it('answers a body that is not what its encoding says with 400, not the decoder’s message', async () => {
    const broken = await post(ingest).set('Content-Encoding', 'gzip').send(Buffer.from('not gzip at all'));
    expect(broken.status).toBe(400);
    expect(broken.body.message).toBe('body: not valid gzip');
  });
});
