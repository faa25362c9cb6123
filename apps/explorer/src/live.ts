import type { LogRecord } from '@logyard/contracts';
import { compileLogFilters, MatchableRecord } from '../../../libs/contracts/src/log-filter.matcher';
import { MAX_TAIL_PATTERNS } from '../../../libs/contracts/src/query-limits';
import { routingToken } from '../../../libs/contracts/src/routing';
import { ExplorerState, severitiesOf } from './url-state';

/**
 * The tail's `host.service.severity` patterns for the page's host, service and severity filters: their
 * product, each word a routing token or `*`. Past the router's limit the tail takes everything (`#`) and
 * the page filters, as it does for every other filter.
 */
export function tailPatterns(state: ExplorerState): string[] {
  const hosts = state.hosts.length ? unique(state.hosts.map(routingToken)) : ['*'];
  const services = state.services.length ? unique(state.services.map(routingToken)) : ['*'];
  const severities = severitiesOf(state);
  const levels = severities.length === 6 ? ['*'] : [...severities];
  if (hosts.length * services.length * levels.length > MAX_TAIL_PATTERNS) return ['#'];
  return hosts.flatMap((host) =>
    services.flatMap((service) => levels.map((level) => `${host}.${service}.${level}`)),
  );
}

/**
 * The page's check of a live record, built once per filter state, as records arrive by the thousand a second:
 * a routing token stands for many names, so host and service are checked exactly here, and so are the
 * filters no pattern can express (words, trace, attributes). It is the alert evaluator's matcher, the
 * in-memory twin of the archive's query, so Live shows what the same search finds in the archive.
 */
export function liveFilter(state: ExplorerState): (record: LogRecord) => boolean {
  const matches = compileLogFilters({
    hosts: state.hosts,
    services: state.services,
    severities: [...severitiesOf(state)],
    excludedHosts: state.excludedHosts,
    excludedServices: state.excludedServices,
    text: state.q.trim() ? state.q : undefined,
    contains: state.contains,
    attributes: Object.fromEntries(state.attributes),
    traceId: state.traceId ? state.traceId.toLowerCase() : undefined,
  });
  return (record) => matches(new MatchableRecord(record));
}

/** Arrivals are counted per this many milliseconds: the meter's memory follows its window, not the rate. */
const RATE_BUCKET_MS = 100;

/** Records per second over a sliding window (to within one bucket), for the live header. */
export class RateMeter {
  private readonly buckets: { at: number; count: number }[] = [];

  constructor(private readonly windowMs = 5_000) {}

  record(count: number, now: number): void {
    const at = now - (now % RATE_BUCKET_MS);
    const last = this.buckets.at(-1);
    if (last?.at === at) last.count += count;
    else this.buckets.push({ at, count });
  }

  perSecond(now: number): number {
    while (this.buckets.length && this.buckets[0].at <= now - this.windowMs) this.buckets.shift();
    return (this.buckets.reduce((sum, bucket) => sum + bucket.count, 0) * 1000) / this.windowMs;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Live records kept on the page, newest first; older ones fall off the end. */
export const LIVE_LIMIT = 1_000;

export interface LiveTail {
  records: LogRecord[];
  /** Records per second arriving on the stream (before the page's own filters). */
  rate: number;
  /** Records the broker shed because this reader fell behind (`event: dropped`). */
  dropped: number;
  /** Matching records held back while paused. */
  waiting: number;
  status: 'connecting' | 'live' | 'reconnecting' | 'unavailable';
}

/**
 * The tail after a tick: `batch` (newest first) in front of what was shown, at most LIVE_LIMIT, and the
 * counters, the rate rounded as it is shown. When nothing changed it is `previous` itself, so that a quiet
 * stream draws nothing.
 */
export function nextTail(
  previous: LiveTail,
  batch: LogRecord[],
  counters: Omit<LiveTail, 'records'>,
): LiveTail {
  const rate = Math.round(counters.rate * 10) / 10;
  const unchanged =
    batch.length === 0 &&
    rate === previous.rate &&
    counters.dropped === previous.dropped &&
    counters.waiting === previous.waiting &&
    counters.status === previous.status;
  if (unchanged) return previous;
  const records = batch.length ? [...batch, ...previous.records].slice(0, LIVE_LIMIT) : previous.records;
  return { ...counters, records, rate };
}
