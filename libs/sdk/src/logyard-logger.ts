import { ConsoleLogger, LoggerService, LogLevel } from '@nestjs/common';
import { topologyNames } from '@logyard/amqp/client';
import { redactUrl, splitList } from '@logyard/config/env';
import { AmqpBatchPublisher } from './amqp-batch.publisher';
import { buildNestLogRecord, RecordOrigin } from './nest-log-record';
import { RecordShipper, ShipperStats } from './record-shipper';
import { LogyardLoggerOptions, ResolvedSdkOptions, resolveSdkOptions } from './sdk-options';

export type LogyardLoggerStats = ShipperStats;

/** Attribute of the record that tells Logyard about a gap: how many records this service lost. */
export const DROPPED_ATTRIBUTE = 'logyard.dropped';
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Nest's LoggerService, shipping every log line to Logyard:
 *
 *   app.useLogger(new LogyardLogger({ service: 'checkout', url, prefix }));
 *
 * Each call turns into a LogRecord (UUIDv7 id and ts assigned here, the first
 * place that sees it) and is published to `<prefix>.ingest` in batches with
 * publisher confirms. It runs inside someone else's application, so every
 * method is synchronous, cheap and never throws: while the broker is away
 * records wait in a bounded buffer that drops its oldest, and what had to be
 * dropped is counted (`stats()`) and reported on the console. Call `close()`
 * when the application shuts down; it flushes and lets the process exit.
 */
export class LogyardLogger implements LoggerService {
  private readonly options: ResolvedSdkOptions;
  private readonly origin: RecordOrigin;
  private readonly shipper: RecordShipper;
  /** The SDK's own messages; never the host's logger, which is this very object. */
  private readonly diagnostics = new ConsoleLogger(LogyardLogger.name);
  private levels: Set<LogLevel>;

  constructor(options: LogyardLoggerOptions) {
    this.options = resolveSdkOptions(options);
    const { url, prefix, service, host, maxBuffered, flushIntervalMs, maxBatchRecords } = this.options;
    this.origin = { service, host };
    this.levels = new Set(this.options.logLevels);
    const exchange = topologyNames(prefix).ingest;
    const urls = splitList(url);
    const destination = `${exchange} at ${urls.map(redactUrl).join(', ')}`;
    this.shipper = new RecordShipper(
      { maxBuffered, flushIntervalMs, maxBatchRecords, destination },
      (events) =>
        new AmqpBatchPublisher(
          { urls, exchange, maxBatchRecords, connectionName: `logyard-sdk ${service}@${host}` },
          events,
        ),
      {
        warn: (text) => this.diagnostics.warn(text),
        recovered: (dropped) =>
          this.ship('warn', [
            `${dropped} log records of this service were dropped while RabbitMQ was unreachable`,
            { [DROPPED_ATTRIBUTE]: dropped },
            LogyardLogger.name,
          ]),
      },
    );
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('log', [message, ...optionalParams]);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', [message, ...optionalParams]);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', [message, ...optionalParams]);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', [message, ...optionalParams]);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('verbose', [message, ...optionalParams]);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', [message, ...optionalParams]);
  }

  /** Nest calls this for `NestFactory.create(…, { logger: [levels] })`; it gates publishing and printing. */
  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
    if (this.options.console) this.options.console.setLogLevels?.(levels);
  }

  /** Records published (confirmed and routed), dropped, and buffered right now. */
  stats(): LogyardLoggerStats {
    return this.shipper.stats();
  }

  /** Publishes what is buffered (for at most `timeoutMs`), reports what could not be, and disconnects. */
  close(timeoutMs: number = CLOSE_TIMEOUT_MS): Promise<void> {
    return this.shipper.close(timeoutMs);
  }

  private write(level: LogLevel, args: unknown[]): void {
    if (!this.levels.has(level)) return;
    this.ship(level, args);
    this.echo(level, args);
  }

  private ship(level: LogLevel, args: unknown[]): void {
    try {
      const record = buildNestLogRecord(level, args, this.origin);
      if (record.ok) this.shipper.add(record.value);
      else this.shipper.discard(`a log line could not become a record (${record.error})`);
    } catch (error) {
      // A logged value whose toString or inspection throws must not break the caller's log call.
      this.shipper.discard(
        `a log line could not become a record (${error instanceof Error ? error.message : 'unprintable error'})`,
      );
    }
  }

  private echo(level: LogLevel, [message, ...optionalParams]: unknown[]): void {
    if (!this.options.console) return;
    try {
      this.options.console[level]?.(message, ...optionalParams);
    } catch {
      // The host's console is the host's business; a failing one must not fail the log call either.
    }
  }
}
