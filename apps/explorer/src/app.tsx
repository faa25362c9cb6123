import type {
  Facets as FacetsAnswer,
  Histogram,
  LogPage,
  LogRecord,
  SessionStatus,
} from '@logyard/contracts';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Alerts } from './alerts';
import { api, failureHandler } from './api';
import { SearchForm, TimeRange } from './controls';
import { Detail } from './detail';
import { Facets } from './facets';
import { compileHighlighter } from './highlight';
import { HistogramChart } from './histogram';
import { useLiveTail } from './live-tail';
import { Results } from './results';
import { TokenPrompt } from './token-prompt';
import { SignOut, TopBar } from './top-bar';
import {
  apiParams,
  ExplorerState,
  parseState,
  stateToSearch,
  toggleExclusion,
  toggleFilter,
} from './url-state';

/**
 * Asks for a query token first when the API needs one and the browser holds none. The archiver writes the
 * session status into the page, so the first queries wait for nothing. A page served without it, or that it
 * says is signed out, asks the API: a page opened by a link on another site was requested without the
 * SameSite=Strict cookie, which the page's own requests carry.
 */
export function App({ session: embedded }: { session: SessionStatus | undefined }) {
  const [session, setSession] = useState(embedded?.signedIn ? embedded : undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    if (session) return;
    api.session().then(setSession, (failure: Error) => setError(failure.message));
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!session) return null;
  const setSignedIn = (signedIn: boolean) => setSession({ ...session, signedIn });
  if (!session.signedIn) return <TokenPrompt onSignedIn={() => setSignedIn(true)} />;
  const signOut = () =>
    api.logout().then(
      () => setSignedIn(false),
      (failure: Error) => setError(failure.message),
    );
  return (
    <SignOut.Provider value={session.tokenRequired ? signOut : undefined}>
      <View onSignedOut={() => setSignedIn(false)} />
    </SignOut.Provider>
  );
}

/** The log explorer, or the Alerts view at `/#alerts`; the query string stays the explorer's own. */
function View({ onSignedOut }: { onSignedOut(): void }) {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return hash === '#alerts' ? <Alerts onSignedOut={onSignedOut} /> : <Explorer onSignedOut={onSignedOut} />;
}

type Page = LogPage & { loading: boolean };

function Explorer({ onSignedOut }: { onSignedOut(): void }) {
  const [state, setState] = useState(() => parseState(location.search));
  const [error, setError] = useState('');
  const [page, setPage] = useState<Page>({ items: [], nextCursor: null, loading: true });
  const [histogram, setHistogram] = useState<Histogram>();
  const [facets, setFacets] = useState<FacetsAnswer>();
  const [live, setLive] = useState(false);
  const [paused, setPaused] = useState(false);
  const tail = useLiveTail(live, paused, state);

  const params = useMemo(() => apiParams(state), [state]);
  const filters = params.toString();
  // Responses of an earlier query are dropped: the filters may have changed while they were in flight.
  const current = useRef(filters);
  current.current = filters;
  const highlighter = useMemo(() => compileHighlighter(state.q, state.contains), [state.q, state.contains]);

  const navigate = useCallback((next: ExplorerState) => {
    const search = stateToSearch(next);
    if (search !== location.search) history.pushState(null, '', search);
    setState(next);
  }, []);

  const fail = useMemo(() => failureHandler(onSignedOut, setError), [onSignedOut]);

  useEffect(() => {
    const onPop = () => setState(parseState(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  // A layout effect, which runs as the page is rendered: a passive one would send the queries a frame later.
  useLayoutEffect(() => {
    const abort = new AbortController();
    setError('');
    setPage({ items: [], nextCursor: null, loading: true });
    setHistogram(undefined);
    setFacets(undefined);
    // The histogram and the facets are asked once the rows are in: asked at the same time, their queries (over
    // the whole range) slow the page's query down on the database, and drawing them when they answer first
    // holds the rows back. Filters refused for the rows (400, or 504 past QUERY_TIMEOUT) would be refused again.
    api.logs(params, null, abort.signal).then((body) => {
      setPage({ ...body, loading: false });
      if (abort.signal.aborted) return;
      api.histogram(params, abort.signal).then(setHistogram, fail);
      api.facets(params, abort.signal).then(setFacets, fail);
    }, fail);
    return () => abort.abort();
  }, [filters]);

  const loadMore = useCallback(() => {
    if (page.loading || !page.nextCursor) return;
    const asked = filters;
    setPage((previous) => ({ ...previous, loading: true }));
    api.logs(params, page.nextCursor).then((body) => {
      if (current.current !== asked) return;
      setPage((previous) => ({
        items: [...previous.items, ...body.items],
        nextCursor: body.nextCursor,
        loading: false,
      }));
    }, fail);
  }, [page, filters]);

  const records = live ? tail.records : page.items;
  const open = useCallback((record: LogRecord) => navigate({ ...state, id: record.id }), [state]);
  useKeyboard(state.id !== '', () => navigate({ ...state, id: '' }));

  return (
    <div class={`app${state.id ? ' with-detail' : ''}`}>
      <TopBar current="logs">
        <SearchForm state={state} onApply={navigate} />
        <TimeRange state={state} onApply={navigate} />
        <div class="live" role="group" aria-label="Live tail">
          <button type="button" aria-pressed={live} onClick={() => (setLive(!live), setPaused(false))}>
            Live
          </button>
          {live && (
            <>
              <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
                {paused ? 'Resume' : 'Pause'}
              </button>
              <span class="live-status" role="status" data-status={tail.status}>
                {tail.status === 'unavailable'
                  ? 'the live tail needs the router role in this process'
                  : `${tail.status} · ${tail.rate.toFixed(1)} records/s · ${tail.dropped} dropped`}
                {tail.waiting > 0 && ` · ${tail.waiting} waiting`}
              </span>
            </>
          )}
        </div>
      </TopBar>
      <div class="body">
        <main>
          <HistogramChart
            histogram={histogram}
            onZoom={(from, to) => navigate({ ...state, from, to, id: '' })}
          />
          {error && (
            <p role="alert" class="error">
              {error}
            </p>
          )}
          <Results
            records={records}
            highlighter={highlighter}
            openId={state.id}
            hasMore={!live && page.nextCursor !== null}
            loading={!live && page.loading}
            onOpen={open}
            onMore={loadMore}
          />
        </main>
        <Facets
          facets={facets}
          state={state}
          params={params}
          onToggle={(field, value, exclude) =>
            navigate({ ...(exclude ? toggleExclusion : toggleFilter)(state, field, value), id: '' })
          }
          onApply={navigate}
          onError={fail}
        />
      </div>
      {state.id && (
        <OpenRecord id={state.id} listed={records} onClose={() => navigate({ ...state, id: '' })} />
      )}
    </div>
  );
}

/** The record of `/?id=…`: from the list when it is there, else fetched (a permalink). */
function OpenRecord({ id, listed, onClose }: { id: string; listed: LogRecord[]; onClose(): void }) {
  const inList = listed.find((record) => record.id === id);
  const [fetched, setFetched] = useState<LogRecord>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (inList) return;
    const abort = new AbortController();
    setError(undefined);
    api.record(id, abort.signal).then(setFetched, (failure: Error) => {
      if (failure.name !== 'AbortError') setError(failure.message);
    });
    return () => abort.abort();
  }, [id, inList === undefined]);
  const record = inList ?? (fetched?.id === id ? fetched : undefined);
  return <Detail record={record} error={error} onClose={onClose} />;
}

/** `/` focuses the search, `j`/`k` move between records (Enter opens one), Escape closes the detail. */
function useKeyboard(detailOpen: boolean, closeDetail: () => void) {
  const close = useRef(closeDetail);
  close.current = closeDetail;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && detailOpen) return close.current();
      const target = event.target as HTMLElement;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
      if (event.key === '/') {
        event.preventDefault();
        document.getElementById('search')?.focus();
      } else if (event.key === 'j' || event.key === 'k') {
        event.preventDefault();
        const rows = [...document.querySelectorAll<HTMLButtonElement>('button.row')];
        const at = rows.indexOf(document.activeElement as HTMLButtonElement);
        const next = at < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)));
        rows[next]?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [detailOpen]);
}
