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
 * Whether a live record belongs on the page: a routing token stands for many names, so host and service are
 * checked exactly here, and so are the filters no pattern can express (words, trace, attributes).
 */
export function matchesLive(record: LogRecord, state: ExplorerState): boolean {
  return (
    (!state.hosts.length || state.hosts.includes(record.host)) &&
    (!state.services.length || state.services.includes(record.service)) &&
    !state.excludedHosts.includes(record.host) &&
    !state.excludedServices.includes(record.service) &&
    severitiesOf(state).includes(record.severity) &&
    (!state.traceId || record.traceId?.toLowerCase() === state.traceId.toLowerCase()) &&
    state.attributes.every(([key, value]) => String(record.attributes[key] ?? '') === value) &&
    // The archive's own full-text semantics, so Live shows what the same search finds in the archive.
    (!state.q.trim() || compileTextQuery(state.q)(new TextWords(record.message))) &&
    containsAll(record.message, state.contains)
  );
}

/** Records per second over a sliding window, for the live header. */
export class RateMeter {
  private readonly arrivals: number[] = [];

  constructor(private readonly windowMs = 5_000) {}

  record(count: number, now: number): void {
    for (let i = 0; i < count; i++) this.arrivals.push(now);
  }

  perSecond(now: number): number {
    while (this.arrivals.length && this.arrivals[0] <= now - this.windowMs) this.arrivals.shift();
    return (this.arrivals.length * 1000) / this.windowMs;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
