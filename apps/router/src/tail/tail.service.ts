import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Response } from 'express';
import { Counter, Gauge } from 'prom-client';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { MetricsService } from '@logyard/observability';
import { TailAmqpConnection } from './tail-amqp.connection';
import { TailSession, TailUnavailableError } from './tail.session';

/** Seconds a client should wait before retrying a tail the broker could not serve. */
const RETRY_AFTER_SECONDS = 5;
/** Tails are long-lived: a slot frees up on the scale of minutes, not seconds. */
const FULL_RETRY_AFTER_SECONDS = 30;

/**
 * Opens live tails (GET /tail), at most TAIL_MAX_SESSIONS at once, and ends
 * them all, cleanly, when the process shuts down. Each tail costs two broker
 * queues of up to 64 MiB each and a channel, so the cap bounds what clients
 * can make this process hold; past it a tail is 503 with Retry-After, as for
 * any capacity this process lacks right now.
 */
@Injectable()
export class TailService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TailService.name);
  private readonly sessions = new Set<TailSession>();
  private readonly clients: Gauge;
  private readonly dropped: Counter;
  private readonly refused: Counter;
  private readonly maxSessions: number;

  constructor(
    private readonly connection: TailAmqpConnection,
    metrics: MetricsService,
    @Inject(LOGYARD_CONFIG) config: LogyardConfig,
  ) {
    this.maxSessions = config.tail.maxSessions;
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
    this.refused = new Counter({
      name: 'logyard_tail_refused_total',
      help: 'Live tails refused because TAIL_MAX_SESSIONS were open',
      registers: [metrics.registry],
    });
  }

  /**
   * Streams records matching `patterns` (already validated) to `response`
   * until the client goes. Throws 503 before writing anything when
   * TAIL_MAX_SESSIONS are open or the broker cannot serve a subscription now.
   */
  async open(patterns: string[], response: Response): Promise<void> {
    // Counted and taken in one synchronous step, so concurrent requests cannot overshoot the cap.
    if (this.sessions.size >= this.maxSessions) {
      this.refused.inc();
      throw unavailable(
        response,
        `this process already serves ${this.maxSessions} live tails, its limit (TAIL_MAX_SESSIONS); ` +
          'retry later, or close a tail you no longer read',
        FULL_RETRY_AFTER_SECONDS,
      );
    }
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

function unavailable(
  response: Response,
  reason: string,
  retryAfterSeconds = RETRY_AFTER_SECONDS,
): ServiceUnavailableException {
  response.setHeader('Retry-After', String(retryAfterSeconds));
  return new ServiceUnavailableException({
    statusCode: 503,
    error: 'Service Unavailable',
    message: `cannot subscribe: ${reason}`,
  });
}
