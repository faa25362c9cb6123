import { z } from 'zod';
import type { LogRecord } from './record';
import { unstorableRefusal } from './query-request';
import type { Result } from './result';
import { routingToken } from './routing';

// Alert rules (issue 15): the bodies of POST/PATCH /api/alerts, what GET answers, and what a transition
// delivers to a webhook, to Alertmanager and to the `logyard.alerts` exchange.

export const MIN_WINDOW_SECONDS = 30;
export const MAX_WINDOW_SECONDS = 86_400;
/** Windows up to an hour slide by the second; longer ones by whole minutes, so their buckets stay ≤ 3,600. */
const SECOND_GRANULARITY_UP_TO = 3_600;
export const MAX_RULE_NAME_LENGTH = 200;
export const MAX_URL_LENGTH = 2_048;
export const MAX_SECRET_LENGTH = 512;
/** The filter fields of GET /api/logs a rule may hold, besides `attr.<key>`. */
export const ALERT_FILTER_FIELDS = ['service', 'host', 'severity', 'minSeverity', 'q', 'contains'] as const;
export const ATTRIBUTE_FIELD_PREFIX = 'attr.';
const WINDOW_UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600 };

/**
 * `30s`, `5m`, `1h`, `90m`… as seconds, from 30 s to 24 h. Past an hour a window
 * is whole minutes: the evaluator counts in at most 3,600 buckets per rule, and
 * a bucket must divide the window exactly so that a notification's `from`/`to`
 * cover precisely the records it counted.
 */
export function parseWindow(value: string): Result<number> {
  const match = /^(\d{1,6})([smh])$/.exec(value);
  if (!match) return { ok: false, error: 'must be a number and a unit s, m or h, as in 30s, 5m or 1h' };
  const seconds = Number(match[1]) * WINDOW_UNITS[match[2]];
  if (seconds < MIN_WINDOW_SECONDS || seconds > MAX_WINDOW_SECONDS) {
    return { ok: false, error: 'must be from 30s to 24h' };
  }
  if (seconds > SECOND_GRANULARITY_UP_TO && seconds % 60 !== 0) {
    return { ok: false, error: 'past 1h must be whole minutes' };
  }
  return { ok: true, value: seconds };
}

/** The width in seconds of the buckets a window is counted in: the smallest divisor giving ≤ 3,600 buckets. */
export function windowBucketSeconds(windowSeconds: number): number {
  let width = Math.ceil(windowSeconds / SECOND_GRANULARITY_UP_TO);
  while (windowSeconds % width !== 0) width++;
  return width;
}

/** The routing word of a rule's transitions on `logyard.alerts` (`<slug>.<firing|resolved>`). */
export function ruleSlug(name: string): string {
  return routingToken(name);
}

const oneOrMany = z.union([z.string(), z.array(z.string()).min(1).max(32)]);

const httpUrl = z
  .string()
  .max(MAX_URL_LENGTH)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
      );
    } catch {
      return false;
    }
  }, 'must be an http or https URL without credentials');

const ruleFields = {
  name: z.string().trim().min(1).max(MAX_RULE_NAME_LENGTH),
  threshold: z.number().int().min(1).max(1_000_000_000),
  window: z.string().superRefine((value, context) => {
    const window = parseWindow(value);
    if (!window.ok) context.addIssue({ code: 'custom', message: window.error });
  }),
  service: oneOrMany.optional(),
  host: oneOrMany.optional(),
  severity: oneOrMany.optional(),
  minSeverity: z.string().optional(),
  q: z.string().max(1_000).optional(),
  contains: oneOrMany.optional(),
  webhook: httpUrl.optional(),
  alertmanager: httpUrl.optional(),
  secret: z.string().min(16).max(MAX_SECRET_LENGTH).optional(),
};

/**
 * Refuses every key that is neither a known field nor `attr.<key>`: a
 * misspelt filter would otherwise silently widen what the rule counts.
 * `attr.<key>` values are strings, as in the query string of GET /api/logs.
 */
const KNOWN_FIELDS = Object.keys(ruleFields);

function refuseUnknownFields(known: readonly string[], nullRemoves = false) {
  return (body: Record<string, unknown>, context: z.RefinementCtx) => {
    for (const [key, value] of Object.entries(body)) {
      if (known.includes(key)) continue;
      if (key.startsWith(ATTRIBUTE_FIELD_PREFIX) && key.length > ATTRIBUTE_FIELD_PREFIX.length) {
        if (typeof value !== 'string' && !(nullRemoves && value === null)) {
          context.addIssue({ code: 'custom', path: [key], message: 'must be a string' });
        }
        continue;
      }
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `unknown field; use ${known.join(', ')} or attr.<key>`,
      });
    }
  };
}

/** POST /api/alerts. At least one target; every other check of the filters is GET /api/logs's own. */
export const alertRuleCreateSchema = z
  .looseObject(ruleFields)
  .superRefine(refuseUnknownFields(KNOWN_FIELDS))
  .superRefine((body, context) => {
    if (body.webhook === undefined && body.alertmanager === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['webhook'],
        message: 'a rule needs a webhook or an alertmanager URL',
      });
    }
  });

/**
 * PATCH /api/alerts/:id: any subset of the create fields; `null` removes an
 * optional one (a filter, a target, the secret). The merged rule is then
 * validated as a create body, so a patch cannot leave a rule without a target.
 */
export const alertRulePatchSchema = z
  .looseObject(
    Object.fromEntries(
      Object.entries(ruleFields).map(([key, schema]) => [
        key,
        ['name', 'threshold', 'window'].includes(key) ? schema.optional() : schema.nullable().optional(),
      ]),
    ) as { [K in keyof typeof ruleFields]: z.ZodOptional<z.ZodNullable<(typeof ruleFields)[K]>> },
  )
  .superRefine(refuseUnknownFields(KNOWN_FIELDS, true));

/** A rule as created: its fields, plus `attr.<key>` strings (the refinement checks they are strings). */
export type AlertRuleSpec = z.infer<typeof alertRuleCreateSchema>;
export type AlertRulePatch = z.infer<typeof alertRulePatchSchema>;

/** A 400 naming the field at fault, the same shape as every other API error's. */
export interface AlertFieldError {
  field: string;
  message: string;
}

/** Validates a body against one of the schemas above; the first problem, naming its field. */
export function parseAlertBody<T>(schema: z.ZodType<T>, body: unknown): Result<T, AlertFieldError> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: { field: 'body', message: 'must be a JSON object' } };
  }
  const unstorable = unstorableRefusal(body);
  if (unstorable) return unstorable;
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue.path.map(String).join('.') || 'body';
  return { ok: false, error: { field, message: issue.message } };
}

/** The filter fields of a rule as the query parameters of GET /api/logs (one parser checks both). */
export function ruleFilterParams(spec: AlertRuleSpec): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(spec)) {
    const isFilter =
      (ALERT_FILTER_FIELDS as readonly string[]).includes(key) || key.startsWith(ATTRIBUTE_FIELD_PREFIX);
    if (isFilter && value !== undefined) params[key] = value as string | string[];
  }
  return params;
}

export type AlertState = 'ok' | 'firing';
export type AlertTransitionState = 'firing' | 'resolved';
export type AlertTarget = 'webhook' | 'alertmanager' | 'amqp';

/** The last delivery attempt of a rule's notifications: when, to which target, and what went wrong if it did. */
export interface AlertNotificationStatus {
  at: string;
  target: AlertTarget;
  error?: string;
}

/** GET /api/alerts[/:id]: a rule, its state and its last notification. The secret is never shown. */
export interface AlertRuleBody {
  id: string;
  name: string;
  slug: string;
  threshold: number;
  window: string;
  /** The filters, as GET /api/logs's parameters. */
  filters: Record<string, string | string[]>;
  webhook?: string;
  alertmanager?: string;
  signed: boolean;
  state: AlertState;
  /** When the rule entered its state; null for a rule that never left `ok`. */
  since: string | null;
  /** The count at its last transition or evaluation. */
  lastCount: number;
  lastNotification: AlertNotificationStatus | null;
  /**
   * Since when the evaluator counts this rule's records; null until it has
   * loaded the rule. A new or re-filtered rule counts what arrives from then on.
   */
  countingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

/** GET /api/alerts */
export interface AlertRuleListBody {
  items: AlertRuleBody[];
}

/**
 * What a transition delivers: the webhook body, and the body of the AMQP
 * message on `logyard.alerts`. `count` is the number of matching records with
 * `from <= ts < to`: GET /api/logs with the rule's filters and this `from` and
 * `to` returns the same records. `id` identifies the transition, so a receiver
 * can drop a redelivery.
 */
export interface AlertNotificationBody {
  id: string;
  rule: { id: string; name: string; slug: string };
  state: AlertTransitionState;
  /** When the evaluator decided the transition. */
  at: string;
  /** When the episode began: `at` of its firing transition (for a firing one, `at` itself). */
  since: string;
  count: number;
  threshold: number;
  window: string;
  from: string;
  to: string;
  /** Up to five of the matching records, the newest the evaluator saw. */
  samples: LogRecord[];
  /** The records in the explorer (or the API when the explorer is not built). */
  url: string;
}

export const MAX_ALERT_SAMPLES = 5;
/** Header carrying `sha256=<hex HMAC of the body>` when the rule has a secret. */
export const ALERT_SIGNATURE_HEADER = 'x-logyard-signature';

/** One alert of Alertmanager's API v2 `POST /api/v2/alerts` (its `postableAlert`). */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL: string;
}
