import { describeValue } from './describe-value';
import { err, ok, Result } from './result';

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_MILLI = 1_000n;
const NANOS_PER_MICRO = 1_000n;
// Epoch magnitudes below 1e14 read as milliseconds, below 1e17 as microseconds, the rest as nanoseconds.
const MILLIS_BELOW = 100_000_000_000_000n;
const MICROS_BELOW = 100_000_000_000_000_000n;
const MIN_MICROS = 0n;
const MAX_MICROS = BigInt(Date.UTC(9999, 11, 31, 23, 59, 59)) * MICROS_PER_MILLI + 999_999n;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^([+-]?\d+)\.(\d+)$/;
const EXPONENT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)e[+-]?\d+$/i;

/**
 * Normalises a timestamp to ISO-8601 UTC with exactly six fractional digits, the one form stored and sent.
 * Accepts ISO-8601 ('T' or space, optional seconds, any fraction — truncated to µs —, 'Z', ±hh, ±hh:mm, ±hhmm,
 * no zone meaning UTC) and epoch numbers or numeric strings: magnitude below 1e14 is milliseconds, below 1e17
 * microseconds, otherwise nanoseconds. Integer strings are read exactly, so nanosecond strings keep their µs.
 * Only years 1970..9999 are accepted.
 */
export function parseTimestamp(input: unknown): Result<string> {
  if (typeof input === 'string') {
    const canonical = fastCanonical(input);
    if (canonical) return ok(canonical);
  }
  const micros = toMicros(input);
  return micros === undefined ? err(`ts ${invalidTimestamp(input)}`) : ok(formatEpochMicros(micros));
}

/** Whether `input` is already in the one canonical form (six fractional digits, UTC, a real date). */
export function isCanonicalTimestamp(input: string): boolean {
  return input.length === 27 && fastCanonical(input) === input;
}

// The canonical form is 2026-11-24T10:00:00.123456Z; toISOString's has three fractional digits.
const CANONICAL_SHAPE = '0000-00-00T00:00:00.000000Z';
const DIGIT = 0x30; // '0' in CANONICAL_SHAPE stands for any digit
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A fast path for the forms every hop re-parses, run several times per
 * record: character arithmetic only (no RegExp match, no Date, no BigInt),
 * still refusing impossible dates such as 2026-02-30.
 */
function fastCanonical(input: string): string | undefined {
  const length = input.length;
  if (length !== 27 && length !== 24) return undefined;
  for (let i = 0; i < length; i++) {
    const expected = CANONICAL_SHAPE.charCodeAt(i === length - 1 ? 26 : i);
    const code = input.charCodeAt(i);
    if (expected === DIGIT ? code < 0x30 || code > 0x39 : code !== expected) return undefined;
  }
  const year = number(input, 0, 4);
  const month = number(input, 5, 2);
  const day = number(input, 8, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (number(input, 11, 2) > 23 || number(input, 14, 2) > 59 || number(input, 17, 2) > 59) return undefined;
  return length === 27 ? input : `${input.slice(0, -1)}000Z`;
}

/** The decimal number written at text[start, start + digits); the caller checked they are digits. */
function number(text: string, start: number, digits: number): number {
  let value = 0;
  for (let i = start; i < start + digits; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
  return value;
}

/**
 * A count of nanoseconds since the epoch in the canonical form, whatever its
 * magnitude — for protocols (OTLP, Loki) that say nanoseconds, where
 * parseTimestamp would guess the unit from the size. Undefined past 9999.
 * A string must be decimal digits, as those protocols' JSON sends them; its
 * length is checked first, as BigInt() of 10 MB of digits takes seconds.
 */
export function fromEpochNanos(nanos: bigint | string): string | undefined {
  if (typeof nanos === 'string' && !fitsEpoch(nanos)) return undefined;
  const micros = floorDiv(BigInt(nanos), NANOS_PER_MICRO);
  return micros >= MIN_MICROS && micros <= MAX_MICROS ? formatEpochMicros(micros) : undefined;
}

/** Why `input` is not a timestamp, without a leading field name, for callers that name the field themselves. */
export function invalidTimestamp(input: unknown): string {
  return `${describeValue(input)} is not a valid timestamp; use ISO-8601, epoch milliseconds or epoch nanoseconds`;
}

/** Canonical ISO form of microseconds since the Unix epoch. */
export function formatEpochMicros(micros: bigint): string {
  const seconds = floorDiv(micros, MICROS_PER_SECOND);
  const fraction = micros - seconds * MICROS_PER_SECOND;
  const whole = new Date(Number(seconds) * 1000).toISOString();
  return `${whole.slice(0, -5)}.${fraction.toString().padStart(6, '0')}Z`;
}

/** Microseconds since the Unix epoch of a timestamp parseTimestamp accepts; throws on anything else. */
export function toEpochMicros(iso: string): bigint {
  const micros = toMicros(iso);
  if (micros === undefined) throw new RangeError(`ts ${invalidTimestamp(iso)}`);
  return micros;
}

/** The current time in the canonical form (millisecond precision). */
export function nowIso(): string {
  return formatEpochMicros(BigInt(Date.now()) * MICROS_PER_MILLI);
}

const MAX_EPOCH_DIGITS = 24;

function toMicros(input: unknown): bigint | undefined {
  const micros = unboundedMicros(input);
  return micros !== undefined && micros >= MIN_MICROS && micros <= MAX_MICROS ? micros : undefined;
}

function unboundedMicros(input: unknown): bigint | undefined {
  if (typeof input === 'number') return microsFromNumber(input);
  if (typeof input === 'bigint') return microsFromEpochInteger(input);
  if (input instanceof Date) return microsFromNumber(input.getTime());
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (INTEGER.test(text)) return fitsEpoch(text) ? microsFromEpochInteger(BigInt(text)) : undefined;
  const decimal = DECIMAL.exec(text);
  if (decimal) {
    if (!fitsEpoch(decimal[1])) return undefined;
    return microsFromEpochDecimal(BigInt(decimal[1]), decimal[2], decimal[1].startsWith('-'));
  }
  if (EXPONENT.test(text)) return microsFromNumber(Number(text));
  return microsFromIso(text);
}

/**
 * Whether an integer's digits could be a time before 9999 in any unit (that
 * is 22 digits of nanoseconds, at most). Checked before BigInt(), which costs
 * more than linear time in the length of its decimal text.
 */
function fitsEpoch(integer: string): boolean {
  return integer.replace(/^[-+]?0*/, '').length <= MAX_EPOCH_DIGITS;
}

function microsFromNumber(n: number): bigint | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (Number.isInteger(n)) return microsFromEpochInteger(BigInt(n));
  // Fractional milliseconds round to the nearest µs: the float itself is only an approximation.
  if (Math.abs(n) < Number(MILLIS_BELOW)) return BigInt(Math.round(n * 1000));
  return microsFromEpochInteger(BigInt(Math.trunc(n)));
}

function microsFromEpochInteger(n: bigint): bigint {
  const magnitude = n < 0n ? -n : n;
  if (magnitude < MILLIS_BELOW) return n * MICROS_PER_MILLI;
  if (magnitude < MICROS_BELOW) return n;
  return floorDiv(n, NANOS_PER_MICRO);
}

function microsFromEpochDecimal(whole: bigint, fraction: string, negative: boolean): bigint {
  const magnitude = whole < 0n ? -whole : whole;
  // Of a millisecond fraction three digits are µs; any fraction of a µs or ns count is finer than we keep.
  if (magnitude >= MILLIS_BELOW) return microsFromEpochInteger(whole);
  const fractionMicros = BigInt(fraction.slice(0, 3).padEnd(3, '0'));
  return whole * MICROS_PER_MILLI + (negative ? -fractionMicros : fractionMicros);
}

function microsFromIso(text: string): bigint | undefined {
  const match = ISO.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  // Years before 1900 can never land in range, and Date.UTC would read 0..99 as 19xx.
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetSeconds = zoneOffsetSeconds(zone);
  if (offsetSeconds === undefined) return undefined;
  const utcSeconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetSeconds;
  return BigInt(utcSeconds) * MICROS_PER_SECOND + BigInt(fraction.slice(0, 6).padEnd(6, '0'));
}

function zoneOffsetSeconds(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 3600 + minutes * 60);
}

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

function floorDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? quotient - 1n : quotient;
}
