import { z } from 'zod';
import { ParseOptions, SEVERITIES, Severity } from '@logyard/contracts';
import { DURATION_UNITS_MS, envSchema } from './config.schema';

export type QueueType = 'classic' | 'quorum';

/** Room for a syslog frame's header and structured data on top of MAX_MESSAGE_BYTES of message. */
const SYSLOG_HEADER_ALLOWANCE_BYTES = 8 * 1024;

/** Everything a Logyard process reads from its environment, validated and typed once at start. */
export interface LogyardConfig {
  /**
   * urls: the nodes of one RabbitMQ cluster (or one node); a process uses one at a time and fails over.
   * deliveryLimit: returns of one message to a quorum queue before the broker dead-letters it.
   */
  amqp: { urls: string[]; prefix: string; queueType: QueueType; deliveryLimit: number };
  database: { url: string };
  /** corsOrigins: browser origins allowed cross-origin; none means no CORS headers at all. */
  /** publicUrl: the base of links in alert notifications (PUBLIC_URL), without a trailing slash. */
  http: { port?: number; bodyLimitBytes: number; corsOrigins: string[]; publicUrl?: string };
  /** Port 0 picks a free port (tests); both TCP and UDP listen on `host`; records are batched for lingerMs. */
  syslog: {
    port: number;
    host: string;
    lingerMs: number;
    /**
     * Connections past maxConnections are closed at once, idle ones after idleTimeoutMs; a frame longer
     * than bufferBytes (what one connection may buffer) closes its connection.
     */
    tcp: { maxConnections: number; idleTimeoutMs: number; bufferBytes: number };
  };
  /** maxPerMessage: records per AMQP batch message, for every publisher of a process (collector, router). */
  records: RecordLimits & { maxPerMessage: number };
  retention: { days: Record<Severity, number> };
  auth: { ingestTokens: string[]; queryTokens: string[] };
  /**
   * ingestRate: inflated body bytes per second each sender may post to the HTTP ingest routes, and how many
   * it may post at once; bytesPerSecond 0 means no limit.
   */
  collector: { confirmTimeoutMs: number; ingestRate: { bytesPerSecond: number; burstBytes: number } };
  router: { prefetch: number; batchRecords: number; flushMs: number };
  /** writers: database batches written at once, each on its own connection. */
  archiver: {
    prefetch: number;
    batchRecords: number;
    /**
     * How long a batch waits to fill while a writer is free. Under saturation batches fill while both writers
     * are busy, so this sets latency at moderate load, not throughput (BENCHMARKS.md, "Stop 17").
     */
    flushMs: number;
    writers: number;
    partitionDaysAhead: number;
  };
  /**
   * Reads of the archive (HTTP API and AMQP RPC): their own pool of poolSize
   * connections to databaseUrl (a replica may serve them; DATABASE_URL by
   * default), so archiving never waits behind a query; every statement ends
   * after timeoutMs; histograms and facets span at most maxRangeMs; an RPC
   * request body holds at most rpcMaxRequestBytes.
   */
  query: {
    databaseUrl: string;
    poolSize: number;
    timeoutMs: number;
    maxRangeMs: number;
    rpcMaxRequestBytes: number;
  };
  /** Live tails (GET /tail) one process serves at once. */
  tail: { maxSessions: number };
  /**
   * Alert rules the archive holds at most: each costs the evaluator two windows of counts (up to ~58 KB) and
   * a check of every record, and every list answers them all.
   */
  alerts: { maxRules: number };
}

/** What parseLogRecord enforces; the same in every source and stage, so a record valid at one hop is at the next. */
export type RecordLimits = Required<
  Pick<ParseOptions, 'maxMessageBytes' | 'maxAttributeDepth' | 'maxAttributesBytes'>
>;

/** The ParseOptions limits of a config: pass them to every parseLogRecord on an inbound edge. */
export function recordLimits(config: LogyardConfig): RecordLimits {
  const { maxMessageBytes, maxAttributeDepth, maxAttributesBytes } = config.records;
  return { maxMessageBytes, maxAttributeDepth, maxAttributesBytes };
}

/** Thrown with every invalid variable listed, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/** Variables whose blank value is refused instead of falling back to a default that opens the service. */
const BLANK_IS_AN_ERROR = new Set(['INGEST_TOKENS', 'QUERY_TOKENS']);

/**
 * Validates an environment into a typed config. Unknown variables are ignored;
 * blank values count as unset so `FOO= npm start` falls back to the default,
 * except for token lists, where that default would silently open the service.
 */
export function loadConfig(env: Record<string, string | undefined>): LogyardConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) => value !== undefined && (value.trim() !== '' || BLANK_IS_AN_ERROR.has(name)),
    ),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return toConfig(parsed.data);
}

function toConfig(env: z.infer<typeof envSchema>): LogyardConfig {
  const days = Object.fromEntries(
    SEVERITIES.map((severity) => [
      severity,
      env[`RETENTION_DAYS_${severity.toUpperCase() as Uppercase<Severity>}`] ?? env.RETENTION_DAYS,
    ]),
  ) as Record<Severity, number>;
  return {
    amqp: {
      urls: env.AMQP_URL,
      prefix: env.AMQP_PREFIX,
      queueType: env.QUEUE_TYPE,
      deliveryLimit: env.DELIVERY_LIMIT,
    },
    database: { url: env.DATABASE_URL },
    http: {
      port: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT,
      corsOrigins: env.CORS_ORIGINS,
      ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL.replace(/\/+$/, '') } : {}),
    },
    syslog: {
      port: env.SYSLOG_PORT,
      host: env.SYSLOG_HOST,
      lingerMs: env.SYSLOG_LINGER_MS,
      tcp: {
        maxConnections: env.SYSLOG_TCP_MAX_CONNECTIONS,
        idleTimeoutMs: env.SYSLOG_TCP_IDLE_TIMEOUT_MS,
        bufferBytes: env.SYSLOG_TCP_BUFFER_BYTES ?? env.MAX_MESSAGE_BYTES + SYSLOG_HEADER_ALLOWANCE_BYTES,
      },
    },
    records: {
      maxMessageBytes: env.MAX_MESSAGE_BYTES,
      maxPerMessage: env.MAX_BATCH_RECORDS,
      maxAttributeDepth: env.MAX_ATTRIBUTE_DEPTH,
      maxAttributesBytes: env.MAX_ATTRIBUTES_BYTES,
    },
    retention: { days },
    auth: { ingestTokens: env.INGEST_TOKENS, queryTokens: env.QUERY_TOKENS },
    collector: {
      confirmTimeoutMs: env.COLLECTOR_CONFIRM_TIMEOUT_MS,
      ingestRate: { bytesPerSecond: env.INGEST_RATE_LIMIT, burstBytes: env.INGEST_RATE_BURST },
    },
    router: {
      prefetch: env.ROUTER_PREFETCH,
      batchRecords: env.ROUTER_BATCH_RECORDS,
      flushMs: env.ROUTER_FLUSH_MS,
    },
    archiver: {
      prefetch: env.ARCHIVER_PREFETCH,
      batchRecords: env.ARCHIVER_BATCH_RECORDS,
      flushMs: env.ARCHIVER_FLUSH_MS,
      writers: env.ARCHIVER_WRITERS,
      partitionDaysAhead: env.PARTITION_DAYS_AHEAD,
    },
    query: {
      databaseUrl: env.QUERY_DATABASE_URL ?? env.DATABASE_URL,
      poolSize: env.QUERY_POOL_SIZE,
      timeoutMs: env.QUERY_TIMEOUT,
      maxRangeMs: env.QUERY_MAX_RANGE,
      rpcMaxRequestBytes: env.RPC_MAX_REQUEST_BYTES,
    },
    tail: { maxSessions: env.TAIL_MAX_SESSIONS },
    alerts: { maxRules: env.ALERT_MAX_RULES },
  };
}

/** A duration in the largest unit that divides it, as the settings take it: `31d`, `10s`, `1500ms`. */
export function formatDuration(ms: number): string {
  const [unit, size] = Object.entries(DURATION_UNITS_MS)
    .filter(([name]) => name !== '')
    .sort(([, a], [, b]) => b - a)
    .find(([, size]) => ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}

/** Hides the password of a connection URL before it is logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // libpq-style URLs may carry the password as a parameter too.
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
