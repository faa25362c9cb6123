import {
  Controller,
  Get,
  INestApplication,
  Logger,
  LoggerService,
  Module,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';

/** A handler of someone else's service: it logs the way NestJS code does, through a `Logger` with a context. */
@Controller('orders')
class OrdersController {
  private readonly logger = new Logger(OrdersController.name);

  @Post(':id/pay')
  pay(@Param('id') id: string): { id: string; paid: boolean } {
    const declined = new Error(`card declined for order ${id}`);
    this.logger.error(`payment failed for order ${id}`, declined.stack);
    return { id, paid: false };
  }

  @Get(':id/crash')
  crash(@Param('id') id: string): never {
    throw new TypeError(`order ${id} has no customer`);
  }

  /** Logs `n` lines in one request and says how long the logging took inside the handler. */
  @Get('burst')
  burst(@Query('n') n: string): { logged: number; elapsedMs: number } {
    const started = performance.now();
    for (let i = 0; i < Number(n); i++) this.logger.log(`burst line ${i}`);
    return { logged: Number(n), elapsedMs: performance.now() - started };
  }
}

@Module({ controllers: [OrdersController] })
class HostAppModule {}

export interface HostApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** Starts the host service exactly as a Logyard SDK user would: buffered start-up logs, then `useLogger`. */
export async function startHostApp(logger: LoggerService): Promise<HostApp> {
  const app = await NestFactory.create(HostAppModule, { bufferLogs: true });
  app.useLogger(logger);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
