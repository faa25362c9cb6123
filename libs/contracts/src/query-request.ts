import { z } from 'zod';
import { validatePattern } from './pattern';
import {
  ATTRIBUTE_PREFIX,
  DEFAULT_LIMIT,
  Interval,
  INTERVALS,
  MAX_CONTAINS,
  MAX_CONTAINS_LENGTH,
  MAX_LIMIT,
  MAX_TAIL_PATTERNS,
} from './query-limits';
import { Result } from './result';
import { parseSeverity, Severity, SEVERITIES } from './severity';
import { parseTimestamp } from './timestamp';

// The requests of the query and tail APIs, one zod schema each: the single source of their validation (HTTP
// and the AMQP RPC alike), their TypeScript types (z.infer) and their OpenAPI description (z.toJSONSchema).
// docs/design.md §6. Every refusal names the parameter at fault; every check is linear in the input.

/** A query string as Express hands it over, and the JSON object an RPC request carries. */
export type QueryParams = Record<string, string | string[] | undefined>;

/** A refusal naming the parameter at fault; `message` is the sentence after the parameter's name. */
export interface ParamError {
  field: string;
  message: string;
}

/**
 * Longer than any time this API accepts (an ISO time with nanoseconds and a zone is 35 characters), so a
 * longer one is refused before it is parsed, and what a time costs is bounded here, not by the sender.
 */
const MAX_TIME_LENGTH = 64;

const INTERVAL_NAMES = Object.keys(INTERVALS) as Interval[];

/** A time as given: relative to the moment of the query (`now-15m` is 900,000 ms before it), or absolute. */
export type TimeParam = { beforeNowMs: number } | { ts: string };

const RELATIVE_UNITS_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
const TIME = 'ISO-8601, epoch milliseconds, or relative: now, now-30s, now-15m, now-2h, now-1d, now-1w';

/** One value: a query string carries a repeated parameter as an array, which a single one refuses. */
const single = () =>
  z.string({
    error: (issue) =>
      Array.isArray(issue.input) ? 'may be given only once' : 'must be a string or an array of strings',
  });

/** A repeatable parameter, always an array after parsing. */
const repeatable = () =>
  z
    .union([z.string(), z.array(z.string())], { error: 'must be a string or an array of strings' })
    .transform((value) => (Array.isArray(value) ? value : [value]));

const nonEmptyList = () =>
  repeatable()
    .refine((values) => values.every(Boolean), 'must not be empty')
    .optional();

/** A severity or an alias, as parseSeverity reads it; its refusal names the value and lists the choices. */
const severity = () =>
  single()
    .meta({ enum: [...SEVERITIES] })
    .transform((value, context): Severity => {
      const parsed = parseSeverity(value);
      if (parsed.ok) return parsed.value;
      context.issues.push({ code: 'custom', input: value, message: parsed.error });
      return z.NEVER;
    });

/**
 * A transform of repeated values: each through `parse`, the first refusal as the request's error (its
 * parser's message), and each parsed value once, in the order given. The lists are capped, so `includes`
 * stays cheap.
 */
function eachOnce<T>(parse: (value: string) => Result<T>) {
  return (values: string[], context: z.RefinementCtx<string[]>): T[] => {
    const seen: T[] = [];
    for (const value of values) {
      const parsed = parse(value);
      if (!parsed.ok) {
        context.issues.push({ code: 'custom', input: value, message: parsed.error });
        return z.NEVER;
      }
      if (!seen.includes(parsed.value)) seen.push(parsed.value);
    }
    return seen;
  };
}

/** Repeated severities, canonical and each once, in the order given. */
const severities = () =>
  repeatable()
    .meta({ items: { type: 'string', enum: [...SEVERITIES] } })
    .transform(eachOnce(parseSeverity))
    .optional();

const time = (description: string) =>
  single()
    .max(MAX_TIME_LENGTH, `must be at most ${MAX_TIME_LENGTH} characters`)
    .transform((value, context): TimeParam => {
      const relative = /^now(?:-(\d+)([smhdw]))?$/.exec(value.trim());
      if (relative) {
        return { beforeNowMs: relative[1] ? Number(relative[1]) * RELATIVE_UNITS_MS[relative[2]] : 0 };
      }
      const parsed = parseTimestamp(value);
      if (parsed.ok) return { ts: parsed.value };
      context.issues.push({
        code: 'custom',
        input: value,
        message: 'must be ISO-8601, epoch milliseconds, or relative like now-15m',
      });
      return z.NEVER;
    })
    .optional()
    .describe(description);

/** The filters every read shares: /api/logs, its histogram and the facets. */
const filterFields = (range: 'open' | 'defaulted') => ({
  from: time(`inclusive; ${TIME}${range === 'defaulted' ? '; default 24 hours before to' : ''}`),
  to: time(`exclusive; ${TIME}${range === 'defaulted' ? '; default now' : ''}`),
  host: nonEmptyList().describe('repeatable'),
  service: nonEmptyList().describe('repeatable'),
  severity: severities().describe('repeatable; aliases such as warning, err accepted'),
  minSeverity: severity().optional().describe('this severity and above'),
  q: single()
    .refine((value) => value.trim() !== '', 'must not be empty')
    .optional()
    .describe('full text, web-search syntax: words, "a phrase", -word, a or b'),
  traceId: single()
    .regex(/^[0-9a-f]{32}$/i, 'must be 32 hexadecimal characters')
    .transform((value) => value.toLowerCase())
    .optional()
    .describe('32 hexadecimal characters'),
  contains: repeatable()
    .refine((values) => values.length <= MAX_CONTAINS, `may be given at most ${MAX_CONTAINS} times`)
    .refine((values) => values.every(Boolean), 'must not be empty')
    .refine(
      (values) => values.every((value) => value.length <= MAX_CONTAINS_LENGTH),
      `must be at most ${MAX_CONTAINS_LENGTH} characters`,
    )
    .optional()
    .describe(
      'case-insensitive substring of the message (timeout finds ConnectTimeoutException); repeatable, all must occur',
    ),
  '-host': nonEmptyList().describe('leave out this host; repeatable'),
  '-service': nonEmptyList().describe('leave out this service; repeatable'),
  '-severity': severities().describe('leave out this severity; repeatable'),
});

/** Any set of named parameters; their names are read before any value, without a schema per value. */
const parameters = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  { error: 'must be an object of named parameters' },
);

/** Any parameter's value, before its own schema reads it. */
const anyValue = z.union([z.string(), z.array(z.string())]).optional();

/**
 * A request with exactly the parameters of `shape`: the names are checked before any value, so a misspelt
 * filter is refused as unknown rather than silently widening the answer. `attr.<key>` (any number of them)
 * needs a key and one value; severity excludes minSeverity. The object in the pipe is the one
 * that describes the request in OpenAPI. The output holds the
 * `attr.<key>` filters as `attributes`, by key.
 */
function filterRequest<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  const hint = `unknown parameter; use one of ${known.join(', ')} or ${ATTRIBUTE_PREFIX}<key>`;
  return parameters
    .superRefine((params, context) => {
      for (const name of Object.keys(params)) {
        if (!known.includes(name) && !name.startsWith(ATTRIBUTE_PREFIX)) {
          context.addIssue({ code: 'custom', path: [name], message: hint });
          return;
        }
      }
    })
    .pipe(
      z
        .object(shape)
        .catchall(anyValue)
        .superRefine((params, context) => {
          for (const [name, value] of Object.entries(params)) {
            if (known.includes(name)) continue;
            if (Array.isArray(value)) {
              context.addIssue({ code: 'custom', path: [name], message: 'may be given only once' });
            } else if (name === ATTRIBUTE_PREFIX) {
              const message = 'needs a key, as in attr.region=eu';
              context.addIssue({ code: 'custom', path: [name], message });
            }
          }
          if (params.severity !== undefined && params.minSeverity !== undefined) {
            const message = 'use either severity or minSeverity, not both';
            context.addIssue({ code: 'custom', path: ['minSeverity'], message });
          }
        }),
    )
    .transform((params) => {
      const given: Record<string, unknown> = {};
      const attributes: [string, string][] = [];
      for (const [name, value] of Object.entries(params)) {
        if (Object.hasOwn(shape, name)) given[name] = value;
        else attributes.push([name.slice(ATTRIBUTE_PREFIX.length), String(value ?? '')]);
      }
      // fromEntries defines own properties, so even a key like __proto__ stays a filter.
      return { ...given, attributes: Object.fromEntries(attributes) } as z.output<z.ZodObject<Shape>> & {
        attributes: Record<string, string>;
      };
    });
}

/** The order of the shape is the order of the hint listing the known parameters. */
const withExtras = <Shape extends z.ZodRawShape>(range: 'open' | 'defaulted', own: Shape) => {
  const { contains, '-host': h, '-service': s, '-severity': v, ...base } = filterFields(range);
  return { ...base, ...own, contains, '-host': h, '-service': s, '-severity': v };
};

/** GET /api/logs (and the RPC): the filters, `limit` and the `cursor` of a previous page. */
export const logQueryRequest = filterRequest(
  withExtras('open', {
    limit: single()
      .transform((value, context) => {
        const limit = /^\d+$/.test(value) ? Number(value) : 0;
        if (limit >= 1 && limit <= MAX_LIMIT) return limit;
        context.issues.push({
          code: 'custom',
          input: value,
          message: `must be an integer from 1 to ${MAX_LIMIT}`,
        });
        return z.NEVER;
      })
      .prefault(String(DEFAULT_LIMIT))
      .meta({ type: 'integer', minimum: 1, maximum: MAX_LIMIT }),
    cursor: single().optional().describe('nextCursor of the previous page'),
  }),
);
export type LogQueryRequest = z.output<typeof logQueryRequest>;

/** GET /api/logs/histogram: the filters over a range, and the bucket interval. */
export const histogramRequest = filterRequest(
  withExtras('defaulted', {
    interval: single()
      .refine(
        (value) => value === 'auto' || Object.hasOwn(INTERVALS, value),
        `must be auto or one of ${INTERVAL_NAMES.join(', ')}`,
      )
      .transform((value) => value as Interval | 'auto')
      .prefault('auto')
      .meta({ enum: ['auto', ...INTERVAL_NAMES] })
      .describe('auto: the finest interval giving at most 120 buckets'),
  }),
);
export type HistogramRequest = z.output<typeof histogramRequest>;

/** `field` of GET /api/facets: `attr.<key>` asks for that attribute's top values; the output is the key. */
export const facetField = single()
  .transform((value, context) => {
    const key = value.startsWith(ATTRIBUTE_PREFIX) ? value.slice(ATTRIBUTE_PREFIX.length) : '';
    if (key) return key;
    context.issues.push({
      code: 'custom',
      input: value,
      message: 'must be attr.<key>, as in attr.region',
    });
    return z.NEVER;
  })
  .optional()
  .describe(
    'attr.<key>: the top values of that attribute instead, as {"field","values":[{"value","count"}]}',
  );

/**
 * The filters of an alert rule (given as GET /api/logs's parameters): the same schemas, so a rule accepts
 * and refuses exactly what the query does, with the same messages. No range: the rule's window is its range.
 */
export const alertFiltersRequest = filterRequest(
  z.object(filterFields('open')).omit({ from: true, to: true, traceId: true }).shape,
);

/** GET /api/facets: the filters over a range; `field=attr.<key>` asks for one attribute's top values. */
export const facetsRequest = filterRequest(
  withExtras('defaulted', {
    field: facetField,
  }),
);
export type FacetsRequest = z.output<typeof facetsRequest>;

/**
 * The body of an AMQP RPC query: a JSON object of the parameters of GET /api/logs, each a string or an array
 * of strings as a query string would carry them, e.g. `{"service":"checkout","minSeverity":"warn"}`.
 */
export const rpcRequest = z.record(
  z.string(),
  z.union([z.string(), z.array(z.string())], { error: 'must be a string or an array of strings' }),
  { error: 'must be a JSON object of the query parameters of GET /api/logs' },
);

/**
 * GET /tail: one or more patterns, each one validatePattern accepts (its refusal, with the hint, is the
 * message), each once. Its messages are whole sentences, as the tail has always answered them.
 */
export const tailRequest = parameters
  .superRefine((params, context) => {
    const unknown = Object.keys(params).find((name) => name !== 'pattern');
    if (unknown !== undefined) {
      context.addIssue({
        code: 'custom',
        path: [unknown],
        message: `${unknown}: unknown parameter; use pattern`,
      });
    }
  })
  .pipe(
    z.object({
      pattern: z
        .union([z.string(), z.array(z.string())], {
          error: (issue) =>
            issue.input === undefined
              ? 'pattern is required, e.g. /tail?pattern=*.*.error'
              : 'pattern must be a string or an array of strings',
        })
        .transform((value) => (Array.isArray(value) ? value : [value]))
        .refine((patterns) => patterns.length > 0, 'pattern is required, e.g. /tail?pattern=*.*.error')
        .refine(
          (patterns) => patterns.length <= MAX_TAIL_PATTERNS,
          `at most ${MAX_TAIL_PATTERNS} patterns per tail; '#' subscribes to everything`,
        )
        .transform(eachOnce(validatePattern))
        .describe('host.service.severity with AMQP topic wildcards, e.g. *.*.error; repeatable'),
    }),
  );
export type TailRequest = z.output<typeof tailRequest>;

/**
 * Validates `input` against a request schema: its typed value, or the first refusal, naming the parameter
 * at fault (`body` when the input as a whole is wrong). Never throws.
 */
export function parseRequest<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): Result<z.output<Schema>, ParamError> {
  const unstorable = unstorableRefusal(input);
  if (unstorable) return unstorable;
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const [issue] = parsed.error.issues;
  return {
    ok: false,
    error: { field: issue.path.length ? String(issue.path[0]) : 'body', message: issue.message },
  };
}

/**
 * A character PostgreSQL cannot hold: NUL anywhere, a high surrogate without its low one, a low one without
 * its high one (jsonb refuses their escapes, SQLSTATE 22P05; text gets them as U+FFFD).
 */
export const UNSTORABLE_CHARACTER =
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters sought
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The refusal of an input holding an UNSTORABLE_CHARACTER in any key or string, naming the parameter (the
 * top-level key) it is under, or `body`: every parameter reaches PostgreSQL as text or jsonb, where such a
 * character is an error (a 500), not a refusal.
 */
export function unstorableRefusal(input: unknown): { ok: false; error: ParamError } | undefined {
  const pending: [field: string, value: unknown][] = [['body', input]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [field, value] = next;
    if (typeof value === 'string') {
      if (UNSTORABLE_CHARACTER.test(value)) return refusedUnstorable(field);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const at = value === input ? key : field;
        if (UNSTORABLE_CHARACTER.test(key)) return refusedUnstorable(at);
        pending.push([at, item]);
      }
    }
  }
  return undefined;
}

function refusedUnstorable(field: string): { ok: false; error: ParamError } {
  return {
    ok: false,
    error: {
      field,
      message: 'must not contain NUL (U+0000) or an unpaired UTF-16 surrogate, which PostgreSQL cannot hold',
    },
  };
}
