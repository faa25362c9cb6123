import {
  Controller,
  Get,
  INestApplication,
  ModuleMetadata,
  NestApplicationOptions,
  Post,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RequiresToken } from '@logyard/auth';
import { ConfigModule, loadConfig } from '@logyard/config';

/**
 * A Nest app of `metadata` with Logyard's config read from `env`, initialised but not listening (supertest
 * drives its server), its framework logging off unless `options` says otherwise.
 */
export async function startTestApp(
  env: Record<string, string>,
  metadata: ModuleMetadata,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [ConfigModule.forRoot(loadConfig(env)), ...(metadata.imports ?? [])],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false, ...options });
  await app.init();
  return app;
}

/** One route behind each kind of token, answering with a fixed text: what the token specs knock on. */
@Controller()
export class TokenGuardedController {
  @Post('ingest')
  @RequiresToken('ingest')
  ingest(): string {
    return 'ingested';
  }

  @Get('logs')
  @RequiresToken('query')
  logs(): string {
    return 'logs';
  }
}
