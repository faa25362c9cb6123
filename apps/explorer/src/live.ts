import type { LogRecord } from '@logyard/contracts';
import { MAX_TAIL_PATTERNS } from '../../../libs/contracts/src/query-limits';
import { routingToken } from '../../../libs/contracts/src/routing';
import { compileTextQuery, TextWords } from '../../../libs/contracts/src/text-query';
import { containsAll } from './highlight';
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
 * filters no pattern can express (words, trace, attributes).
 */
export function liveFilter(state: ExplorerState): (record: LogRecord) => boolean {
  const severities = new Set<string>(severitiesOf(state));
  const traceId = state.traceId.toLowerCase();
  // The archive's own full-text semantics, so Live shows what the same search finds in the archive.
  const text = state.q.trim() ? compileTextQuery(state.q) : undefined;
  return (record) =>
    (!state.hosts.length || state.hosts.includes(record.host)) &&
    (!state.services.length || state.services.includes(record.service)) &&
    !state.excludedHosts.includes(record.host) &&
    !state.excludedServices.includes(record.service) &&
    severities.has(record.severity) &&
    (!traceId || record.traceId?.toLowerCase() === traceId) &&
    state.attributes.every(([key, value]) => String(record.attributes[key] ?? '') === value) &&
    (!text || text(new TextWords(record.message))) &&
    (!state.contains.length || containsAll(record.message, state.contains));
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
