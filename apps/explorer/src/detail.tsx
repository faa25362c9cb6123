import type { LogRecord } from '@logyard/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { EMPTY_STATE, stateToSearch } from './url-state';

/** How far either side of a record the trace link looks for the rest of its trace. */
const TRACE_WINDOW_MS = 3_600_000;

interface DetailProps {
  record: LogRecord | undefined;
  error: string | undefined;
  onClose(): void;
}

/** One record with every field and attribute, its trace, its JSON and its permalink. */
export function Detail({ record, error, onClose }: DetailProps) {
  const [copied, setCopied] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setCopied('');
    heading.current?.focus();
  }, [record?.id]);

  const copy = async () => {
    if (!record) return;
    try {
      await navigator.clipboard.writeText(JSON.stringify(record, null, 2));
      setCopied('Copied');
    } catch {
      setCopied('The browser refused the clipboard');
    }
  };

  return (
    <aside class="detail" aria-labelledby="detail-heading">
      <header>
        <h2 id="detail-heading" tabIndex={-1} ref={heading}>
          Record
        </h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      {error && <p role="alert">{error}</p>}
      {!record && !error && <p class="muted">Loading…</p>}
      {record && (
        <>
          <div class="actions">
            <button type="button" onClick={copy}>
              Copy as JSON
            </button>
            <a href={stateToSearch({ ...EMPTY_STATE, id: record.id })}>Permalink</a>
            <span role="status">{copied}</span>
          </div>
          <pre class="message-full">{record.message}</pre>
          <dl>
            <Field name="id" value={record.id} />
            <Field name="ts" value={record.ts} />
            <Field name="observedTs" value={record.observedTs} />
            <Field name="severity" value={record.severity} />
            <Field name="host" value={record.host} />
            <Field name="service" value={record.service} />
            {record.traceId && (
              <>
                <dt>traceId</dt>
                <dd>
                  <a href={traceLink(record)} title="Every record of this trace">
                    {record.traceId}
                  </a>
                </dd>
              </>
            )}
            {record.spanId && <Field name="spanId" value={record.spanId} />}
          </dl>
          <h3>Attributes</h3>
          {Object.keys(record.attributes).length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <dl>
              {Object.entries(record.attributes).map(([key, value]) => (
                <Field
                  key={key}
                  name={key}
                  value={typeof value === 'string' ? value : JSON.stringify(value)}
                />
              ))}
            </dl>
          )}
        </>
      )}
    </aside>
  );
}

function Field({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}

function traceLink(record: LogRecord): string {
  const at = Date.parse(record.ts);
  return stateToSearch({
    ...EMPTY_STATE,
    traceId: record.traceId ?? '',
    from: new Date(at - TRACE_WINDOW_MS).toISOString(),
    to: new Date(at + TRACE_WINDOW_MS).toISOString(),
  });
}
