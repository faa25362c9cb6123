import type { AttributeFacet, Facets as FacetsAnswer, FacetValue } from '@logyard/contracts';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { SEVERITY_COLOURS } from './severity';
import { ExplorerState, isSeverity } from './url-state';

type FacetField = 'hosts' | 'services' | 'severities';

const FACETS: { field: FacetField; title: string; excluded: keyof ExplorerState }[] = [
  { field: 'severities', title: 'Severity', excluded: 'excludedSeverities' },
  { field: 'services', title: 'Service', excluded: 'excludedServices' },
  { field: 'hosts', title: 'Host', excluded: 'excludedHosts' },
];

/** Shown per facet; the API answers up to 50. */
const SHOWN = 10;

interface FacetsProps {
  facets: FacetsAnswer | undefined;
  state: ExplorerState;
  /** The filters as API parameters, for the attribute facet's own request. */
  params: URLSearchParams;
  onToggle(field: FacetField, value: string, exclude: boolean): void;
  onApply(next: ExplorerState): void;
  onError(error: Error): void;
}

/**
 * The most frequent severities, services and hosts of the matching records, and of any attribute asked
 * for. A click shows only that value; a click with Alt, Shift, Ctrl or ⌘ (or the − button) leaves it out.
 */
export function Facets({ facets, state, params, onToggle, onApply, onError }: FacetsProps) {
  return (
    <nav class="facets" aria-label="Facets">
      <p class="muted hint">Click to show only a value; Alt-click or − to leave it out.</p>
      {FACETS.map(({ field, title, excluded }) => (
        <section key={field} aria-labelledby={`facet-${field}`}>
          <h2 id={`facet-${field}`}>{title}</h2>
          <ul>
            {(state[excluded] as string[]).map((value) => (
              <li key={`not-${value}`}>
                <button
                  type="button"
                  class="facet excluded"
                  aria-pressed="true"
                  aria-label={`Stop leaving out ${value}`}
                  onClick={() => onToggle(field, value, true)}
                >
                  <span class="facet-value">not {value}</span>
                </button>
              </li>
            ))}
            {facets?.[field].slice(0, SHOWN).map((facet) => (
              <FacetItem
                key={facet.value}
                facet={facet}
                swatch={field === 'severities'}
                active={(state[field] as string[]).includes(facet.value)}
                onShow={(exclude) => onToggle(field, facet.value, exclude)}
              />
            ))}
          </ul>
          {facets === undefined && <p class="muted">…</p>}
          {facets?.[field].length === 0 && <p class="muted">none</p>}
        </section>
      ))}
      <AttributeFacet state={state} params={params} onApply={onApply} onError={onError} />
    </nav>
  );
}

function FacetItem({
  facet,
  swatch,
  active,
  onShow,
}: {
  facet: FacetValue;
  swatch: boolean;
  active: boolean;
  onShow(exclude: boolean): void;
}) {
  return (
    <li class="facet-item">
      <button
        type="button"
        class="facet"
        aria-pressed={active}
        title={active ? `Stop filtering by ${facet.value}` : `Show only ${facet.value}`}
        onClick={(event) => onShow(event.altKey || event.shiftKey || event.ctrlKey || event.metaKey)}
      >
        {swatch && isSeverity(facet.value) && (
          <span class="swatch" style={{ background: SEVERITY_COLOURS[facet.value] }} />
        )}
        <span class="facet-value">{facet.value}</span>
        <span class="facet-count">{facet.count.toLocaleString('en')}</span>
      </button>
      <button
        type="button"
        class="exclude"
        aria-label={`Leave out ${facet.value}`}
        onClick={() => onShow(true)}
      >
        −
      </button>
    </li>
  );
}

/** The top values of an attribute key the user names (`/api/facets?field=attr.<key>`); a click filters. */
function AttributeFacet({
  state,
  params,
  onApply,
  onError,
}: Pick<FacetsProps, 'state' | 'params' | 'onApply' | 'onError'>) {
  const [key, setKey] = useState('');
  const [asked, setAsked] = useState('');
  const [answer, setAnswer] = useState<AttributeFacet>();
  const filters = params.toString();

  useEffect(() => {
    if (!asked) return;
    const abort = new AbortController();
    setAnswer(undefined);
    api.attributeFacet(params, asked, abort.signal).then(setAnswer, onError);
    return () => abort.abort();
  }, [asked, filters]);

  const active = (value: string) => state.attributes.some(([k, v]) => k === asked && v === value);
  const toggle = (value: string) =>
    onApply({
      ...state,
      id: '',
      attributes: active(value)
        ? state.attributes.filter(([k, v]) => !(k === asked && v === value))
        : [...state.attributes, [asked, value]],
    });

  return (
    <section aria-labelledby="facet-attribute">
      <h2 id="facet-attribute">Attribute</h2>
      <form
        class="attribute-form"
        onSubmit={(event) => {
          event.preventDefault();
          setAsked(key.trim());
        }}
      >
        <label>
          <span>Attribute key</span>
          <input value={key} placeholder="e.g. region" onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <button type="submit">Count</button>
      </form>
      {state.attributes.length > 0 && (
        <ul>
          {state.attributes.map(([k, v]) => (
            <li key={`${k}=${v}`}>
              <button
                type="button"
                class="facet"
                aria-pressed="true"
                onClick={() =>
                  onApply({
                    ...state,
                    id: '',
                    attributes: state.attributes.filter(([a, b]) => a !== k || b !== v),
                  })
                }
              >
                <span class="facet-value">
                  {k} = {v}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {asked && answer && (
        <ul aria-label={`Values of ${answer.field}`}>
          {answer.values.length === 0 && <li class="muted">no record has {asked}</li>}
          {answer.values.slice(0, SHOWN).map((facet) => (
            <li key={facet.value}>
              <button
                type="button"
                class="facet"
                aria-pressed={active(facet.value)}
                onClick={() => toggle(facet.value)}
              >
                <span class="facet-value">{facet.value}</span>
                <span class="facet-count">{facet.count.toLocaleString('en')}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
