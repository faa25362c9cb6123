import { foldCase } from './case-fold';
import type { LogFilters } from './log-filters';
import type { LogRecord } from './record';
import { compileTextQuery, TextWords } from './text-query';

/**
 * A record seen by many compiled filters: what more than one filter needs
 * (the lower-cased message, its words) is computed once, on first use.
 */
export class MatchableRecord {
  private lowered?: string;
  private messageWords?: TextWords;

  constructor(readonly record: LogRecord) {}

  get lowerMessage(): string {
    return (this.lowered ??= foldCase(this.record.message));
  }

  get words(): TextWords {
    return (this.messageWords ??= new TextWords(this.record.message));
  }
}

export type LogFilterMatcher = (record: MatchableRecord) => boolean;

/**
 * The in-memory twin of whereForFilters (libs/db): true exactly for the records
 * that query's WHERE clause selects, apart from the time range (the caller
 * windows by `ts`) and the full-text caveat of compileTextQuery. Each check
 * is linear in the record; `contains` is ILIKE's case-insensitive substring.
 */
export function compileLogFilters(filters: LogFilters): LogFilterMatcher {
  const checks: LogFilterMatcher[] = [];
  const oneOf = <T>(values: readonly T[] | undefined, of: (record: LogRecord) => T, wanted: boolean) => {
    if (!values?.length) return;
    const set = new Set(values);
    checks.push(({ record }) => set.has(of(record)) === wanted);
  };
  oneOf(filters.hosts, (r) => r.host, true);
  oneOf(filters.services, (r) => r.service, true);
  oneOf(filters.severities, (r) => r.severity, true);
  oneOf(filters.excludedHosts, (r) => r.host, false);
  oneOf(filters.excludedServices, (r) => r.service, false);
  oneOf(filters.excludedSeverities, (r) => r.severity, false);
  if (filters.traceId !== undefined) {
    const traceId = filters.traceId;
    checks.push(({ record }) => record.traceId?.toLowerCase() === traceId);
  }
  // jsonb @> {"k": "v"}: the attribute is present, as an own property, and is exactly the string v.
  for (const [key, value] of Object.entries(filters.attributes)) {
    checks.push(({ record }) => Object.hasOwn(record.attributes, key) && record.attributes[key] === value);
  }
  for (const substring of filters.contains ?? []) {
    const lowered = foldCase(substring);
    checks.push((record) => record.lowerMessage.includes(lowered));
  }
  if (filters.text !== undefined) {
    const text = compileTextQuery(filters.text);
    checks.push((record) => text(record.words));
  }
  return (record) => checks.every((check) => check(record));
}
