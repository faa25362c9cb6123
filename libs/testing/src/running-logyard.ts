import { INestApplication, Type } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { loadConfig } from '@logyard/config';
import { createLogyardApp } from '@logyard/runtime';
import { DatabaseProbe } from './database-probe';
import { createTestEnvironment, TestEnvironment } from './test-environment';

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

/** A Logyard in a world of its own, with a probe on its database: what most end-to-end suites run against. */
export interface IsolatedLogyard extends RunningLogyard {
  world: TestEnvironment;
  db: DatabaseProbe;
}

/** Creates a world, starts `roles` in it and opens a probe; `close()` stops the app and removes the world. */
export async function startIsolatedLogyard(
  roles: Type[],
  overrides: Record<string, string> = {},
): Promise<IsolatedLogyard> {
  const world = createTestEnvironment(overrides);
  let app: RunningLogyard | undefined;
  let db: DatabaseProbe | undefined;
  const close = async () => {
    await app?.close();
    await db?.close();
    await world.dispose();
  };
  try {
    app = await startLogyard(roles, world.env);
    db = await DatabaseProbe.open(world.databaseUrl);
    return { ...app, world, db, close };
  } catch (error) {
    await close();
    throw error;
  }
}
