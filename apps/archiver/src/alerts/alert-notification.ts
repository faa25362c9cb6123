import { createHmac } from 'node:crypto';
import {
  AlertmanagerAlert,
  AlertNotificationBody,
  AlertRuleSpec,
  AlertTransitionState,
  LogRecord,
  MAX_ALERT_SAMPLES,
  ruleFilterParams,
} from '@logyard/contracts';

export interface TransitionFacts {
  id: string;
  ruleId: string;
  slug: string;
  spec: AlertRuleSpec;
  state: AlertTransitionState;
  at: Date;
  since: Date;
  count: number;
  fromMs: number;
  toMs: number;
  /** Matching records the evaluator saw last, newest last. */
  recent: readonly LogRecord[];
}

/**
 * The body every target gets (docs/design.md §12). `url` opens the same
 * records: the explorer's query string is GET /api/logs's, so one link
 * format serves both (`/?…` when the explorer is built, else `/api/logs?…`).
 */
export function notificationBody(
  facts: TransitionFacts,
  baseUrl: string,
  explorer: boolean,
): AlertNotificationBody {
  const from = new Date(facts.fromMs).toISOString();
  const to = new Date(facts.toMs).toISOString();
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(ruleFilterParams(facts.spec))) {
    for (const one of [value].flat()) query.append(key, one);
  }
  query.set('from', from);
  query.set('to', to);
  const samples = facts.recent
    .filter((record) => {
      const ts = Date.parse(record.ts);
      return ts >= facts.fromMs && ts < facts.toMs;
    })
    .slice(-MAX_ALERT_SAMPLES)
    .reverse();
  return {
    id: facts.id,
    rule: { id: facts.ruleId, name: facts.spec.name, slug: facts.slug },
    state: facts.state,
    at: facts.at.toISOString(),
    since: facts.since.toISOString(),
    count: facts.count,
    threshold: facts.spec.threshold,
    window: facts.spec.window,
    from,
    to,
    samples,
    url: `${baseUrl}${explorer ? '/' : '/api/logs'}?${query.toString()}`,
  };
}

/**
 * Where alerts are posted on an Alertmanager whose base URL a rule gives: its API v2 under the base's path,
 * the base's query kept (a proxy in front may need it). Appending to the text put the path after a query.
 */
export function alertmanagerAlertsUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
  url.hash = '';
  return url.toString();
}

/**
 * Alertmanager's API v2 payload for a transition: one alert, identified by
 * its labels (the rule), resolved by sending it again with `endsAt` set. A
 * firing alert carries no `endsAt`: Alertmanager then keeps it active for its
 * resolve_timeout (5 min by default) — see README "Alerts".
 */
export function alertmanagerPayload(body: AlertNotificationBody): AlertmanagerAlert[] {
  return [
    {
      labels: { alertname: body.rule.name, rule: body.rule.slug, source: 'logyard' },
      annotations: {
        summary: `${body.count} matching records in ${body.window} (threshold ${body.threshold})`,
        count: String(body.count),
        threshold: String(body.threshold),
        window: body.window,
      },
      startsAt: body.since,
      ...(body.state === 'resolved' ? { endsAt: body.at } : {}),
      generatorURL: body.url,
    },
  ];
}

/** `sha256=<hex>`: HMAC-SHA256 of the exact body bytes with the rule's secret. */
export function signature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
