import type {
  AlertRuleListBody,
  ApiError as ApiErrorBody,
  AttributeFacet,
  Facets,
  Histogram,
  LogPage,
  LogRecord,
  SessionStatus,
} from '@logyard/contracts';

/** The API answered 401: the page asks for a query token, then retries. */
export class TokenRequired extends Error {
  constructor() {
    super('a query token is required');
  }
}

/**
 * What a view does with a failed request: an aborted one was replaced and is no failure, a refused token
 * sends the reader back to the token prompt, anything else is shown.
 */
export function failureHandler(onSignedOut: () => void, show: (message: string) => void) {
  return (failure: Error): void => {
    if (failure.name === 'AbortError') return;
    if (failure instanceof TokenRequired) onSignedOut();
    else show(failure.message);
  };
}

/** Any other refusal, with the API's own sentence (it names the parameter at fault). */
export class ApiError extends Error {}

export const PAGE_SIZE = 100;

export const api = {
  logs: (params: URLSearchParams, cursor: string | null, signal?: AbortSignal) => {
    const page = new URLSearchParams(params);
    page.set('limit', String(PAGE_SIZE));
    if (cursor) page.set('cursor', cursor);
    return get<LogPage>(`/api/logs?${page}`, signal);
  },
  histogram: (params: URLSearchParams, signal?: AbortSignal) =>
    get<Histogram>(`/api/logs/histogram?${params}`, signal),
  facets: (params: URLSearchParams, signal?: AbortSignal) => get<Facets>(`/api/facets?${params}`, signal),
  attributeFacet: (params: URLSearchParams, key: string, signal?: AbortSignal) => {
    const query = new URLSearchParams(params);
    query.set('field', `attr.${key}`);
    return get<AttributeFacet>(`/api/facets?${query}`, signal);
  },
  record: (id: string, signal?: AbortSignal) => get<LogRecord>(`/api/logs/${encodeURIComponent(id)}`, signal),
  alerts: (signal?: AbortSignal) => get<AlertRuleListBody>('/api/alerts', signal),
  session: () => get<SessionStatus>('/api/session'),
  /** Trades a query token for the HTTP-only session cookie that every later request (and the tail) carries. */
  login: async (token: string): Promise<void> => {
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (!response.ok) throw await failure(response);
  },
  /** Clears the session cookie: the next request needs the token again. */
  logout: async (): Promise<void> => {
    const response = await fetch('/api/session', { method: 'DELETE' });
    if (!response.ok) throw await failure(response);
  },
};

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { signal, headers: { accept: 'application/json' } });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

async function failure(response: Response): Promise<Error> {
  if (response.status === 401) return new TokenRequired();
  const body = (await response.json().catch(() => undefined)) as ApiErrorBody | undefined;
  return new ApiError(body?.message ?? `${response.status} ${response.statusText}`);
}
