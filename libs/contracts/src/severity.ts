import { describeValue } from './describe-value';
import { err, ok, Result } from './result';

/** Canonical severities, lowest first: OpenTelemetry's severity texts, lower-cased. */
export const SEVERITIES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export type Severity = (typeof SEVERITIES)[number];

/**
 * OpenTelemetry SeverityNumbers, the value stored in the database so that severities order numerically.
 * Changing one is a data migration.
 */
export const SEVERITY_NUMBER: Record<Severity, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
};

/** Which numeric scale a number given as a severity belongs to. */
export type SeverityScale = 'syslog' | 'otel' | 'pino';

const ALIASES: Readonly<Record<string, Severity>> = {
  verbose: 'trace',
  finest: 'trace',
  fine: 'debug',
  log: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  warning: 'warn',
  err: 'error',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
};

const PINO: Readonly<Record<number, Severity>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

// RFC 5424 severities 0 (emergency) .. 7 (debug).
const SYSLOG: readonly Severity[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

const NUMERIC_HINT: Record<SeverityScale | 'any', string> = {
  any: 'a pino level 10-60, or an OpenTelemetry severity number 1-24',
  syslog: 'or a syslog severity 0-7',
  otel: 'or an OpenTelemetry severity number 1-24',
  pino: 'or a pino level 10, 20, 30, 40, 50 or 60',
};

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/**
 * Maps an OpenTelemetry SeverityNumber to its canonical severity by the OTel ranges (1-4 trace, 5-8 debug, …,
 * 21-24 fatal). Values outside 1..24 clamp to the nearest end, so a stored smallint always reads back.
 */
export function severityFromNumber(n: number): Severity {
  if (!Number.isFinite(n)) throw new RangeError(`severity number ${n} is not a finite number`);
  const index = Math.min(Math.max(Math.floor((n - 1) / 4), 0), SEVERITIES.length - 1);
  return SEVERITIES[index];
}

/**
 * Longer than any name, alias or number a sender writes for a severity, padding included: a longer value is
 * refused before it is trimmed, lower-cased and looked up, which would copy all of it (a sender's megabyte).
 */
const MAX_SEVERITY_CHARS = 64;

/** Canonical name or named alias, case-insensitive; numbers are not considered. */
export function severityFromName(name: string): Severity | undefined {
  if (name.length > MAX_SEVERITY_CHARS) return undefined;
  const word = name.trim().toLowerCase();
  // Own properties only: "constructor" or "__proto__" must not find Object.prototype's members.
  return isSeverity(word) ? word : Object.hasOwn(ALIASES, word) ? ALIASES[word] : undefined;
}

/**
 * Interprets a severity as senders write it: a canonical name or alias (case-insensitive), or a number (a JS
 * number or a numeric string). With a scale, numbers are read on that scale only; without one, pino's
 * 10/20/…/60 win over OpenTelemetry's 1-24, and anything else is refused rather than guessed.
 */
export function parseSeverity(input: unknown, scale?: SeverityScale): Result<Severity> {
  const severity = toSeverity(input, scale);
  return severity ? ok(severity) : err(`severity ${unrecognisedSeverity(input, scale)}`);
}

/** Why `input` is not a severity, without a leading field name, for callers that name the field themselves. */
export function unrecognisedSeverity(input: unknown, scale?: SeverityScale): string {
  return (
    `${describeValue(input)} is not recognised; use trace, debug, info, warn, error or fatal ` +
    `(or an alias such as warning, err, critical, ${NUMERIC_HINT[scale ?? 'any']})`
  );
}

function toSeverity(input: unknown, scale: SeverityScale | undefined): Severity | undefined {
  if (typeof input === 'number') return severityFromScale(input, scale);
  if (typeof input !== 'string' || input.length > MAX_SEVERITY_CHARS) return undefined;
  const named = severityFromName(input);
  if (named) return named;
  const trimmed = input.trim();
  return /^\d+$/.test(trimmed) ? severityFromScale(Number(trimmed), scale) : undefined;
}

function severityFromScale(n: number, scale: SeverityScale | undefined): Severity | undefined {
  if (!Number.isInteger(n)) return undefined;
  switch (scale) {
    case 'syslog':
      return n >= 0 && n < SYSLOG.length ? SYSLOG[n] : undefined;
    case 'otel':
      return n >= 1 && n <= 24 ? severityFromNumber(n) : undefined;
    case 'pino':
      return PINO[n];
    case undefined:
      return PINO[n] ?? (n >= 1 && n <= 24 ? severityFromNumber(n) : undefined);
  }
}

/** Severities at or above `min`, in order; for "minSeverity" style filters. */
export function severitiesAtLeast(min: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(min));
}
