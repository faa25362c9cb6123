import { AlertRuleBody, AlertRuleListBody } from '@logyard/contracts';
import { ApiTarget, callApi, readAnswer } from './api-client';
import { usageError } from './cli-error';
import { escapeControls, escapeJson } from './format';

/** The options of `logyard alerts add`, as commander gives them. */
export interface AddAlertOptions {
  threshold: number;
  window: string;
  service?: string[];
  host?: string[];
  severity?: string[];
  minSeverity?: string;
  text?: string;
  contains?: string[];
  attr?: string[];
  webhook?: string;
  alertmanager?: string;
  secret?: string;
}

/** `logyard alerts list`: one line per rule (state, count/threshold, window, name, id), or the API's JSON. */
export async function listAlerts(target: ApiTarget, options: { json: boolean }): Promise<void> {
  const { status, body } = await callApi(target, 'GET', '/api/alerts');
  const list = readAnswer<AlertRuleListBody>(status, body);
  if (options.json) {
    process.stdout.write(`${escapeJson(JSON.stringify(list))}\n`);
    return;
  }
  process.stdout.write(list.items.map((rule) => `${formatAlertLine(rule)}\n`).join(''));
  if (list.items.length === 0) process.stderr.write('(no alert rules)\n');
}

/** `logyard alerts add <name> …`: creates a rule and prints its id; the API's 400 is a usage error naming the field. */
export async function addAlert(target: ApiTarget, name: string, options: AddAlertOptions): Promise<void> {
  const { status, body } = await callApi(target, 'POST', '/api/alerts', ruleBody(name, options));
  const rule = readAnswer<AlertRuleBody>(status, body);
  process.stdout.write(`${escapeControls(String(rule.id))}\n`);
}

/** `logyard alerts rm <id>` */
export async function removeAlert(target: ApiTarget, id: string): Promise<void> {
  const { status, body } = await callApi(target, 'DELETE', `/api/alerts/${encodeURIComponent(id)}`);
  readAnswer(status, body);
}

/** The request body of `alerts add`: repeated options stay lists, `--attr key=value` becomes `attr.key`. */
export function ruleBody(name: string, options: AddAlertOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { name, threshold: options.threshold, window: options.window };
  const lists = {
    service: options.service,
    host: options.host,
    severity: options.severity,
    contains: options.contains,
  };
  for (const [key, values] of Object.entries(lists)) {
    if (values?.length) body[key] = values.length === 1 ? values[0] : values;
  }
  const singles = {
    minSeverity: options.minSeverity,
    q: options.text,
    webhook: options.webhook,
    alertmanager: options.alertmanager,
    secret: options.secret,
  };
  for (const [key, value] of Object.entries(singles)) if (value !== undefined) body[key] = value;
  for (const pair of options.attr ?? []) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw usageError(`--attr ${pair}: use key=value, as in --attr region=eu`);
    body[`attr.${pair.slice(0, equals)}`] = pair.slice(equals + 1);
  }
  return body;
}

/** `firing  12/10 in 5m  Checkout errors  <id>`; everything from the API escaped. */
export function formatAlertLine(rule: AlertRuleBody): string {
  const failed = rule.lastNotification?.error
    ? `  (last ${rule.lastNotification.target} failed: ${rule.lastNotification.error})`
    : '';
  return escapeControls(
    `${rule.state.padEnd(6)}  ${rule.lastCount}/${rule.threshold} in ${rule.window}  ${rule.name}  ${rule.id}${failed}`,
  );
}
