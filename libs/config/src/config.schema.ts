import { z } from 'zod';
import {
  DEFAULT_ATTRIBUTE_LIMITS,
  DEFAULT_BODY_LIMIT_BYTES,
  MAX_RECORDS_PER_MESSAGE,
  SEVERITIES,
  Severity,
} from '@logyard/contracts';

/** The three roles a process can run; `all` runs every one of them in one process. */
export const TARGETS = ['all', 'collector', 'router', 'archiver'] as const;
export type Target = (typeof TARGETS)[number];

/** Where each target listens when PORT is not set, so roles can share a machine. */
export const DEFAULT_PORTS = {
  all: 3000,
  collector: 3001,
  router: 3002,
  archiver: 3003,
} satisfies Record<Target, number>;

const MIB = 1024 * 1024;
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: MIB,
  mib: MIB,
  gb: 1024 * MIB,
  gib: 1024 * MIB,
};

/** The unit's factor; a word such as "constructor" is no unit, whatever Object.prototype holds. */
function ownUnit(units: Record<string, number>, word: string): number | undefined {
  const unit = word.toLowerCase();
  return Object.hasOwn(units, unit) ? units[unit] : undefined;
}

/** Accepts plain bytes or a size such as `10mb` / `512KiB`; binary units either way. */
const byteSize = z.string().transform((value, ctx) => {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? ownUnit(SIZE_UNITS, match[2]) : undefined;
  if (!match || unit === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size; use bytes or a unit such as 10mb` });
    return z.NEVER;
  }
  return Number(match[1]) * unit;
});

/** Milliseconds per unit of a duration setting; a bare number is milliseconds. */
export const DURATION_UNITS_MS: Record<string, number> = {
  '': 1,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Accepts milliseconds or a duration such as `10s`, `250ms`, `31d`; must be more than zero. */
const duration = z.string().transform((value, ctx) => {
  const match = /^\s*(\d{1,15})\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? ownUnit(DURATION_UNITS_MS, match[2]) : undefined;
  if (!match || unit === undefined || Number(match[1]) === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration; use milliseconds or a unit, as in 250ms, 10s, 5m, 2h, 31d`,
    });
    return z.NEVER;
  }
  return Number(match[1]) * unit;
});

const positiveInt = z.coerce.number().int().positive();
const port = z.coerce.number().int().min(0).max(65535);
/** The non-blank items of a comma-separated list (tokens, broker URLs), trimmed. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

const amqpUrl = z.url({ protocol: /^amqps?$/ });
/** One broker URL, or several (the nodes of a cluster, tried in turn); every item must be an amqp(s) URL. */
const amqpUrlList = z.string().transform((value, ctx) => {
  const urls = splitList(value);
  if (urls.length === 0 || !urls.every((url) => amqpUrl.safeParse(url).success)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be an amqp:// or amqps:// URL, or a comma-separated list of them',
    });
    return z.NEVER;
  }
  return urls;
});
/** Shorter bearer tokens are refused at start: they can be guessed, and a typo can make one very short. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * A comma-separated token list. A list that is set but names no token (`' , '`, or blank) is refused rather
 * than read as unset: unset means "no authentication", and an operator who set the variable meant the opposite.
 */
const tokenList = z.string().transform((value, ctx) => {
  const tokens = splitList(value);
  if (tokens.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'is set but names no token; list tokens, or unset it to leave these endpoints open',
    });
    return z.NEVER;
  }
  const short = tokens.findIndex((token) => token.length < MIN_TOKEN_LENGTH);
  if (short >= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `token ${short + 1} of ${tokens.length} is shorter than ${MIN_TOKEN_LENGTH} characters`,
    });
    return z.NEVER;
  }
  return tokens;
});

/** Browser origins allowed to call Logyard cross-origin, each exactly as a browser sends it. */
const originList = z.string().transform((value, ctx) => {
  const origins = splitList(value);
  for (const origin of origins) {
    if (!isOrigin(origin)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${origin}" is not an origin; use scheme://host[:port], e.g. https://logs.example.com`,
      });
      return z.NEVER;
    }
  }
  return origins;
});

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

const retentionOverrides = Object.fromEntries(
  SEVERITIES.map((severity) => [`RETENTION_DAYS_${severity.toUpperCase()}`, positiveInt.optional()]),
) as Record<`RETENTION_DAYS_${Uppercase<Severity>}`, z.ZodOptional<typeof positiveInt>>;

export const envSchema = z.object({
  AMQP_URL: amqpUrlList.default(['amqp://guest:guest@127.0.0.1:5672']),
  AMQP_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "_" and "-"')
    .default('logyard'),
  QUEUE_TYPE: z.enum(['classic', 'quorum']).default('classic'),
  DELIVERY_LIMIT: positiveInt.default(10),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/logyard'),
  PORT: port.optional(),
  SYSLOG_PORT: port.default(5514),
  SYSLOG_HOST: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).default('0.0.0.0'),
  SYSLOG_LINGER_MS: positiveInt.default(500),
  SYSLOG_TCP_MAX_CONNECTIONS: positiveInt.default(1000),
  SYSLOG_TCP_IDLE_TIMEOUT_MS: positiveInt.default(300_000),
  // Unset: MAX_MESSAGE_BYTES plus room for the header (see toConfig).
  SYSLOG_TCP_BUFFER_BYTES: byteSize.pipe(z.number().int().positive()).optional(),
  BODY_LIMIT: byteSize.default(DEFAULT_BODY_LIMIT_BYTES),
  MAX_MESSAGE_BYTES: positiveInt.default(65536),
  MAX_ATTRIBUTE_DEPTH: positiveInt.default(DEFAULT_ATTRIBUTE_LIMITS.maxAttributeDepth),
  MAX_ATTRIBUTES_BYTES: byteSize
    .pipe(z.number().int().positive())
    .default(DEFAULT_ATTRIBUTE_LIMITS.maxAttributesBytes),
  // Readers refuse what a message carries past MAX_RECORDS_PER_MESSAGE: Logyard's own batches must fit.
  MAX_BATCH_RECORDS: positiveInt.max(MAX_RECORDS_PER_MESSAGE).default(1000),
  RETENTION_DAYS: positiveInt.default(14),
  ...retentionOverrides,
  INGEST_TOKENS: tokenList.default([]),
  QUERY_TOKENS: tokenList.default([]),
  CORS_ORIGINS: originList.default([]),
  // Where people reach this Logyard: the base of the links alert notifications carry.
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  // Per sender (token, or client address without tokens); 0 turns the limit off. The defaults sit above
  // what one whole pipeline stores (about 10,000 records/s, a few MB/s; BENCHMARKS.md), so they bite only
  // a sender that alone would saturate the service.
  INGEST_RATE_LIMIT: byteSize.default(16 * MIB),
  INGEST_RATE_BURST: byteSize.pipe(z.number().min(1, 'must be at least 1 byte')).default(64 * MIB),
  COLLECTOR_CONFIRM_TIMEOUT_MS: positiveInt.default(10_000),
  ROUTER_PREFETCH: positiveInt.default(256),
  ROUTER_BATCH_RECORDS: positiveInt.default(4000),
  ROUTER_FLUSH_MS: positiveInt.default(25),
  ARCHIVER_PREFETCH: positiveInt.default(64),
  ARCHIVER_BATCH_RECORDS: positiveInt.default(5000),
  ARCHIVER_FLUSH_MS: positiveInt.default(100),
  ARCHIVER_WRITERS: positiveInt.default(2),
  PARTITION_DAYS_AHEAD: positiveInt.default(3),
  QUERY_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  QUERY_POOL_SIZE: positiveInt.default(5),
  QUERY_TIMEOUT: duration.default(10_000),
  QUERY_MAX_RANGE: duration.default(31 * 86_400_000),
  RPC_MAX_REQUEST_BYTES: byteSize.default(16 * 1024),
  TAIL_MAX_SESSIONS: positiveInt.default(100),
  ALERT_MAX_RULES: positiveInt.default(1000),
});
