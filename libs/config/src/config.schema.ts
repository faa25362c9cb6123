import { z } from 'zod';
import { SEVERITIES, Severity } from '@logyard/contracts';

/** The three roles a process can run; `all` runs every one of them in one process. */
export const TARGETS = ['all', 'collector', 'router', 'archiver'] as const;
export type Target = (typeof TARGETS)[number];

/** Where each target listens when PORT is not set, so roles can share a machine. */
export const DEFAULT_PORTS: Record<Target, number> = {
  all: 3000,
  collector: 3001,
  router: 3002,
  archiver: 3003,
};

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

/** Accepts plain bytes or a size such as `10mb` / `512KiB`; binary units either way. */
const byteSize = z.string().transform((value, ctx) => {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size; use bytes or a unit such as 10mb` });
    return z.NEVER;
  }
  return Number(match[1]) * unit;
});

const positiveInt = z.coerce.number().int().positive();
const port = z.coerce.number().int().min(0).max(65535);
const tokenList = z.string().transform((value) =>
  value
    .split(',')
    .map((token) => token.trim())
    .filter(Boolean),
);

const retentionOverrides = Object.fromEntries(
  SEVERITIES.map((severity) => [`RETENTION_DAYS_${severity.toUpperCase()}`, positiveInt.optional()]),
) as Record<`RETENTION_DAYS_${Uppercase<Severity>}`, z.ZodOptional<typeof positiveInt>>;

export const envSchema = z.object({
  AMQP_URL: z
    .url({ protocol: /^amqps?$/, error: 'must be an amqp:// or amqps:// URL' })
    .default('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "_" and "-"')
    .default('logyard'),
  QUEUE_TYPE: z.enum(['classic', 'quorum']).default('classic'),
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
  BODY_LIMIT: byteSize.default(10 * MIB),
  MAX_MESSAGE_BYTES: positiveInt.default(65536),
  MAX_BATCH_RECORDS: positiveInt.default(1000),
  RETENTION_DAYS: positiveInt.default(14),
  ...retentionOverrides,
  INGEST_TOKENS: tokenList.default([]),
  QUERY_TOKENS: tokenList.default([]),
  COLLECTOR_CONFIRM_TIMEOUT_MS: positiveInt.default(10_000),
  ROUTER_PREFETCH: positiveInt.default(256),
  ROUTER_BATCH_RECORDS: positiveInt.default(4000),
  ROUTER_FLUSH_MS: positiveInt.default(25),
  ARCHIVER_PREFETCH: positiveInt.default(64),
  ARCHIVER_BATCH_RECORDS: positiveInt.default(5000),
  ARCHIVER_FLUSH_MS: positiveInt.default(200),
  ARCHIVER_WRITERS: positiveInt.default(2),
  PARTITION_DAYS_AHEAD: positiveInt.default(3),
});
