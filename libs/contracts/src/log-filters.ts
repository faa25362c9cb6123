import { Severity } from './severity';

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
