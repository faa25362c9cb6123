import type { LogRecord } from '@logyard/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { LIVE_LIMIT, LiveTail, liveFilter, nextTail, RateMeter, tailPatterns } from './live';
import { apiParams, ExplorerState } from './url-state';

const REFRESH_MS = 250;

const IDLE: LiveTail = { records: [], rate: 0, dropped: 0, waiting: 0, status: 'connecting' };

/**
 * The router's SSE tail (GET /tail) for the page's host/service/severity patterns, with the other filters
 * applied here. Records are drawn in batches every 250 ms so a busy stream costs one render per batch.
 * While paused they wait (at most LIVE_LIMIT, the oldest giving way) and appear on resume.
 */
export function useLiveTail(enabled: boolean, paused: boolean, state: ExplorerState): LiveTail {
  const [tail, setTail] = useState<LiveTail>(IDLE);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const filters = apiParams(state).toString();

  useEffect(() => {
    if (!enabled) return;
    setTail(IDLE);
    const pending: LogRecord[] = [];
    const meter = new RateMeter();
    const belongs = liveFilter(state);
    let dropped = 0;
    let status: LiveTail['status'] = 'connecting';
    const query = tailPatterns(state)
      .map((pattern) => `pattern=${encodeURIComponent(pattern)}`)
      .join('&');
    const source = new EventSource(`/tail?${query}`);
    source.addEventListener('subscribed', () => (status = 'live'));
    source.addEventListener('dropped', (event) => {
      dropped +=
        Number((JSON.parse((event as MessageEvent<string>).data) as { dropped?: unknown }).dropped) || 0;
    });
    source.onmessage = (event: MessageEvent<string>) => {
      meter.record(1, Date.now());
      const record = JSON.parse(event.data) as LogRecord;
      if (!belongs(record)) return;
      pending.push(record);
      if (pending.length > LIVE_LIMIT) pending.shift();
    };
    // EventSource reconnects by itself; CLOSED means the endpoint refused (no router role in this process).
    source.onerror = () =>
      (status = source.readyState === EventSource.CLOSED ? 'unavailable' : 'reconnecting');
    const timer = setInterval(() => {
      const batch = pausedRef.current ? [] : pending.splice(0).reverse();
      const counters = { rate: meter.perSecond(Date.now()), dropped, waiting: pending.length, status };
      setTail((previous) => nextTail(previous, batch, counters));
    }, REFRESH_MS);
    return () => {
      clearInterval(timer);
      source.close();
    };
    // The filters' query string stands for the state (every filter is in it).
  }, [enabled, filters]);

  return tail;
}
