import {
  err,
  formatEpochMicros,
  parseSeverity,
  parseTimestamp,
  Result,
  Severity,
  severitiesAtLeast,
  toEpochMicros,
} from '@logyard/contracts';
import { formatDuration } from '@logyard/config';
import { LogFilters, LogQuery } from '@logyard/db';
import { decodeCursor } from './cursor';
import { bucketCount, chooseInterval, Interval, INTERVALS, isInterval, MAX_BUCKETS } from './histogram';

export type QueryParams = Record<string, string | string[] | undefined>;

/** A 400 that names the parameter at fault. */
export interface ParamError {
  field: string;
  message: string;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** The range of a histogram or facet query that names neither end. */
const DEFAULT_RANGE_MS = 86_400_000;
const ATTRIBUTE_PREFIX = 'attr.';
const FILTER_PARAMS = ['from', 'to', 'host', 'service', 'severity', 'minSeverity', 'q', 'traceId'];
/** Substring search and exclusions: `contains=` (repeatable) and `-host=`, `-service=`, `-severity=`. */
const EXTRA_FILTER_PARAMS = ['contains', '-host', '-service', '-severity'];
/** Bounds on `contains`, so one request's LIKE work stays proportional to the rows it reads. */
export const MAX_CONTAINS = 8;
export const MAX_CONTAINS_LENGTH = 256;
const RELATIVE_UNITS_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
/**
 * Longer than any time this API accepts (an ISO time with nanoseconds and a
 * zone is 35 characters). Refused before parsing: the timestamp parser's
 * exponent pattern is quadratic on long runs of digits.
 */
const MAX_TIME_LENGTH = 64;

/** Filters over a closed range: what histograms and facets count over. */
export type RangeFilters = LogFilters & { from: string; to: string };

export interface HistogramQuery {
  filters: RangeFilters;
  interval: Interval;
}

/**
 * Validates the query string of GET /api/logs (and the AMQP RPC request,
 * which carries the same fields). Unknown parameters are refused rather than
 * ignored: a misspelt filter would otherwise silently widen the answer.
 */
export function parseLogQuery(params: QueryParams, now = new Date()): Result<LogQuery, ParamError> {
  const filters = parseFilters(params, [...FILTER_PARAMS, 'limit', 'cursor'], now);
  if (!filters.ok) return filters;
  const query: LogQuery = { ...filters.value, limit: DEFAULT_LIMIT };

  const limit = single(params, 'limit');
  if (limit.error) return limit.error;
  if (limit.value !== undefined) {
    const n = Number(limit.value);
    if (!/^\d+$/.test(limit.value) || n < 1 || n > MAX_LIMIT)
      return fail('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
    query.limit = n;
  }

  const cursor = single(params, 'cursor');
  if (cursor.error) return cursor.error;
  if (cursor.value !== undefined) {
    const position = decodeCursor(cursor.value);
    if (!position.ok) return fail('cursor', position.error);
    query.after = position.value;
  }
  return { ok: true, value: query };
}

/**
 * Validates GET /api/logs/histogram: the filters of /api/logs (not its
 * limit or cursor) and `interval`, `auto` (the default, see
 * {@link chooseInterval}) or one of {@link INTERVALS}. The range defaults to
 * the 24 hours before `to`, itself defaulting to now, and may span at most
 * `maxRangeMs` (QUERY_MAX_RANGE).
 */
export function parseHistogramQuery(
  params: QueryParams,
  maxRangeMs: number,
  now = new Date(),
): Result<HistogramQuery, ParamError> {
  const filters = parseRangeFilters(params, [...FILTER_PARAMS, 'interval'], maxRangeMs, now);
  if (!filters.ok) return filters;
  const { from, to } = filters.value;
  const given = single(params, 'interval');
  if (given.error) return given.error;
  if (given.value === undefined || given.value === 'auto') {
    const interval = chooseInterval(from, to);
    if (bucketCount(from, to, interval) > MAX_BUCKETS) {
      return fail('from', `the range is too long for a histogram: at most ${MAX_BUCKETS} days`);
    }
    return { ok: true, value: { filters: filters.value, interval } };
  }
  if (!isInterval(given.value)) {
    return fail('interval', `must be auto or one of ${Object.keys(INTERVALS).join(', ')}`);
  }
  const buckets = bucketCount(from, to, given.value);
  if (buckets > MAX_BUCKETS) {
    return fail(
      'interval',
      `${given.value} makes ${buckets} buckets over this range; at most ${MAX_BUCKETS}`,
    );
  }
  return { ok: true, value: { filters: filters.value, interval: given.value } };
}

/**
 * Validates GET /api/facets: the filters of /api/logs over a range defaulting
 * to the last 24 hours and spanning at most `maxRangeMs` (QUERY_MAX_RANGE).
 */
export function parseFacetQuery(
  params: QueryParams,
  maxRangeMs: number,
  now = new Date(),
): Result<RangeFilters, ParamError> {
  return parseRangeFilters(params, [...FILTER_PARAMS, 'field'], maxRangeMs, now);
}

/**
 * Histograms and facets read every row of their range, so the range is
 * capped: their cost follows the rows in it, whatever the filters.
 */
function parseRangeFilters(
  params: QueryParams,
  known: readonly string[],
  maxRangeMs: number,
  now: Date,
): Result<RangeFilters, ParamError> {
  const filters = parseFilters(params, known, now);
  if (!filters.ok) return filters;
  const to = filters.value.to ?? formatEpochMicros(BigInt(now.getTime()) * 1000n);
  // The default range stops at the epoch, the earliest time there is: `to=1970-01-01T01:00:00Z` covers one hour.
  const defaultFrom = toEpochMicros(to) - BigInt(DEFAULT_RANGE_MS) * 1000n;
  const from = filters.value.from ?? formatEpochMicros(defaultFrom > 0n ? defaultFrom : 0n);
  // Only one end was given, and it lies beyond the other's default (e.g. from in the future).
  if (from >= to) return fail('from', 'must be earlier than to');
  if (toEpochMicros(to) - toEpochMicros(from) > BigInt(maxRangeMs) * 1000n) {
    return fail(
      'from',
      `the range spans more than ${formatDuration(maxRangeMs)}, the most a histogram or facets cover (QUERY_MAX_RANGE); narrow from or to`,
    );
  }
  return { ok: true, value: { ...filters.value, from, to } };
}

/** The filters every read shares; `known` lists the parameters the endpoint accepts. */
function parseFilters(
  params: QueryParams,
  known: readonly string[],
  now: Date,
): Result<LogFilters, ParamError> {
  const accepted = [...known, ...EXTRA_FILTER_PARAMS];
  for (const name of Object.keys(params)) {
    if (!accepted.includes(name) && !name.startsWith(ATTRIBUTE_PREFIX)) {
      return fail(name, `unknown parameter; use one of ${accepted.join(', ')} or attr.<key>`);
    }
  }
  const query: LogFilters = { hosts: [], services: [], severities: [], attributes: {} };

  for (const field of ['from', 'to'] as const) {
    const value = single(params, field);
    if (value.error) return value.error;
    if (value.value === undefined) continue;
    const time = parseTime(value.value, now);
    if (!time.ok) return fail(field, time.error);
    query[field] = time.value;
  }
  if (query.from && query.to && query.from >= query.to) return fail('from', 'must be earlier than to');

  query.hosts = many(params, 'host');
  query.services = many(params, 'service');
  for (const field of ['host', 'service'] as const) {
    if (many(params, field).some((value) => !value)) return fail(field, 'must not be empty');
  }

  const severities = many(params, 'severity');
  const minSeverity = single(params, 'minSeverity');
  if (minSeverity.error) return minSeverity.error;
  if (severities.length && minSeverity.value !== undefined) {
    return fail('minSeverity', 'use either severity or minSeverity, not both');
  }
  for (const value of severities) {
    const severity = parseSeverity(value);
    if (!severity.ok) return fail('severity', severity.error);
    if (!query.severities.includes(severity.value)) query.severities.push(severity.value);
  }
  if (minSeverity.value !== undefined) {
    const floor = parseSeverity(minSeverity.value);
    if (!floor.ok) return fail('minSeverity', floor.error);
    query.severities = severitiesAtLeast(floor.value);
  }

  const text = single(params, 'q');
  if (text.error) return text.error;
  if (text.value !== undefined) {
    if (!text.value.trim()) return fail('q', 'must not be empty');
    query.text = text.value;
  }

  const traceId = single(params, 'traceId');
  if (traceId.error) return traceId.error;
  if (traceId.value !== undefined) {
    if (!/^[0-9a-f]{32}$/i.test(traceId.value)) return fail('traceId', 'must be 32 hexadecimal characters');
    query.traceId = traceId.value.toLowerCase();
  }

  const attributes: [string, string][] = [];
  for (const name of Object.keys(params).filter((key) => key.startsWith(ATTRIBUTE_PREFIX))) {
    const key = name.slice(ATTRIBUTE_PREFIX.length);
    const value = single(params, name);
    if (value.error) return value.error;
    if (!key) return fail(name, 'needs a key, as in attr.region=eu');
    attributes.push([key, value.value ?? '']);
  }
  // fromEntries defines own properties, so even a key like __proto__ stays a filter.
  query.attributes = Object.fromEntries(attributes);
  const extra = parseSubstringsAndExclusions(params);
  if (!extra.ok) return extra;
  return { ok: true, value: { ...query, ...extra.value } };
}

/** `contains=` (case-insensitive substrings, all must occur) and `-host=`, `-service=`, `-severity=`. */
function parseSubstringsAndExclusions(
  params: QueryParams,
): Result<
  Pick<LogFilters, 'contains' | 'excludedHosts' | 'excludedServices' | 'excludedSeverities'>,
  ParamError
> {
  const contains = many(params, 'contains');
  if (contains.length > MAX_CONTAINS) return fail('contains', `may be given at most ${MAX_CONTAINS} times`);
  if (contains.some((value) => !value)) return fail('contains', 'must not be empty');
  if (contains.some((value) => value.length > MAX_CONTAINS_LENGTH)) {
    return fail('contains', `must be at most ${MAX_CONTAINS_LENGTH} characters`);
  }
  const excluded: Pick<LogFilters, 'excludedHosts' | 'excludedServices' | 'excludedSeverities'> = {};
  for (const [name, field] of [
    ['-host', 'excludedHosts'],
    ['-service', 'excludedServices'],
  ] as const) {
    const values = many(params, name);
    if (values.some((value) => !value)) return fail(name, 'must not be empty');
    if (values.length) excluded[field] = values;
  }
  const severities: Severity[] = [];
  for (const value of many(params, '-severity')) {
    const severity = parseSeverity(value);
    if (!severity.ok) return fail('-severity', severity.error);
    if (!severities.includes(severity.value)) severities.push(severity.value);
  }
  if (severities.length) excluded.excludedSeverities = severities;
  return { ok: true, value: { ...(contains.length ? { contains } : {}), ...excluded } };
}

/**
 * `field` of GET /api/facets: `attr.<key>` asks for the top values of that attribute instead of the
 * hosts, services and severities; undefined when absent.
 */
export function parseFacetField(params: QueryParams): Result<string | undefined, ParamError> {
  const field = single(params, 'field');
  if (field.error) return field.error;
  if (field.value === undefined) return { ok: true, value: undefined };
  const key = field.value.startsWith(ATTRIBUTE_PREFIX) ? field.value.slice(ATTRIBUTE_PREFIX.length) : '';
  if (!key) return fail('field', 'must be attr.<key>, as in attr.region');
  return { ok: true, value: key };
}

/** `now`, `now-15m` (units s, m, h, d, w), ISO-8601, or epoch milliseconds. */
export function parseTime(value: string, now: Date): Result<string> {
  if (value.length > MAX_TIME_LENGTH) return err(`must be at most ${MAX_TIME_LENGTH} characters`);
  const relative = /^now(?:-(\d+)([smhdw]))?$/.exec(value.trim());
  if (relative) {
    const offset = relative[1] ? Number(relative[1]) * RELATIVE_UNITS_MS[relative[2]] : 0;
    return parseTimestamp(now.getTime() - offset);
  }
  const time = parseTimestamp(value);
  return time.ok ? time : err('must be ISO-8601, epoch milliseconds, or relative like now-15m');
}

function many(params: QueryParams, name: string): string[] {
  const value = params[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function single(params: QueryParams, name: string): { value?: string; error?: Result<never, ParamError> } {
  const value = params[name];
  if (Array.isArray(value)) return { error: fail(name, 'may be given only once') };
  return { value };
}

function fail(field: string, message: string): Result<never, ParamError> {
  return { ok: false, error: { field, message } };
}

/**
 * The filters of an alert rule (issue 15), given as GET /api/logs's
 * parameters: the same parser, so a rule accepts and refuses exactly what the
 * query does, with the same messages. No time range: the rule's window is its range.
 */
export function parseAlertFilters(params: QueryParams): Result<LogFilters, ParamError> {
  return parseFilters(params, ['host', 'service', 'severity', 'minSeverity', 'q'], new Date());
}
