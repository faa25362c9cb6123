import type { Severity } from '@logyard/contracts';
import { useEffect, useState } from 'preact/hooks';
import { SEVERITIES } from '../../../libs/contracts/src/severity';
import { describeTime, fromLocalInput, toLocalInput } from './format';
import { ExplorerState, isSeverity, TIME_PRESETS } from './url-state';

interface SearchFormProps {
  state: ExplorerState;
  onApply(next: ExplorerState): void;
}

/** Words, host, service and minimum severity, applied together on Enter or the Search button. */
export function SearchForm({ state, onApply }: SearchFormProps) {
  const [q, setQ] = useState(searchText(state));
  const [mode, setMode] = useState(searchMode(state));
  const [hosts, setHosts] = useState(state.hosts.join(', '));
  const [services, setServices] = useState(state.services.join(', '));
  // Back and forward change the state under the form; the fields follow.
  useEffect(() => {
    setQ(searchText(state));
    setMode(searchMode(state));
    setHosts(state.hosts.join(', '));
    setServices(state.services.join(', '));
  }, [state]);

  const submit = (event: Event) => {
    event.preventDefault();
    const text = q.trim();
    const search = mode === 'words' ? { q: text, contains: [] } : { q: '', contains: text ? [text] : [] };
    onApply({ ...state, ...search, hosts: list(hosts), services: list(services), id: '' });
  };
  const setMinSeverity = (value: string) =>
    onApply({ ...state, severities: [], minSeverity: isSeverity(value) ? value : '', id: '' });

  return (
    <form role="search" class="search" onSubmit={submit}>
      <label class="q">
        <span>Search</span>
        <input
          id="search"
          type="search"
          value={q}
          placeholder='words, "a phrase", -excluded, a or b'
          title="Whole words in any order; press / to come back here"
          onInput={(e) => setQ(e.currentTarget.value)}
        />
      </label>
      <label>
        <span>Match</span>
        <select value={mode} onChange={(e) => setMode(e.currentTarget.value as SearchMode)}>
          <option value="words">whole words</option>
          <option value="substring">any part of the text</option>
        </select>
      </label>
      <label>
        <span>Host</span>
        <input value={hosts} placeholder="any" onInput={(e) => setHosts(e.currentTarget.value)} />
      </label>
      <label>
        <span>Service</span>
        <input value={services} placeholder="any" onInput={(e) => setServices(e.currentTarget.value)} />
      </label>
      <label>
        <span>Minimum severity</span>
        <select
          value={state.severities.length ? '' : state.minSeverity}
          onChange={(e) => setMinSeverity(e.currentTarget.value)}
        >
          <option value="">{state.severities.length ? state.severities.join(', ') : 'any'}</option>
          {SEVERITIES.map((severity: Severity) => (
            <option key={severity} value={severity}>
              {severity}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Search</button>
    </form>
  );
}

interface TimeRangeProps {
  state: ExplorerState;
  onApply(next: ExplorerState): void;
}

/** Presets from 15 minutes to 14 days, and a custom range in UTC. */
export function TimeRange({ state, onApply }: TimeRangeProps) {
  const [from, setFrom] = useState(toLocalInput(state.from));
  const [to, setTo] = useState(toLocalInput(state.to));
  useEffect(() => {
    setFrom(toLocalInput(state.from));
    setTo(toLocalInput(state.to));
  }, [state.from, state.to]);

  const applyCustom = (event: Event) => {
    event.preventDefault();
    const start = fromLocalInput(from);
    if (start) onApply({ ...state, from: start, to: fromLocalInput(to) ?? '', id: '' });
  };

  return (
    <div class="time-range">
      <div role="group" aria-label="Time range" class="presets">
        {TIME_PRESETS.map((preset) => (
          <button
            key={preset.from}
            type="button"
            aria-pressed={state.from === preset.from && !state.to}
            aria-label={`Last ${preset.label}`}
            onClick={() => onApply({ ...state, from: preset.from, to: '', id: '' })}
          >
            {preset.label}
          </button>
        ))}
      </div>
      <details class="custom">
        <summary>Custom range</summary>
        <form onSubmit={applyCustom}>
          <label>
            <span>From (UTC)</span>
            <input
              type="datetime-local"
              step="1"
              required
              value={from}
              onInput={(e) => setFrom(e.currentTarget.value)}
            />
          </label>
          <label>
            <span>To (UTC)</span>
            <input type="datetime-local" step="1" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
          <button type="submit">Apply range</button>
        </form>
      </details>
      <p class="range" aria-live="polite">
        {describeTime(state.from)} → {state.to ? describeTime(state.to) : 'now'} (UTC)
      </p>
    </div>
  );
}

type SearchMode = 'words' | 'substring';

/** Words (q) unless the URL searches only substrings (contains). */
function searchMode(state: ExplorerState): SearchMode {
  return state.contains.length && !state.q ? 'substring' : 'words';
}

function searchText(state: ExplorerState): string {
  return searchMode(state) === 'words' ? state.q : state.contains.join(' ');
}

function list(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}
