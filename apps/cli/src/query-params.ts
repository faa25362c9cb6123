import { QueryParams } from '@logyard/contracts';
import { usageError } from './cli-error';

/** The filters `logyard query` takes, as commander parsed them. */
export interface QueryOptions {
  host?: string[];
  service?: string[];
  severity?: string[];
  minSeverity?: string;
  since?: string;
  text?: string;
  limit?: string;
  cursor?: string;
}

const DURATION = /^\d+[smhdw]$/;

/**
 * Maps options onto the API's parameters: `--since 1h` becomes
 * `from=now-1h`, `--min-severity` `minSeverity`, `-q` `q`; repeatable
 * options stay lists. Values are passed through unchecked otherwise: the
 * API validates them and names the field it refuses.
 */
export function toQueryParams(options: QueryOptions): QueryParams {
  const params: QueryParams = {};
  if (options.since !== undefined) {
    if (!DURATION.test(options.since)) {
      throw usageError(`--since must be a duration such as 30s, 15m, 1h, 7d or 2w (got "${options.since}")`);
    }
    params.from = `now-${options.since}`;
  }
  if (options.host) params.host = options.host;
  if (options.service) params.service = options.service;
  if (options.severity) params.severity = options.severity;
  if (options.minSeverity !== undefined) params.minSeverity = options.minSeverity;
  if (options.text !== undefined) params.q = options.text;
  if (options.limit !== undefined) params.limit = options.limit;
  if (options.cursor !== undefined) params.cursor = options.cursor;
  return params;
}

/** The same parameters as a URL query string, lists as repeated keys. */
export function toSearchParams(params: QueryParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of [value ?? []].flat()) search.append(name, item);
  }
  return search;
}
