import type { FacetsBody, FacetValue } from '@logyard/contracts';
import { SEVERITY_COLOURS } from './severity';
import { ExplorerState, isSeverity } from './url-state';

type FacetField = 'hosts' | 'services' | 'severities';

const FACETS: { field: FacetField; title: string }[] = [
  { field: 'severities', title: 'Severity' },
  { field: 'services', title: 'Service' },
  { field: 'hosts', title: 'Host' },
];

/** Shown per facet; the API answers up to 50. */
const SHOWN = 10;

interface FacetsProps {
  facets: FacetsBody | undefined;
  state: ExplorerState;
  onToggle(field: FacetField, value: string): void;
}

/** The most frequent severities, services and hosts of the matching records; a click filters by one. */
export function Facets({ facets, state, onToggle }: FacetsProps) {
  return (
    <nav class="facets" aria-label="Facets">
      {FACETS.map(({ field, title }) => (
        <section key={field} aria-labelledby={`facet-${field}`}>
          <h2 id={`facet-${field}`}>{title}</h2>
          {facets === undefined ? (
            <p class="muted">…</p>
          ) : facets[field].length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <ul>
              {facets[field].slice(0, SHOWN).map((facet) => (
                <FacetButton
                  key={facet.value}
                  field={field}
                  facet={facet}
                  state={state}
                  onToggle={onToggle}
                />
              ))}
            </ul>
          )}
        </section>
      ))}
    </nav>
  );
}

function FacetButton({
  field,
  facet,
  state,
  onToggle,
}: {
  field: FacetField;
  facet: FacetValue;
  state: ExplorerState;
  onToggle(field: FacetField, value: string): void;
}) {
  const active = (state[field] as string[]).includes(facet.value);
  return (
    <li>
      <button
        type="button"
        class="facet"
        aria-pressed={active}
        title={active ? `Stop filtering by ${facet.value}` : `Show only ${facet.value}`}
        onClick={() => onToggle(field, facet.value)}
      >
        {field === 'severities' && isSeverity(facet.value) && (
          <span class="swatch" style={{ background: SEVERITY_COLOURS[facet.value] }} />
        )}
        <span class="facet-value">{facet.value}</span>
        <span class="facet-count">{facet.count.toLocaleString('en')}</span>
      </button>
    </li>
  );
}
