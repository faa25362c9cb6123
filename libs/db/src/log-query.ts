import { Severity, SEVERITY_NUMBER } from '@logyard/contracts';
import { LOG_ROW_COLUMNS, tsText } from './log-row';

/** A validated archive query; the HTTP and AMQP front ends both build one. */
export interface LogQuery {
  /** Inclusive lower bound, canonical ISO. */
  from?: string;
  /** Exclusive upper bound, canonical ISO. */
  to?: string;
  hosts: string[];
  services: string[];
  /** Already expanded from minSeverity; empty means every severity. */
  severities: Severity[];
  /** Full text in web-search syntax (words, "phrases", -word, or). */
  text?: string;
  /** Every pair must be contained in the record's attributes. */
  attributes: Record<string, string>;
  traceId?: string;
  /** Case-insensitive substrings of the message; every one must occur (grep semantics). */
  contains?: string[];
  /** Records from these hosts, services and severities are left out. */
  excludedHosts?: string[];
  excludedServices?: string[];
  excludedSeverities?: Severity[];
  limit: number;
  /** Keyset position: only records strictly older than this (ts, id) pair. */
  after?: { ts: string; id: string };
}

/** The filters shared by listing, histogram and facets: a query without its page. */
export type LogFilters = Omit<LogQuery, 'limit' | 'after'>;

export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** Collects WHERE clauses with numbered parameters; nothing user-supplied is ever spliced into SQL. */
export class WhereBuilder {
  readonly clauses: string[] = [];
  readonly values: unknown[] = [];

  add(clause: (param: (value: unknown) => string) => string): void {
    this.clauses.push(clause((value) => `$${this.values.push(value)}`));
  }

  toSql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** The filters shared by listing, histogram and facets. */
export function whereForFilters(query: LogFilters): WhereBuilder {
  const where = new WhereBuilder();
  if (query.from) where.add((p) => `ts >= ${p(query.from)}::timestamptz`);
  if (query.to) where.add((p) => `ts < ${p(query.to)}::timestamptz`);
  if (query.hosts.length) where.add((p) => oneOf('host', query.hosts, p));
  if (query.services.length) where.add((p) => oneOf('service', query.services, p));
  if (query.severities.length) {
    where.add((p) => `severity = ANY(${p(query.severities.map((s) => SEVERITY_NUMBER[s]))}::smallint[])`);
  }
  if (query.text) {
    where.add((p) => `to_tsvector('simple', message) @@ websearch_to_tsquery('simple', ${p(query.text)})`);
  }
  if (Object.keys(query.attributes).length) {
    where.add((p) => `attributes @> ${p(JSON.stringify(query.attributes))}::jsonb`);
  }
  if (query.traceId) where.add((p) => `trace_id = ${p(query.traceId)}`);
  for (const substring of query.contains ?? []) {
    where.add((p) => `message ILIKE ${p(likePattern(substring))} ESCAPE '\\'`);
  }
  if (query.excludedHosts?.length) where.add((p) => `host <> ALL(${p(query.excludedHosts)}::text[])`);
  if (query.excludedServices?.length)
    where.add((p) => `service <> ALL(${p(query.excludedServices)}::text[])`);
  if (query.excludedSeverities?.length) {
    const numbers = query.excludedSeverities.map((s) => SEVERITY_NUMBER[s]);
    where.add((p) => `severity <> ALL(${p(numbers)}::smallint[])`);
  }
  return where;
}

/** A LIKE pattern matching `substring` anywhere; its own %, _ and backslash are escaped to match themselves. */
export function likePattern(substring: string): string {
  return `%${substring.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * `column = $n` for a single value, which lets the planner walk the
 * (column, ts) index in time order; `= ANY` of an array cannot.
 */
function oneOf(column: string, values: string[], param: (value: unknown) => string): string {
  return values.length === 1
    ? `${column} = ${param(values[0])}`
    : `${column} = ANY(${param(values)}::text[])`;
}

/**
 * Newest first, keyset-paged on (ts, id): a page never shifts when newer
 * records arrive, because the position is a value, not an offset. Fetches one
 * row more than the limit so the caller knows whether a next page exists.
 *
 * Without full text, the order names the table's columns (a bare `ts` would
 * mean the text the select list renders): the planner can then walk the
 * primary key or a (service|host, ts) index of every partition backwards and
 * stop after the page. With full text that walk is a trap: the planner
 * cannot see that a word never occurs in, say, the debug partitions, and a
 * backward walk of those computes to_tsvector for every row of the range
 * (seconds on a million rows). So matches are collected through the GIN
 * index behind an OFFSET 0 fence and only then sorted (top-N, so memory stays
 * bounded): the cost follows the number of matches, not the size of the range.
 * The rendered ts sorts exactly as the timestamp (fixed-width UTC).
 */
export function buildLogQuery(query: LogQuery): SqlStatement {
  const where = whereForFilters(query);
  if (query.after) {
    const { ts, id } = query.after;
    where.add((p) => `(ts, id) < (${p(ts)}::timestamptz, ${p(id)}::uuid)`);
  }
  const limit = `$${where.values.push(query.limit + 1)}`;
  const select = `SELECT ${LOG_ROW_COLUMNS} FROM logs ${where.toSql()}`;
  return {
    text: query.text
      ? `SELECT * FROM (${select} OFFSET 0) matches ORDER BY ts DESC, id DESC LIMIT ${limit}`
      : `${select} ORDER BY logs.ts DESC, logs.id DESC LIMIT ${limit}`,
    values: where.values,
  };
}

/** Widths of the newest-first windows a full-text page is searched in before the rest of the range. */
const TEXT_WINDOW_HOURS = [1, 4, 16, 64, 256];
const HOUR_MS = 3_600_000;

/**
 * The time windows, newest first, in which a full-text page is looked for:
 * 1 h, 4 h, 16 h, … back from the query's upper end (its `to`, its cursor, or
 * now), then the rest of its range. A page of a frequent word fills in the
 * first window and stops there; a rare word's windows each cost little. One
 * query over the whole range would instead collect every match of the word
 * (tens of thousands over a day) before sorting out the newest 100. The
 * first window keeps the query's own upper bound, so without `to` records
 * dated in the future are still found. Windows are disjoint and descending,
 * so their pages concatenate in keyset order.
 */
export function fullTextWindows(query: LogQuery, now: Date): { from?: string; to?: string }[] {
  const bounds = [query.to, query.after?.ts].filter((ts): ts is string => ts !== undefined).sort();
  const upperMs = bounds.length ? Date.parse(bounds[0]) : now.getTime();
  const windows: { from?: string; to?: string }[] = [];
  let to = query.to;
  for (const hours of TEXT_WINDOW_HOURS) {
    // The canonical form (six fractional digits), so it compares as text with `from`.
    const from = new Date(upperMs - hours * HOUR_MS).toISOString().replace('Z', '000Z');
    if (query.from !== undefined && from <= query.from) break;
    windows.push({ from, to });
    to = from;
  }
  windows.push({ from: query.from, to });
  return windows;
}

/**
 * Buckets are aligned on a grid from the Unix epoch in UTC, so a 1h bucket
 * starts on the hour and a 1d bucket at UTC midnight, whatever the range.
 */
export const BUCKET_ORIGIN = '1970-01-01T00:00:00Z';

/**
 * Counts per (bucket, severity) over the filters, with `date_bin` (PostgreSQL
 * 14+). Only non-empty buckets come back; the caller fills the gaps. The
 * bucket is rendered in the wire format (see tsText), so it compares equal to
 * bucket starts computed in JS.
 */
export function buildHistogramQuery(filters: LogFilters, intervalSeconds: number): SqlStatement {
  const where = whereForFilters(filters);
  const interval = `$${where.values.push(`${intervalSeconds} seconds`)}`;
  const origin = `$${where.values.push(BUCKET_ORIGIN)}`;
  return {
    text:
      `SELECT ${tsText('bucket')} AS bucket, severity, count(*) AS count FROM ` +
      `(SELECT date_bin(${interval}::interval, ts, ${origin}::timestamptz) AS bucket, severity FROM logs ${where.toSql()}) b ` +
      'GROUP BY bucket, severity ORDER BY bucket, severity',
    values: where.values,
  };
}

export type FacetName = 'hosts' | 'services' | 'severities';

/**
 * The `limit` most frequent hosts, services and severities over the filters,
 * in one pass over the rows (GROUPING SETS) rather than three. Each facet is
 * ranked by count, descending, ties by value. `value` is text: a severity
 * comes back as its stored number.
 */
export function buildFacetQuery(filters: LogFilters, limit: number): SqlStatement {
  const where = whereForFilters(filters);
  const top = `$${where.values.push(limit)}`;
  // GROUPING(host, service, severity) is a bit mask of the columns a row is *not* grouped by.
  return {
    text: `WITH counts AS (
  SELECT GROUPING(host, service, severity) AS grouped, host, service, severity, count(*) AS count
    FROM logs ${where.toSql()}
   GROUP BY GROUPING SETS ((host), (service), (severity))
)
SELECT facet, value, count FROM (
  SELECT CASE grouped WHEN 3 THEN 'hosts' WHEN 5 THEN 'services' ELSE 'severities' END AS facet,
         COALESCE(host, service, severity::text) AS value, count,
         row_number() OVER (PARTITION BY grouped ORDER BY count DESC, host, service, severity) AS rank
    FROM counts
) ranked
WHERE rank <= ${top}
ORDER BY facet, rank`,
    values: where.values,
  };
}

/**
 * The `limit` most frequent values of one attribute over the filters (`/api/facets?field=attr.<key>`),
 * among the records that have it; a non-string value counts as its JSON text.
 */
export function buildAttributeFacetQuery(filters: LogFilters, key: string, limit: number): SqlStatement {
  const where = whereForFilters(filters);
  const name = `$${where.values.push(key)}`;
  where.clauses.push(`attributes ? ${name}`);
  const top = `$${where.values.push(limit)}`;
  return {
    text:
      `SELECT attributes->>${name} AS value, count(*) AS count FROM logs ${where.toSql()} ` +
      `GROUP BY 1 ORDER BY count DESC, value LIMIT ${top}`,
    values: where.values,
  };
}
