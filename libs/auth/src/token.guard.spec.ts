import { Controller, Get, INestApplication, Logger, Module } from '@nestjs/common';
import request from 'supertest';
import { startTestApp, TokenGuardedController } from '@logyard/testing';
import { bearerToken, RequiresToken } from './token.guard';

@Controller('other')
@RequiresToken('query')
class OtherQueryController {
  @Get()
  list(): string {
    return 'other';
  }
}

// A second module guarded by the same kind, as the router's tail and the archiver's query API are.
@Module({ controllers: [OtherQueryController] })
class OtherModule {}

const IN_1 = 'ingest-token-one-0001';
const IN_2 = 'ingest-token-two-0002';
const Q_1 = 'query-token-one-0001';

const startApp = (env: Record<string, string>) =>
  startTestApp(env, { imports: [OtherModule], controllers: [TokenGuardedController] });

describe(RequiresToken.name, () => {
  describe('with tokens configured', () => {
    let sut: INestApplication;

    beforeAll(async () => {
      sut = await startApp({ INGEST_TOKENS: `${IN_1},${IN_2}`, QUERY_TOKENS: Q_1 });
    });
    afterAll(() => sut.close());

    it('lets a request with a token of the right kind through', async () => {
      await request(sut.getHttpServer()).post('/ingest').set('Authorization', `Bearer ${IN_2}`).expect(201);
      await request(sut.getHttpServer()).get('/logs').set('Authorization', `bearer ${Q_1}`).expect(200);
      await request(sut.getHttpServer()).get('/other').set('Authorization', `Bearer ${Q_1}`).expect(200);
    });

    it('answers 401 with a WWW-Authenticate challenge when the token is missing', async () => {
      const response = await request(sut.getHttpServer()).get('/logs').expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="logyard"');
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: "this endpoint needs 'Authorization: Bearer <token>' with one of QUERY_TOKENS",
      });
    });

    it('answers 401 to an unknown token and to a token of the other kind', async () => {
      for (const [method, path, token] of [
        ['get', '/logs', 'nope'],
        ['get', '/logs', IN_1],
        ['get', '/other', IN_1],
        ['post', '/ingest', Q_1],
        ['post', '/ingest', `${IN_1}x`],
      ] as const) {
        const agent = request(sut.getHttpServer());
        const response = await (method === 'get' ? agent.get(path) : agent.post(path)).set(
          'Authorization',
          `Bearer ${token}`,
        );
        expect({ path, token, status: response.status }).toEqual({ path, token, status: 401 });
        expect(response.body.message).toMatch(/^the bearer token is not one of (INGEST|QUERY)_TOKENS$/);
      }
    });
  });

  describe('without tokens', () => {
    it('leaves every endpoint open and warns once per kind at start, however many modules use it', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const sut = await startApp({});
      try {
        await request(sut.getHttpServer()).post('/ingest').expect(201);
        await request(sut.getHttpServer()).get('/logs').set('Authorization', 'Bearer anything').expect(200);
        await request(sut.getHttpServer()).get('/other').expect(200);
        expect(warn.mock.calls.map(([message]) => message).sort()).toEqual([
          'INGEST_TOKENS is not set: ingest endpoints are open to anyone',
          'QUERY_TOKENS is not set: query and tail endpoints are open to anyone',
        ]);
      } finally {
        warn.mockRestore();
        await sut.close();
      }
    });
  });
});

describe(bearerToken.name, () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer  abc ', 'abc'],
    ['BEARER a.b-c_d~', 'a.b-c_d~'],
  ])('reads %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([[undefined], [''], ['Basic abc'], ['Bearer'], ['Bearer a b'], ['Bearerabc']])(
    'finds no token in %j',
    (header) => {
      expect(bearerToken(header)).toBeUndefined();
    },
  );
});
