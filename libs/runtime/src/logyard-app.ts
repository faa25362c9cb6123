import {
  DynamicModule,
  INestApplication,
  Logger,
  LoggerService,
  LogLevel,
  Module,
  Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AmqpModule } from '@logyard/amqp';
import { ConfigModule, LogyardConfig } from '@logyard/config';
import { ObservabilityModule } from '@logyard/observability';

@Module({})
class LogyardRootModule {
  static with(config: LogyardConfig, roles: Type[]): DynamicModule {
    return {
      module: LogyardRootModule,
      imports: [ConfigModule.forRoot(config), ObservabilityModule, AmqpModule, ...roles],
    };
  }
}

export interface LogyardAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds one Nest application running the given role modules on shared
 * infrastructure (config, one AMQP connection, metrics, health). Any subset
 * of roles can share a process; this is how `--target all` works.
 */
export async function createLogyardApp(
  config: LogyardConfig,
  roles: Type[],
  options: LogyardAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(LogyardRootModule.with(config, roles), {
    // No global body parser: only the collector's ingest routes read a body, after their token check.
    bodyParser: false,
    // SSE clients would otherwise hold shutdown open forever.
    forceCloseConnections: true,
    abortOnError: false,
    logger: options.logger ?? new Logger(),
  });
  app.disable('x-powered-by');
  allowOrigins(app, config.http.corsOrigins);
  serveOpenApi(app);
  return app;
}

/**
 * CORS is off unless CORS_ORIGINS lists origins: a browser on any other page may then neither read an answer
 * nor send a token-bearing request. Bearer tokens travel in a header, never a cookie, so no credentials.
 */
function allowOrigins(app: NestExpressApplication, origins: string[]): void {
  if (origins.length === 0) return;
  app.enableCors({
    origin: origins,
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Content-Encoding', 'Last-Event-ID'],
    maxAge: 600,
  });
}

/**
 * Swagger UI at GET /api/docs and the OpenAPI document at GET /api/docs-json,
 * describing the endpoints of exactly the roles this process runs. The
 * document is built from the controllers' decorators on its first request,
 * so it costs nothing at start. Both are served without a token: they
 * describe the API, they do not open it.
 */
function serveOpenApi(app: INestApplication): void {
  const document = new DocumentBuilder()
    .setTitle('Logyard')
    .setDescription('Log aggregation over RabbitMQ and PostgreSQL: ingest, live tail, archive queries.')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque token',
      description: 'one of INGEST_TOKENS or QUERY_TOKENS, when set',
    })
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, document), {
    jsonDocumentUrl: 'api/docs-json',
    raw: ['json'],
  });
}
