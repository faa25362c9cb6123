import { ConsoleLogger, LoggerService, LogLevel } from '@nestjs/common';
import { hostname } from 'node:os';
import { splitList } from '@logyard/config/env';
import { MAX_NAME_LENGTH, MAX_RECORDS_PER_MESSAGE } from '@logyard/contracts';

/**
 * What a host application tells the logger. The SDK reads no environment of
 * its own: the host decides where its settings come from.
 */
export interface LogyardLoggerOptions {
  /** The service every record carries, e.g. 'checkout'. */
  service: string;
  /**
   * RabbitMQ URL, or the comma-separated URLs of a cluster's nodes (the same list as Logyard's AMQP_URL):
   * the SDK holds one connection and fails over to the next node when it loses one. Default
   * amqp://guest:guest@127.0.0.1:5672.
   */
  url?: string;
  /** Logyard's AMQP prefix (AMQP_PREFIX of the Logyard deployment); default 'logyard'. */
  prefix?: string;
  /** The host every record carries; default os.hostname(). */
  host?: string;
  /** Records held while the broker is away; past it the oldest are dropped and counted. Default 10,000. */
  maxBuffered?: number;
  /** Longest a record waits to be batched; default 50 ms. */
  flushIntervalMs?: number;
  /** Records per AMQP message; default 500, at most MAX_RECORDS_PER_MESSAGE (10,000). */
  maxBatchRecords?: number;
  /**
   * Also print every log line: true (default) through Nest's ConsoleLogger, false not at all, or a
   * LoggerService of the host's (e.g. `new ConsoleLogger({ json: true })`).
   */
  console?: boolean | LoggerService;
  /** Levels logged (published and printed); default all. Nest's `setLogLevels` changes them later. */
  logLevels?: LogLevel[];
}

export type ResolvedSdkOptions = Required<Omit<LogyardLoggerOptions, 'console'>> & {
  console: LoggerService | false;
};

export const SDK_DEFAULTS = {
  url: 'amqp://guest:guest@127.0.0.1:5672',
  prefix: 'logyard',
  maxBuffered: 10_000,
  flushIntervalMs: 50,
  maxBatchRecords: 500,
  logLevels: ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'] as LogLevel[],
};

/**
 * Fills in defaults and refuses options that cannot work, listing every
 * problem at once. It throws, once, while the host builds its logger at start
 * — the only moment the SDK ever throws.
 */
export function resolveSdkOptions(options: LogyardLoggerOptions): ResolvedSdkOptions {
  const problems: string[] = [];
  const text = (name: keyof LogyardLoggerOptions, value: unknown, fallback?: string): string => {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string' && value.trim() !== '') return value;
    problems.push(`${name} must be a non-empty string`);
    return '';
  };
  const count = (
    name: keyof LogyardLoggerOptions,
    value: unknown,
    fallback: number,
    max = Infinity,
  ): number => {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max) return value;
    problems.push(
      `${name} must be a positive integer${max < Infinity ? ` of at most ${max}` : ''}, got ${String(value)}`,
    );
    return fallback;
  };
  const resolved: ResolvedSdkOptions = {
    service: text('service', options?.service),
    url: text('url', options?.url, SDK_DEFAULTS.url),
    prefix: text('prefix', options?.prefix, SDK_DEFAULTS.prefix),
    host: text('host', options?.host, hostname()),
    maxBuffered: count('maxBuffered', options?.maxBuffered, SDK_DEFAULTS.maxBuffered),
    flushIntervalMs: count('flushIntervalMs', options?.flushIntervalMs, SDK_DEFAULTS.flushIntervalMs),
    // Logyard refuses what a message carries past MAX_RECORDS_PER_MESSAGE.
    maxBatchRecords: count(
      'maxBatchRecords',
      options?.maxBatchRecords,
      SDK_DEFAULTS.maxBatchRecords,
      MAX_RECORDS_PER_MESSAGE,
    ),
    console:
      options?.console === false
        ? false
        : options?.console === undefined || options.console === true
          ? new ConsoleLogger()
          : options.console,
    logLevels: [...(options?.logLevels ?? SDK_DEFAULTS.logLevels)],
  };
  if (resolved.url !== '' && splitList(resolved.url).length === 0)
    problems.push('url must name at least one URL');
  // Logyard refuses a record whose host or service is longer: every record of this logger would be dropped.
  for (const name of ['service', 'host'] as const) {
    if (resolved[name].length > MAX_NAME_LENGTH)
      problems.push(`${name} must be at most ${MAX_NAME_LENGTH} characters, got ${resolved[name].length}`);
  }
  if (problems.length > 0) throw new TypeError(`LogyardLogger: ${problems.join('; ')}`);
  return resolved;
}
