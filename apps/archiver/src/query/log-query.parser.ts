import {
  alertFiltersRequest,
  facetField,
  facetsRequest,
  formatEpochMicros,
  histogramRequest,
  Interval,
  LogFilters,
  LogQuery,
  LogQueryRequest,
  logQueryRequest,
  ParamError,
  parseRequest,
  parseTimestamp,
  QueryParams,
  Result,
  severitiesAtLeast,
  TimeParam,
  toEpochMicros,
} from '@logyard/contracts';
import { formatDuration } from '@logyard/config';
import { z } from 'zod';
import { decodeCursor } from './cursor';
import { bucketCount, chooseInterval, isInterval, MAX_BUCKETS } from './histogram';

// Turns a request the contracts' schemas validated into an archive query: what needs the clock (relative
// times, default ranges), the configuration (QUERY_MAX_RANGE) or the archive (cursors) happens here.

/** The range of a histogram or facet query that names neither end. */
const DEFAULT_RANGE_MS = 86_400_000;

/** Filters over a closed range: what histograms and facets count over. */
export type RangeFilters = LogFilters & { from: string; to: string };

export interface HistogramQuery {
  filters: RangeFilters;
  interval: Interval;
}

/** The filter parameters every request schema shares, as they come out of it. */
type FilterParams = Omit<LogQueryRequest, 'limit' | 'cursor'>;

/**
 * Validates the query string of GET /api/logs (and the AMQP RPC request, which carries the same fields)
 * with logQueryRequest; unknown parameters are refused rather than ignored.
 */
export function parseLogQuery(params: QueryParams, now = new Date()): Result<LogQuery, ParamError> {
  const request = parseRequest(logQueryRequest, params);
  if (!request.ok) return request;
  const { limit, cursor, ...given } = request.value;
  const filters = toFilters(given, now);
  if (!filters.ok) return filters;
  const query: LogQuery = { ...filters.value, limit };
  if (cursor !== undefined) {
    const position = decodeCursor(cursor);
    if (!position.ok) return fail('cursor', position.error);
    query.after = position.value;
  }
  return { ok: true, value: query };
}

/**
 * Validates GET /api/logs/histogram: the filters of /api/logs (not its limit or cursor) and `interval`,
 * `auto` (the default, see {@link chooseInterval}) or one of INTERVALS. The range defaults to the 24
 * hours before `to`, itself defaulting to now, and may span at most `maxRangeMs` (QUERY_MAX_RANGE).
 */
export function parseHistogramQuery(
  params: QueryParams,
  maxRangeMs: number,
  now = new Date(),
): Result<HistogramQuery, ParamError> {
  const request = parseRequest(histogramRequest, params);
  if (!request.ok) return request;
  const { interval: given, ...rest } = request.value;
  const filters = toRangeFilters(rest, maxRangeMs, now);
  if (!filters.ok) return filters;
  const { from, to } = filters.value;
  const chosen = given !== undefined && given !== 'auto' && isInterval(given) ? given : undefined;
  const interval = chosen ?? chooseInterval(from, to);
  const buckets = bucketCount(from, to, interval);
  if (buckets > MAX_BUCKETS) {
    // The automatic interval grows to a day, so only the range itself can be too long for it.
    return chosen
      ? fail('interval', `${chosen} makes ${buckets} buckets over this range; at most ${MAX_BUCKETS}`)
      : fail('from', `the range is too long for a histogram: at most ${MAX_BUCKETS} days`);
  }
  return { ok: true, value: { filters: filters.value, interval } };
}

/**
 * Validates GET /api/facets: the filters of /api/logs over a range defaulting to the last 24 hours and
 * spanning at most `maxRangeMs` (QUERY_MAX_RANGE); `field` is read by {@link parseFacetField}.
 */
export function parseFacetQuery(
  params: QueryParams,
  maxRangeMs: number,
  now = new Date(),
): Result<RangeFilters, ParamError> {
  const request = parseRequest(facetsRequest, params);
  if (!request.ok) return request;
  return toRangeFilters(request.value, maxRangeMs, now);
}

/** `field` of GET /api/facets: the attribute key it asks for, undefined when absent. */
export function parseFacetField(params: QueryParams): Result<string | undefined, ParamError> {
  const field = parseRequest(z.object({ field: facetField }), { field: params.field });
  return field.ok ? { ok: true, value: field.value.field } : field;
}

/** A time as given, at the moment `now`: canonical ISO, or why it is none (a relative time before year 0). */
export function resolveTime(time: TimeParam, now: Date): Result<string> {
  return 'ts' in time ? { ok: true, value: time.ts } : parseTimestamp(now.getTime() - time.beforeNowMs);
}

/**
 * Histograms and facets read every row of their range, so the range is capped: their cost follows the
 * rows in it, whatever the filters.
 */
function toRangeFilters(
  params: FilterParams,
  maxRangeMs: number,
  now: Date,
): Result<RangeFilters, ParamError> {
  const filters = toFilters(params, now);
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

/** The archive's filters for validated parameters: times resolved at `now`, minSeverity expanded. */
function toFilters(params: FilterParams, now: Date): Result<LogFilters, ParamError> {
  const filters: LogFilters = {
    hosts: params.host ?? [],
    services: params.service ?? [],
    severities: params.minSeverity ? severitiesAtLeast(params.minSeverity) : (params.severity ?? []),
    attributes: params.attributes,
    ...(params.q !== undefined ? { text: params.q } : {}),
    ...(params.traceId !== undefined ? { traceId: params.traceId } : {}),
    ...(params.contains ? { contains: params.contains } : {}),
    ...(params['-host']?.length ? { excludedHosts: params['-host'] } : {}),
    ...(params['-service']?.length ? { excludedServices: params['-service'] } : {}),
    ...(params['-severity']?.length ? { excludedSeverities: params['-severity'] } : {}),
  };
  for (const field of ['from', 'to'] as const) {
    const given = params[field];
    if (given === undefined) continue;
    const time = resolveTime(given, now);
    if (!time.ok) return fail(field, time.error);
    filters[field] = time.value;
  }
  if (filters.from && filters.to && filters.from >= filters.to)
    return fail('from', 'must be earlier than to');
  return { ok: true, value: filters };
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
  const request = parseRequest(alertFiltersRequest, params);
  return request.ok ? toFilters(request.value, new Date()) : request;
}
