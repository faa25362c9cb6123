import { HttpException } from '@nestjs/common';
import express, { Express } from 'express';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { readJsonBody } from './json-body';

/** An app whose one route answers the JSON it read, `{}` with `unreadable` for none, or the exception thrown. */
function serve(): Express {
  const app = express();
  app.post('/', async (req, res) => {
    try {
      const body = await readJsonBody(req, {
        limit: 64,
        unsupported: 'send the thing as application/json',
        tooLarge: 'a thing is at most 64 bytes',
      });
      res.status(200).json(body ? { json: body.json } : { unreadable: true });
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      res.status(error.getStatus()).json(error.getResponse());
    }
  });
  return app;
}

describe(readJsonBody.name, () => {
  const post = () => request(serve()).post('/');

  it('reads a JSON document', async () => {
    const response = await post().set('Content-Type', 'application/json').send('{"a":[1]}');
    expect(response.body).toEqual({ json: { a: [1] } });
  });

  it('refuses any other Content-Type with 415 in the route’s words', async () => {
    const response = await post().set('Content-Type', 'text/plain').send('{"a":1}');
    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'send the thing as application/json',
    });
  });

  it('refuses a body over the limit with 413 in the route’s words', async () => {
    const response = await post()
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ a: 'x'.repeat(64) }));
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'a thing is at most 64 bytes',
    });
  });

  it.each([
    ['no JSON', (r: request.Test) => r.send('{oops')],
    ['compressed', (r: request.Test) => r.set('Content-Encoding', 'gzip').send(gzipSync('{}'))],
  ])('leaves a body that is %s to the route to refuse', async (_what, send) => {
    const response = await send(post().set('Content-Type', 'application/json'));
    expect(response.body).toEqual({ unreadable: true });
  });
});
