import { INestApplication, Type } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { loadConfig } from '@logyard/config';
import { createLogyardApp } from '@logyard/runtime';

/** A Logyard app started inside the test process, listening on a free port. */
export interface RunningLogyard {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** Starts the given role modules against the real broker and database named by `env`. */
export async function startLogyard(roles: Type[], env: Record<string, string>): Promise<RunningLogyard> {
  const app = await createLogyardApp(loadConfig(env), roles, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
