import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SESSION_COOKIE } from '@logyard/auth';
import { ConfigModule, loadConfig } from '@logyard/config';
import { parseSessionMeta, SESSION_META_NAME } from '@logyard/contracts';
import { EXPLORER_BUILD_DIRECTORY, ExplorerController } from './explorer.controller';

const QUERY_TOKEN = 'query-token-0123456789';
const PAGE = '<!doctype html><html><head><title>Logyard</title></head><body></body></html>';

async function startApp(directory: string, env: Record<string, string> = {}): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(loadConfig(env))],
    controllers: [ExplorerController],
    providers: [{ provide: EXPLORER_BUILD_DIRECTORY, useValue: directory }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe(ExplorerController.name, () => {
  let directory: string;
  let sut: INestApplication;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'explorer-'));
    mkdirSync(join(directory, 'build', 'assets'), { recursive: true });
    writeFileSync(join(directory, 'build', 'index.html'), PAGE);
    writeFileSync(join(directory, 'build', 'assets', 'index-abc.js'), 'console.log("explorer")');
    writeFileSync(join(directory, 'secret.js'), 'not served');
    sut = await startApp(join(directory, 'build'));
  });
  afterAll(async () => {
    await sut.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** GETs `path` accepting `encoding`, expects a 200 with `body`, and resolves to the response's headers. */
  const headersOf = async (path: string, encoding: string, body: string) =>
    (await request(sut.getHttpServer()).get(path).set('Accept-Encoding', encoding).expect(200, body)).headers;

  it('serves the page at / revalidated on every load, under a same-origin policy', async () => {
    const response = await request(sut.getHttpServer())
      .get('/?service=shop&from=now-1h')
      .set('Accept-Encoding', 'identity')
      .expect(200);
    expect(response.text).toBe(
      `<!doctype html><html><head><title>Logyard</title>${sessionMeta(response.text)}</head><body></body></html>`,
    );
    const { headers } = response;
    expect(headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      vary: 'Accept-Encoding, Cookie',
    });
    expect(headers['content-security-policy']).toContain("connect-src 'self'");
    expect(headers['content-encoding']).toBeUndefined();
  });

  it('sends hashed assets gzipped when accepted, cached for a year', async () => {
    const headers = await headersOf('/assets/index-abc.js', 'gzip, br', 'console.log("explorer")');
    expect(headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'content-encoding': 'gzip',
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'Accept-Encoding',
    });
  });

  it('writes the session status into the page, as GET /api/session answers it for the same cookie', async () => {
    const open = await request(sut.getHttpServer()).get('/').expect(200);
    expect(parseSessionMeta(metaContent(open.text))).toEqual({ tokenRequired: false, signedIn: true });

    const guarded = await startApp(join(directory, 'build'), { QUERY_TOKENS: QUERY_TOKEN });
    try {
      const cases = [
        { cookie: undefined, status: { tokenRequired: true, signedIn: false } },
        { cookie: `${SESSION_COOKIE}=wrong-token`, status: { tokenRequired: true, signedIn: false } },
        { cookie: `${SESSION_COOKIE}=${QUERY_TOKEN}`, status: { tokenRequired: true, signedIn: true } },
      ];
      for (const { cookie, status } of cases) {
        const page = request(guarded.getHttpServer()).get('/').set('Accept-Encoding', 'gzip');
        const response = await (cookie ? page.set('Cookie', cookie) : page).expect(200);
        expect(response.headers['content-encoding']).toBe('gzip');
        expect({ cookie, status: parseSessionMeta(metaContent(response.text)) }).toEqual({ cookie, status });
      }
    } finally {
      await guarded.close();
    }
  });

  it('answers 404 to any file that was not in the build, whatever the path', async () => {
    for (const path of [
      '/assets/other.js',
      '/assets/..%2Fsecret.js',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.js',
    ]) {
      const response = await request(sut.getHttpServer()).get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });

  it('says how to build the page when it has not been built', async () => {
    const unbuilt = await startApp(join(directory, 'missing'));
    try {
      const response = await request(unbuilt.getHttpServer()).get('/').expect(404);
      expect(response.body.message).toBe('the explorer is not built; run npm run build');
    } finally {
      await unbuilt.close();
    }
  });
});

/** The session meta element of a served page. */
function sessionMeta(html: string): string {
  return new RegExp(`<meta name="${SESSION_META_NAME}" [^>]*>`).exec(html)?.[0] ?? '';
}

/** Its content, entities decoded as a browser would. */
function metaContent(html: string): string | undefined {
  return /content="([^"]*)"/.exec(sessionMeta(html))?.[1]?.replace(/&quot;/g, '"');
}
