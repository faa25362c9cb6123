import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startTestApp, TokenGuardedController } from '@logyard/testing';
import { SESSION_COOKIE, sessionCookie, sessionToken } from './session-cookie';
import { SessionController } from './session.controller';

const QUERY_TOKEN = 'query-token-0123456789';
const INGEST_TOKEN = 'ingest-token-0123456789';

// As Logyard runs: no global body parser, so the controller reads its own body.
const startApp = (env: Record<string, string>) =>
  startTestApp(env, { controllers: [SessionController, TokenGuardedController] }, { bodyParser: false });

describe(SessionController.name, () => {
  let sut: INestApplication;

  beforeAll(async () => {
    sut = await startApp({ QUERY_TOKENS: QUERY_TOKEN, INGEST_TOKENS: INGEST_TOKEN });
  });
  afterAll(() => sut.close());

  it('trades a query token for an HTTP-only, same-site cookie that opens the query endpoints', async () => {
    const login = await request(sut.getHttpServer())
      .post('/api/session')
      .send({ token: QUERY_TOKEN })
      .expect(204);
    const [cookie] = login.headers['set-cookie'] as unknown as string[];
    expect(cookie).toBe(`${SESSION_COOKIE}=${QUERY_TOKEN}; HttpOnly; SameSite=Strict; Path=/`);

    const pair = cookie.split(';')[0];
    await request(sut.getHttpServer()).get('/logs').set('Cookie', pair).expect(200, 'logs');
    await request(sut.getHttpServer())
      .get('/api/session')
      .set('Cookie', pair)
      .expect(200, { tokenRequired: true, signedIn: true });
  });

  it('tells the page a token is needed before it queries, so it can ask instead of meeting a 401', async () => {
    await request(sut.getHttpServer())
      .get('/api/session')
      .expect(200, { tokenRequired: true, signedIn: false });
    const open = await startApp({});
    try {
      await request(open.getHttpServer())
        .get('/api/session')
        .expect(200, { tokenRequired: false, signedIn: true });
      await request(open.getHttpServer()).post('/api/session').send({ token: QUERY_TOKEN }).expect(204);
    } finally {
      await open.close();
    }
  });

  it('refuses a wrong token or a body without one, and sets no cookie', async () => {
    for (const [body, status] of [
      [{ token: 'not-the-query-token-at-all' }, 401],
      [{ token: INGEST_TOKEN }, 401],
      [{ token: '' }, 400],
      [{}, 400],
    ] as const) {
      const response = await request(sut.getHttpServer()).post('/api/session').send(body);
      expect({ body, status: response.status }).toEqual({ body, status });
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses a body longer than a token could need, unread', async () => {
    const response = await request(sut.getHttpServer())
      .post('/api/session')
      .send({ token: QUERY_TOKEN, padding: 'x'.repeat(8 * 1024) });
    expect(response.status).toBe(413);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('takes the token only as JSON, which no cross-site form can send', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await request(sut.getHttpServer())
        .post('/api/session')
        .set('Content-Type', type)
        .send(JSON.stringify({ token: QUERY_TOKEN }));
      expect({ type, status: response.status }).toEqual({ type, status: 415 });
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('never lets the cookie stand in for an ingest token, or a wrong cookie for a query token', async () => {
    await request(sut.getHttpServer())
      .post('/ingest')
      .set('Cookie', `${SESSION_COOKIE}=${INGEST_TOKEN}`)
      .expect(401);
    await request(sut.getHttpServer()).get('/logs').set('Cookie', `${SESSION_COOKIE}=wrong`).expect(401);
    await request(sut.getHttpServer()).get('/logs').set('Cookie', `other=${QUERY_TOKEN}`).expect(401);
  });

  // Behind the TLS-terminating proxy SECURITY.md asks for, this process sees plain HTTP: request.secure was
  // false and the cookie, which holds the query token, was sent over http:// too.
  it('marks the cookie Secure when PUBLIC_URL is https, though the request reached it as plain HTTP', async () => {
    const behindProxy = await startApp({ QUERY_TOKENS: QUERY_TOKEN, PUBLIC_URL: 'https://logs.example.com' });
    try {
      const login = await request(behindProxy.getHttpServer())
        .post('/api/session')
        .send({ token: QUERY_TOKEN })
        .expect(204);
      expect(login.headers['set-cookie']).toEqual([
        `${SESSION_COOKIE}=${QUERY_TOKEN}; HttpOnly; SameSite=Strict; Path=/; Secure`,
      ]);
      const logout = await request(behindProxy.getHttpServer()).delete('/api/session').expect(204);
      expect(logout.headers['set-cookie']).toEqual([
        `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure`,
      ]);
    } finally {
      await behindProxy.close();
    }
  });

  it('clears the cookie on logout', async () => {
    const response = await request(sut.getHttpServer()).delete('/api/session').expect(204);
    expect(response.headers['set-cookie']).toEqual([
      `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`,
    ]);
  });
});

describe(sessionToken.name, () => {
  it.each([
    [`${SESSION_COOKIE}=abc`, 'abc'],
    [`a=1; ${SESSION_COOKIE}=a%3Bb ; c=2`, 'a;b'],
    [`${sessionCookie('tok en;=', false).split(';')[0]}`, 'tok en;='],
  ])('reads %j', (header, token) => {
    expect(sessionToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [''],
    [`${SESSION_COOKIE}=`],
    [`x${SESSION_COOKIE}=abc`],
    [`${SESSION_COOKIE}=%E0%A4%A`],
  ])('finds no token in %j', (header) => {
    expect(sessionToken(header)).toBeUndefined();
  });
});
