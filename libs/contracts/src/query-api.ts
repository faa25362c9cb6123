import type { LogRecord } from './record';
import type { Severity } from './severity';

// The JSON bodies of the archiver's query API, as its clients (the web explorer, the CLI) read them.

/** GET /api/logs: one page, newest first; `nextCursor` is null on the last page. */
export interface LogPageBody {
  items: LogRecord[];
  nextCursor: string | null;
}

/** GET /api/logs/histogram: every bucket of the range, oldest first, with a count per severity queried. */
export interface HistogramBody {
  interval: string;
  buckets: { ts: string; counts: Partial<Record<Severity, number>> }[];
}

export interface FacetValue {
  value: string;
  count: number;
}

/** GET /api/facets: the most frequent values of each field among the matching records. */
export interface FacetsBody {
  hosts: FacetValue[];
  services: FacetValue[];
  severities: FacetValue[];
}

/** GET /api/facets?field=attr.<key>: the most frequent values of one attribute. */
export interface AttributeFacetBody {
  field: string;
  values: FacetValue[];
}

/** Any 4xx of the API: the parameter at fault (when one is) and a sentence. */
export interface ApiErrorBody {
  statusCode: number;
  field?: string;
  message: string;
}

/** GET /api/session: whether the query endpoints need a token, and whether this browser holds a valid one. */
export interface SessionStatus {
  tokenRequired: boolean;
  signedIn: boolean;
}
