import type { LogRecord } from '@logyard/contracts';
import { useEffect, useRef } from 'preact/hooks';
import { shortTime } from './format';
import { highlight } from './highlight';
import { SEVERITY_COLOURS } from './severity';

interface ResultsProps {
  records: LogRecord[];
  terms: string[];
  substrings: string[];
  openId: string;
  /** More pages exist (infinite scroll), or undefined in live mode. */
  hasMore: boolean;
  loading: boolean;
  onOpen(record: LogRecord): void;
  onMore(): void;
}

/** The records, newest first; scrolling to the end loads the next page on the keyset cursor. */
export function Results({
  records,
  terms,
  substrings,
  openId,
  hasMore,
  loading,
  onOpen,
  onMore,
}: ResultsProps) {
  const sentinel = useRef<HTMLButtonElement>(null);
  const more = useRef(onMore);
  more.current = onMore;

  useEffect(() => {
    const element = sentinel.current;
    if (!element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) more.current();
      },
      { rootMargin: '400px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, records.length]);

  return (
    <>
      <ol class="rows" aria-label="Records, newest first">
        {records.map((record, index) => (
          <li key={record.id}>
            <button
              type="button"
              class="row"
              data-index={index}
              aria-current={record.id === openId ? 'true' : undefined}
              style={{ borderInlineStartColor: SEVERITY_COLOURS[record.severity] }}
              onClick={() => onOpen(record)}
            >
              <time dateTime={record.ts}>{shortTime(record.ts)}</time>
              <span class="severity">{record.severity}</span>
              <span class="origin">
                {record.host} · {record.service}
              </span>
              <span class="message">
                {highlight(record.message, terms, substrings).map((segment, i) =>
                  segment.match ? <mark key={i}>{segment.text}</mark> : segment.text,
                )}
              </span>
            </button>
          </li>
        ))}
      </ol>
      {!loading && records.length === 0 && <p class="muted empty">No records match.</p>}
      {hasMore && (
        <button type="button" class="more" ref={sentinel} disabled={loading} onClick={onMore}>
          {loading ? 'Loading…' : 'Load older records'}
        </button>
      )}
    </>
  );
}
