// The limits and names of the query API, apart from its schemas so a browser bundle can use them without zod.

/**
 * The AMQP message header a query token travels in on the archiver's RPC queue, as `Authorization: Bearer`
 * carries it over HTTP.
 */
export const TOKEN_HEADER = 'x-logyard-token';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** Bounds on `contains`, so one request's LIKE work stays proportional to the rows it reads. */
export const MAX_CONTAINS = 8;
export const MAX_CONTAINS_LENGTH = 256;
/** Each pattern is one binding on the broker; a client needing more wants `#` and a filter of its own. */
export const MAX_TAIL_PATTERNS = 32;
/** `attr.<key>=<value>` filters on an attribute; any number of them. */
export const ATTRIBUTE_PREFIX = 'attr.';
/** The intervals a histogram offers, in seconds, finest first. */
export const INTERVALS = {
  '1s': 1,
  '10s': 10,
  '30s': 30,
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '30m': 1_800,
  '1h': 3_600,
  '3h': 10_800,
  '6h': 21_600,
  '12h': 43_200,
  '1d': 86_400,
} as const;
export type Interval = keyof typeof INTERVALS;
