import { BeforeApplicationShutdown, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import { Counter, Gauge } from 'prom-client';
import { AmqpConnection } from '@logyard/amqp';
import { MetricsService } from '@logyard/observability';
import { TailSession, TailUnavailableError } from './tail.session';

/** Seconds a client should wait before retrying a tail the broker could not serve. */
const RETRY_AFTER_SECONDS = 5;

/** Opens live tails (GET /tail) and ends them all, cleanly, when the process shuts down. */
@Injectable()
export class TailService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TailService.name);
  private readonly sessions = new Set<TailSession>();
  private readonly clients: Gauge;
  private readonly dropped: Counter;

  constructor(
    private readonly connection: AmqpConnection,
    metrics: MetricsService,
  ) {
    this.clients = new Gauge({
      name: 'logyard_tail_clients',
      help: 'Live tail (GET /tail) streams open',
      registers: [metrics.registry],
    });
    this.dropped = new Counter({
      name: 'logyard_tail_records_dropped_total',
      help: 'Records shed by bounded tail queues because their reader fell behind',
      registers: [metrics.registry],
    });
  }

  /**
   * Streams records matching `patterns` (already validated) to `response`
   * until the client goes. Throws 503 before writing anything when the
   * broker cannot serve a subscription now.
   */
  async open(patterns: string[], response: Response): Promise<void> {
    if (!this.connection.isConnected()) throw unavailable(response, 'not connected to RabbitMQ');
    const session = new TailSession(this.connection, response, {
      patterns,
      onDropped: (count) => this.dropped.inc(count),
    });
    this.sessions.add(session);
    this.clients.inc();
    response.once('close', () => {
      this.sessions.delete(session);
      this.clients.dec();
    });
    try {
      await session.start();
    } catch (error) {
      if (!(error instanceof TailUnavailableError)) throw error;
      this.logger.warn(`tail of ${patterns.join(', ')} refused: ${error.message}`);
      throw unavailable(response, error.message);
    }
  }

  /** Ends every stream with a clean end of response, and deletes their queues, before the connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.end('Logyard is shutting down')));
  }
}

function unavailable(response: Response, reason: string): ServiceUnavailableException {
  response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  return new ServiceUnavailableException({
    statusCode: 503,
    error: 'Service Unavailable',
    message: `cannot subscribe: ${reason}`,
  });
}
