import { z } from 'zod';
import { SEVERITIES, Severity } from '@logyard/contracts';
import { envSchema } from './config.schema';

export type QueueType = 'classic' | 'quorum';

/** Room for a syslog frame's header and structured data on top of MAX_MESSAGE_BYTES of message. */
const SYSLOG_HEADER_ALLOWANCE_BYTES = 8 * 1024;

/** Everything a Logyard process reads from its environment, validated and typed once at start. */
export interface LogyardConfig {
  amqp: { url: string; prefix: string; queueType: QueueType };
  database: { url: string };
  http: { port?: number; bodyLimitBytes: number };
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
  records: { maxMessageBytes: number; maxPerMessage: number };
  retention: { days: Record<Severity, number> };
  auth: { ingestTokens: string[]; queryTokens: string[] };
  collector: { confirmTimeoutMs: number };
  router: { prefetch: number; batchRecords: number; flushMs: number };
  /** writers: database batches written at once, each on its own connection. */
  archiver: {
    prefetch: number;
    batchRecords: number;
    flushMs: number;
    writers: number;
    partitionDaysAhead: number;
  };
}

/** Thrown with every invalid variable listed, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * Validates an environment into a typed config. Unknown variables are ignored;
 * blank values count as unset so `FOO= npm start` falls back to the default.
 */
export function loadConfig(env: Record<string, string | undefined>): LogyardConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
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
    amqp: { url: env.AMQP_URL, prefix: env.AMQP_PREFIX, queueType: env.QUEUE_TYPE },
    database: { url: env.DATABASE_URL },
    http: { port: env.PORT, bodyLimitBytes: env.BODY_LIMIT },
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
    records: { maxMessageBytes: env.MAX_MESSAGE_BYTES, maxPerMessage: env.MAX_BATCH_RECORDS },
    retention: { days },
    auth: { ingestTokens: env.INGEST_TOKENS, queryTokens: env.QUERY_TOKENS },
    collector: { confirmTimeoutMs: env.COLLECTOR_CONFIRM_TIMEOUT_MS },
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
  };
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
