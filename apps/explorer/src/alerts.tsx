import type { AlertRuleBody } from '@logyard/contracts';
import { useEffect, useState } from 'preact/hooks';
import { api, failureHandler } from './api';
import { TopBar } from './top-bar';

/** How often the list refreshes: states change within seconds of the records that cause them. */
const REFRESH_MS = 5_000;

/**
 * The Alerts view (`/#alerts`): every rule with its state, count and last
 * notification, refreshed every few seconds. A rule's name opens its records
 * over its window in the explorer: the filters are the API's parameters.
 */
export function Alerts({ onSignedOut }: { onSignedOut(): void }) {
  const [rules, setRules] = useState<AlertRuleBody[]>();
  const [error, setError] = useState('');
  useEffect(() => {
    let abort = new AbortController();
    const load = () => {
      abort.abort();
      abort = new AbortController();
      api
        .alerts(abort.signal)
        .then((body) => (setRules(body.items), setError('')), failureHandler(onSignedOut, setError));
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => (clearInterval(timer), abort.abort());
  }, []);

  return (
    <div class="app">
      <TopBar current="alerts" />
      <main class="alerts">
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {rules?.length === 0 && (
          <p>No alert rules yet: create one with POST /api/alerts or `logyard alerts add`.</p>
        )}
        {rules && rules.length > 0 && (
          <table>
            <caption>Alert rules</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">State</th>
                <th scope="col">Count</th>
                <th scope="col">Window</th>
                <th scope="col">Since</th>
                <th scope="col">Last notification</th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule) => (
                <tr key={rule.id} data-state={rule.state}>
                  <th scope="row">
                    <a href={recordsLink(rule)}>{rule.name}</a>
                  </th>
                  <td>
                    <span class={`state state-${rule.state}`}>
                      {rule.state === 'firing' ? 'Firing' : 'OK'}
                    </span>
                  </td>
                  <td>
                    {rule.lastCount} / {rule.threshold}
                  </td>
                  <td>{rule.window}</td>
                  <td>{rule.since ? new Date(rule.since).toLocaleString() : '—'}</td>
                  <td>{describeNotification(rule)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </div>
  );
}

/** The rule's records over its window, in the explorer. */
function recordsLink(rule: AlertRuleBody): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(rule.filters))
    for (const one of [value].flat()) query.append(key, one);
  query.set('from', `now-${rule.window}`);
  return `/?${query}`;
}

function describeNotification(rule: AlertRuleBody): string {
  const last = rule.lastNotification;
  if (!last) return '—';
  const when = new Date(last.at).toLocaleString();
  return last.error ? `${last.target} failed at ${when}: ${last.error}` : `${last.target} at ${when}`;
}
