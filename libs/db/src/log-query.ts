import { formatEpochMicros, LogFilters, LogQuery, SEVERITY_NUMBER, toEpochMicros } from '@logyard/contracts';
import { LOG_ROW_COLUMNS, tsText } from './log-row';

export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** Collects WHERE clauses with numbered parameters; nothing user-supplied is ever spliced into SQL. */
export class WhereBuilder {
  readonly clauses: string[] = [];

  /** `values` may be shared by several builders whose clauses end up in one statement. */
  constructor(readonly values: unknown[] = []) {}

  add(clause: (param: (value: unknown) => string) => string): void {
    this.clauses.push(clause((value) => `$${this.values.push(value)}`));
  }

  toSql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** The filters shared by listing, histogram and facets. */
export function whereForFilters(query: LogFilters, where = new WhereBuilder()): WhereBuilder {
  addTimeRange(where, 'ts', query);
  addDimensions(where, query);
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
  return where;
}

function addTimeRange(where: WhereBuilder, column: string, range: { from?: string; to?: string }): void {
  if (range.from) where.add((p) => `${column} >= ${p(range.from)}::timestamptz`);
  if (range.to) where.add((p) => `${column} < ${p(range.to)}::timestamptz`);
}

/** Host, service and severity, chosen or excluded: the filters a count rollup can answer too. */
function addDimensions(where: WhereBuilder, query: LogFilters): void {
  if (query.hosts.length) where.add((p) => oneOf('host', query.hosts, p));
  if (query.services.length) where.add((p) => oneOf('service', query.services, p));
  if (query.severities.length) {
    where.add((p) => `severity = ANY(${p(query.severities.map((s) => SEVERITY_NUMBER[s]))}::smallint[])`);
  }
  if (query.excludedHosts?.length) where.add((p) => `host <> ALL(${p(query.excludedHosts)}::text[])`);
  if (query.excludedServices?.length)
    where.add((p) => `service <> ALL(${p(query.excludedServices)}::text[])`);
  if (query.excludedSeverities?.length) {
    const numbers = query.excludedSeverities.map((s) => SEVERITY_NUMBER[s]);
    where.add((p) => `severity <> ALL(${p(numbers)}::smallint[])`);
  }
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

/** Past this many candidate spans a substring is frequent: its page fills from the newest windows anyway. */
export const MAX_SKETCH_SPANS = 64;

/**
 * The spans of `ts` whose substring sketch may hold a message with every
 * gram of `probe` (sketchProbe of the query's substrings), newest first, at
 * most MAX_SKETCH_SPANS + 1: one more tells the caller to search the plain
 * windows instead. A span without a sketch always may. Each span is given as
 * a window [from, to) in the canonical form, its end one microsecond past its
 * last row.
 */
export function buildSketchSpanQuery(query: LogFilters, probe: readonly number[]): SqlStatement {
  const where = new WhereBuilder();
  if (query.from) where.add((p) => `last_ts >= ${p(query.from)}::timestamptz`);
  if (query.to) where.add((p) => `first_ts < ${p(query.to)}::timestamptz`);
  // A sketch is a power of two bytes, stored out of line uncompressed: each gram reads its one byte as a
  // slice, which fetches one chunk of it, where get_bit would fetch the whole sketch again for every gram.
  where.add(
    (p) =>
      `(grams IS NULL OR NOT EXISTS (SELECT 1 FROM unnest(${p(probe)}::bigint[]) AS gram ` +
      `WHERE get_byte(substring(grams FROM ((gram >> 3) & (length(grams) - 1))::int + 1 FOR 1), 0) ` +
      `& (1 << (gram & 7)::int) = 0))`,
  );
  return {
    text:
      `SELECT ${tsText('first_ts')} AS "from", ${tsText(`(last_ts + interval '1 microsecond')`)} AS "to" ` +
      `FROM log_sketches ${where.toSql()} ORDER BY last_ts DESC LIMIT ${MAX_SKETCH_SPANS + 1}`,
    values: where.values,
  };
}

/**
 * Candidate spans as disjoint windows newest first, clipped to the query's
 * range: spans of batches written at once overlap, and a window is read once.
 * Canonical timestamps compare as text.
 */
export function sketchWindows(query: LogFilters, spans: readonly { from: string; to: string }[]) {
  const windows: { from: string; to: string }[] = [];
  for (const span of [...spans].sort((a, b) => (a.to < b.to ? 1 : a.to > b.to ? -1 : 0))) {
    const from = query.from !== undefined && query.from > span.from ? query.from : span.from;
    const to = query.to !== undefined && query.to < span.to ? query.to : span.to;
    if (from >= to) continue;
    const newest = windows[windows.length - 1];
    if (newest && to >= newest.from) newest.from = from < newest.from ? from : newest.from;
    else windows.push({ from, to });
  }
  return windows;
}

/**
 * Buckets are aligned on a grid from the Unix epoch in UTC, so a 1h bucket
 * starts on the hour and a 1d bucket at UTC midnight, whatever the range.
 */
export const BUCKET_ORIGIN = '1970-01-01T00:00:00Z';

/** A count rollup table (docs/design.md §5) and the width of its buckets. */
export type CountSource = 'log_counts_hour' | 'log_counts_minute' | 'logs';
const ROLLUPS: { source: CountSource; seconds: number }[] = [
  { source: 'log_counts_hour', seconds: 3_600 },
  { source: 'log_counts_minute', seconds: 60 },
];

/** One piece of a counted time range [from, to) and the table whose counts cover it exactly. */
export interface CountSegment {
  source: CountSource;
  from?: string;
  to?: string;
}

/**
 * Splits [from, to) so that the whole hours come from the hourly rollup, the
 * whole minutes left at either side from the minute rollup, and only the
 * partial minutes at the edges from the rows: 14 days are ≤ 336 hourly rows
 * per key and at most two minutes of records. A missing bound is open. Only
 * rollups whose buckets are at most `granularitySeconds` wide and divide it
 * are used (a histogram's bucket must hold whole rollup buckets); counts that
 * depend on anything but time, host, service and severity (`rollupsAnswer`)
 * come from the rows alone.
 */
export function countSegments(filters: LogFilters, granularitySeconds?: number): CountSegment[] {
  const usable = rollupsAnswer(filters)
    ? ROLLUPS.filter((r) => granularitySeconds === undefined || granularitySeconds % r.seconds === 0)
    : [];
  const from = filters.from === undefined ? undefined : toEpochMicros(filters.from);
  const to = filters.to === undefined ? undefined : toEpochMicros(filters.to);
  return split(from, to, usable).map(({ source, from, to }) => ({
    source,
    ...(from === undefined ? {} : { from: formatEpochMicros(from) }),
    ...(to === undefined ? {} : { to: formatEpochMicros(to) }),
  }));
}

/** Whether the rollups can count records matching these filters: only time and the three dimensions. */
export function rollupsAnswer(filters: LogFilters): boolean {
  return (
    !filters.text &&
    !filters.traceId &&
    !filters.contains?.length &&
    Object.keys(filters.attributes).length === 0
  );
}

type MicrosSegment = { source: CountSource; from?: bigint; to?: bigint };

function split(from: bigint | undefined, to: bigint | undefined, rollups: typeof ROLLUPS): MicrosSegment[] {
  if (from !== undefined && to !== undefined && from >= to) return [];
  const [rollup, ...finer] = rollups;
  if (!rollup) return [{ source: 'logs', from, to }];
  const width = BigInt(rollup.seconds) * 1_000_000n;
  const floor = (value: bigint) => value - (((value % width) + width) % width);
  const first = from === undefined ? undefined : -floor(-from); // the first bucket start at or after from
  const last = to === undefined ? undefined : floor(to); // the end of the last whole bucket
  if (first !== undefined && last !== undefined && first >= last) return split(from, to, finer);
  return [
    ...(from !== undefined && first !== undefined && from < first ? split(from, first, finer) : []),
    { source: rollup.source, from: first, to: last },
    ...(to !== undefined && last !== undefined && last < to ? split(last, to, finer) : []),
  ];
}

/**
 * One row per record (from `logs`) or per rollup bucket (with its count) over
 * every segment, as `ts, <columns>, count`: what the histogram and facets
 * aggregate. The rows' part selects only what is asked, so a histogram still
 * reads the primary key alone (index-only scan).
 */
function countedRows(
  filters: LogFilters,
  segments: CountSegment[],
  columns: string,
  values: unknown[],
): string {
  return segments
    .map((segment) => {
      const where = new WhereBuilder(values);
      if (segment.source === 'logs') {
        whereForFilters({ ...filters, from: segment.from, to: segment.to }, where);
        return `SELECT ts, ${columns}, 1::bigint AS count FROM logs ${where.toSql()}`;
      }
      addTimeRange(where, 'bucket', segment);
      addDimensions(where, filters);
      return `SELECT bucket AS ts, ${columns}, count FROM ${segment.source} ${where.toSql()}`;
    })
    .join('\n  UNION ALL ');
}

/**
 * Counts per (bucket, severity) over the filters, with `date_bin` (PostgreSQL
 * 14+), from the rollups where they answer (countSegments). Only non-empty
 * buckets come back; the caller fills the gaps. The bucket is rendered in the
 * wire format (see tsText), so it compares equal to bucket starts computed in JS.
 */
export function buildHistogramQuery(filters: LogFilters, intervalSeconds: number): SqlStatement {
  const values: unknown[] = [];
  const rows = countedRows(filters, countSegments(filters, intervalSeconds), 'severity', values);
  const interval = `$${values.push(`${intervalSeconds} seconds`)}`;
  const origin = `$${values.push(BUCKET_ORIGIN)}`;
  return {
    text:
      `SELECT ${tsText('bucket')} AS bucket, severity, sum(count) AS count FROM ` +
      `(SELECT date_bin(${interval}::interval, ts, ${origin}::timestamptz) AS bucket, severity, count FROM (\n  ${rows}\n) r) b ` +
      'GROUP BY bucket, severity ORDER BY bucket, severity',
    values,
  };
}

export type FacetName = 'hosts' | 'services' | 'severities';

/**
 * The `limit` most frequent hosts, services and severities over the filters,
 * in one pass (GROUPING SETS) rather than three, from the rollups where they
 * answer (countSegments). Each facet is ranked by count, descending, ties by
 * value. `value` is text: a severity comes back as its stored number.
 */
export function buildFacetQuery(filters: LogFilters, limit: number): SqlStatement {
  const values: unknown[] = [];
  const rows = countedRows(filters, countSegments(filters), 'host, service, severity', values);
  const top = `$${values.push(limit)}`;
  // GROUPING(host, service, severity) is a bit mask of the columns a row is *not* grouped by.
  return {
    text: `WITH counts AS (
  SELECT GROUPING(host, service, severity) AS grouped, host, service, severity, sum(count) AS count
    FROM (
  ${rows}
    ) r
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
    values,
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
