import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { EXPLORER_BUILD_DIRECTORY, ExplorerController } from './explorer.controller';

async function startApp(directory: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
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
    writeFileSync(join(directory, 'build', 'index.html'), '<!doctype html><title>Logyard</title>');
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
    const headers = await headersOf(
      '/?service=shop&from=now-1h',
      'identity',
      '<!doctype html><title>Logyard</title>',
    );
    expect(headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
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
