import { Severity, SEVERITY_NUMBER } from '@logyard/contracts';
import { LOG_ROW_COLUMNS } from './log-row';

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
  limit: number;
  /** Keyset position: only records strictly older than this (ts, id) pair. */
  after?: { ts: string; id: string };
}

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
export function whereForFilters(query: Omit<LogQuery, 'limit' | 'after'>): WhereBuilder {
  const where = new WhereBuilder();
  if (query.from) where.add((p) => `ts >= ${p(query.from)}::timestamptz`);
  if (query.to) where.add((p) => `ts < ${p(query.to)}::timestamptz`);
  if (query.hosts.length) where.add((p) => `host = ANY(${p(query.hosts)}::text[])`);
  if (query.services.length) where.add((p) => `service = ANY(${p(query.services)}::text[])`);
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
  return where;
}

/**
 * Newest first, keyset-paged on (ts, id): a page never shifts when newer
 * records arrive, because the position is a value, not an offset. Fetches one
 * row more than the limit so the caller knows whether a next page exists.
 */
export function buildLogQuery(query: LogQuery): SqlStatement {
  const where = whereForFilters(query);
  if (query.after) {
    const { ts, id } = query.after;
    where.add((p) => `(ts, id) < (${p(ts)}::timestamptz, ${p(id)}::uuid)`);
  }
  const limit = `$${where.values.push(query.limit + 1)}`;
  return {
    text: `SELECT ${LOG_ROW_COLUMNS} FROM logs ${where.toSql()} ORDER BY ts DESC, id DESC LIMIT ${limit}`,
    values: where.values,
  };
}
