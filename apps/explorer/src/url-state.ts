import type { Severity } from '@logyard/contracts';
import { SEVERITIES } from '../../../libs/contracts/src/severity';

/**
 * Everything the page shows is a function of this state, and the state is the URL's query string, written
 * with the API's own parameter names: a link can be shared, back and forward work, and the API request is
 * the page's query string minus `id` (the record open in the side panel).
 */
export interface ExplorerState {
  /** Words in web-search syntax (`q`); '' for none. */
  q: string;
  /** Case-insensitive substrings of the message (`contains`, repeatable); every one must occur. */
  contains: string[];
  /** `from` as the API reads it: relative (`now-1h`), ISO-8601 or epoch ms. */
  from: string;
  /** `to`; '' for now. */
  to: string;
  hosts: string[];
  services: string[];
  /** Exact severities (`severity`, repeatable); empty when `minSeverity` or nothing filters them. */
  severities: Severity[];
  minSeverity: Severity | '';
  /** Left out (`-host`, `-service`, `-severity`): a modifier-click on a facet. */
  excludedHosts: string[];
  excludedServices: string[];
  excludedSeverities: Severity[];
  traceId: string;
  /** `attr.<key>=<value>` filters, in the order given. */
  attributes: [string, string][];
  /** The record open in the side panel (`/?id=…`, its permalink). */
  id: string;
}

export const DEFAULT_FROM = 'now-1h';

export const TIME_PRESETS = [
  { label: '15 min', from: 'now-15m' },
  { label: '1 h', from: 'now-1h' },
  { label: '24 h', from: 'now-24h' },
  { label: '7 d', from: 'now-7d' },
  { label: '14 d', from: 'now-14d' },
] as const;

export const EMPTY_STATE: ExplorerState = {
  q: '',
  contains: [],
  from: DEFAULT_FROM,
  to: '',
  hosts: [],
  services: [],
  severities: [],
  minSeverity: '',
  excludedHosts: [],
  excludedServices: [],
  excludedSeverities: [],
  traceId: '',
  attributes: [],
  id: '',
};

const ATTRIBUTE_PREFIX = 'attr.';

/** Reads the state from a query string; values the API would refuse (an unknown severity) are dropped. */
export function parseState(search: string): ExplorerState {
  const params = new URLSearchParams(search);
  const minSeverity = params.get('minSeverity') ?? '';
  return {
    q: params.get('q') ?? '',
    contains: nonEmpty(params.getAll('contains')),
    from: params.get('from') || DEFAULT_FROM,
    to: params.get('to') ?? '',
    hosts: nonEmpty(params.getAll('host')),
    services: nonEmpty(params.getAll('service')),
    severities: params.getAll('severity').filter(isSeverity),
    minSeverity: isSeverity(minSeverity) ? minSeverity : '',
    excludedHosts: nonEmpty(params.getAll('-host')),
    excludedServices: nonEmpty(params.getAll('-service')),
    excludedSeverities: params.getAll('-severity').filter(isSeverity),
    traceId: params.get('traceId') ?? '',
    attributes: [...params.entries()]
      .filter(([name]) => name.startsWith(ATTRIBUTE_PREFIX) && name.length > ATTRIBUTE_PREFIX.length)
      .map(([name, value]) => [name.slice(ATTRIBUTE_PREFIX.length), value]),
    id: params.get('id') ?? '',
  };
}

/** The filters as the API's query parameters (every read endpoint takes the same ones). */
export function apiParams(state: ExplorerState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set('q', state.q);
  for (const substring of state.contains) params.append('contains', substring);
  for (const host of state.hosts) params.append('host', host);
  for (const service of state.services) params.append('service', service);
  // The API refuses both at once; an explicit list is the narrower intent.
  if (state.severities.length) for (const severity of state.severities) params.append('severity', severity);
  else if (state.minSeverity) params.set('minSeverity', state.minSeverity);
  for (const host of state.excludedHosts) params.append('-host', host);
  for (const service of state.excludedServices) params.append('-service', service);
  for (const severity of state.excludedSeverities) params.append('-severity', severity);
  if (state.traceId) params.set('traceId', state.traceId);
  for (const [key, value] of state.attributes) params.append(`${ATTRIBUTE_PREFIX}${key}`, value);
  params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  return params;
}

/** The page's own query string: the API's parameters plus the open record. */
export function stateToSearch(state: ExplorerState): string {
  const params = apiParams(state);
  if (state.id) params.set('id', state.id);
  return `?${params.toString()}`;
}

type FacetField = 'hosts' | 'services' | 'severities';

const EXCLUDED = {
  hosts: 'excludedHosts',
  services: 'excludedServices',
  severities: 'excludedSeverities',
} as const;

/** Adds `value` to a host/service/severity filter, or removes it when present (a facet click toggles). */
export function toggleFilter(state: ExplorerState, field: FacetField, value: string): ExplorerState {
  if (field === 'severities' && !isSeverity(value)) return state;
  const next = { ...state, [field]: toggled<string>(state[field], value) };
  // Exact severities replace a minimum one: the two filters never apply together.
  return field === 'severities' ? { ...next, minSeverity: '' } : next;
}

/**
 * Leaves a facet value out (`-host=…`), or stops leaving it out; a value cannot be both shown only and
 * left out, so excluding it also drops it from the positive filter.
 */
export function toggleExclusion(state: ExplorerState, field: FacetField, value: string): ExplorerState {
  if (field === 'severities' && !isSeverity(value)) return state;
  const excluded = EXCLUDED[field];
  return {
    ...state,
    [field]: state[field].filter((v) => v !== value),
    [excluded]: toggled<string>(state[excluded], value),
  };
}

/** The severities the state lets through, lowest first. */
export function severitiesOf(state: ExplorerState): readonly Severity[] {
  const shown = state.severities.length
    ? SEVERITIES.filter((s) => state.severities.includes(s))
    : state.minSeverity
      ? SEVERITIES.slice(SEVERITIES.indexOf(state.minSeverity))
      : SEVERITIES;
  return shown.filter((s) => !state.excludedSeverities.includes(s));
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

function toggled<T>(values: T[], value: T): T[] {
  return values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
}

function nonEmpty(values: string[]): string[] {
  return values.filter((value) => value !== '');
}
