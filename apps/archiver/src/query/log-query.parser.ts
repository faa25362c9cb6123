import { err, parseSeverity, parseTimestamp, Result, severitiesAtLeast } from '@logyard/contracts';
import { LogQuery } from '@logyard/db';
import { decodeCursor } from './cursor';

export type QueryParams = Record<string, string | string[] | undefined>;

/** A 400 that names the parameter at fault. */
export interface ParamError {
  field: string;
  message: string;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const ATTRIBUTE_PREFIX = 'attr.';
const KNOWN_PARAMS = [
  'from',
  'to',
  'host',
  'service',
  'severity',
  'minSeverity',
  'q',
  'traceId',
  'limit',
  'cursor',
];
const RELATIVE_UNITS_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/**
 * Validates the query string of GET /api/logs (and the AMQP RPC request,
 * which carries the same fields). Unknown parameters are refused rather than
 * ignored: a misspelt filter would otherwise silently widen the answer.
 */
export function parseLogQuery(params: QueryParams, now = new Date()): Result<LogQuery, ParamError> {
  for (const name of Object.keys(params)) {
    if (!KNOWN_PARAMS.includes(name) && !name.startsWith(ATTRIBUTE_PREFIX)) {
      return fail(name, `unknown parameter; use one of ${KNOWN_PARAMS.join(', ')} or attr.<key>`);
    }
  }
  const query: LogQuery = { hosts: [], services: [], severities: [], attributes: {}, limit: DEFAULT_LIMIT };

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

/** `now`, `now-15m` (units s, m, h, d, w), ISO-8601, or epoch milliseconds. */
export function parseTime(value: string, now: Date): Result<string> {
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
