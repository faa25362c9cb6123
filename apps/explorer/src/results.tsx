import type { LogRecord } from '@logyard/contracts';
import { memo } from 'preact/compat';
import { useEffect, useRef } from 'preact/hooks';
import { shortTime } from './format';
import { Highlighter } from './highlight';
import { SEVERITY_COLOURS } from './severity';

interface ResultsProps {
  records: LogRecord[];
  highlighter: Highlighter;
  openId: string;
  /** More pages exist (infinite scroll), or undefined in live mode. */
  hasMore: boolean;
  loading: boolean;
  onOpen(record: LogRecord): void;
  onMore(): void;
}

/** The records, newest first; scrolling to the end loads the next page on the keyset cursor. */
export function Results({ records, highlighter, openId, hasMore, loading, onOpen, onMore }: ResultsProps) {
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
        {records.map((record) => (
          <Row
            key={record.id}
            record={record}
            highlighter={highlighter}
            open={record.id === openId}
            onOpen={onOpen}
          />
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

/**
 * What a row shows of a message: the list clips rows to a few lines (style.css `.row .message`), and the
 * detail shows the whole of it.
 */
const MESSAGE_SHOWN = 1_000;

/** MESSAGE_SHOWN characters of a message, one fewer where the last would be half of a pair (an emoji). */
function shownLength(message: string): number {
  if (message.length <= MESSAGE_SHOWN) return message.length;
  const last = message.charCodeAt(MESSAGE_SHOWN - 1);
  return last >= 0xd800 && last <= 0xdbff ? MESSAGE_SHOWN - 1 : MESSAGE_SHOWN;
}

interface RowProps {
  record: LogRecord;
  highlighter: Highlighter;
  open: boolean;
  onOpen(record: LogRecord): void;
}

// Memoised: the live tail draws a batch every 250 ms, and a row already drawn stays as it is.
const Row = memo(function Row({ record, highlighter, open, onOpen }: RowProps) {
  return (
    <li>
      <button
        type="button"
        class="row"
        aria-current={open ? 'true' : undefined}
        style={{ borderInlineStartColor: SEVERITY_COLOURS[record.severity] }}
        onClick={() => onOpen(record)}
      >
        <time dateTime={record.ts}>{shortTime(record.ts)}</time>
        <span class="severity">{record.severity}</span>
        <span class="origin">
          {record.host} · {record.service}
        </span>
        <span class="message">
          {highlighter(record.message, shownLength(record.message)).map((segment, i) =>
            segment.match ? <mark key={i}>{segment.text}</mark> : segment.text,
          )}
          {record.message.length > MESSAGE_SHOWN && '…'}
        </span>
      </button>
    </li>
  );
});
