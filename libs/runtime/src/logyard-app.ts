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
import type { NextFunction, Request, Response } from 'express';
import { raw } from 'express';
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
  const app = await NestFactory.create(LogyardRootModule.with(config, roles), {
    bodyParser: false,
    // SSE clients would otherwise hold shutdown open forever.
    forceCloseConnections: true,
    abortOnError: false,
    logger: options.logger ?? new Logger(),
  });
  app.use(rawBodyParser(config.http.bodyLimitBytes));
  serveOpenApi(app);
  return app;
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

/**
 * Every request body arrives as a Buffer (sources decide how to parse it),
 * inflated from gzip/deflate and capped at BODY_LIMIT after inflation.
 * Parser errors (413, bad encoding) become the same JSON errors as the rest
 * of the API instead of Express's HTML page.
 */
function rawBodyParser(limit: number) {
  const parse = raw({ type: () => true, limit, inflate: true });
  return (request: Request, response: Response, next: NextFunction) =>
    parse(
      request,
      response,
      (error?: { status?: number; statusCode?: number; message?: string; type?: string }) => {
        if (!error) return next();
        const statusCode = error.status ?? error.statusCode ?? 400;
        const message =
          error.type === 'entity.too.large'
            ? `body exceeds BODY_LIMIT of ${limit} bytes`
            : (error.message ?? 'bad body');
        response
          .status(statusCode)
          .json({ statusCode, error: statusCode === 413 ? 'Payload Too Large' : 'Bad Request', message });
      },
    );
}
