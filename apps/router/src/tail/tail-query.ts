import { Result, validatePattern } from '@logyard/contracts';

export type TailParams = Record<string, string | string[] | undefined>;

/** A 400 that names the parameter at fault. */
export interface TailParamError {
  field: string;
  message: string;
}

/** Each pattern is one binding on the broker; a client needing more wants `#` and a filter of its own. */
export const MAX_TAIL_PATTERNS = 32;

/**
 * Validates the query of GET /tail: one or more `pattern` parameters, each
 * one validatePattern accepts (its refusal, with the hint, is the message).
 * Unknown parameters are refused like everywhere else in the API, so a
 * misspelt `patern=` is an error rather than an empty subscription.
 */
export function parseTailQuery(params: TailParams): Result<string[], TailParamError> {
  const unknown = Object.keys(params).find((name) => name !== 'pattern');
  if (unknown !== undefined) return fail(unknown, `${unknown}: unknown parameter; use pattern`);
  const given = params.pattern === undefined ? [] : [params.pattern].flat();
  if (given.length === 0) return fail('pattern', `pattern is required, e.g. /tail?pattern=*.*.error`);
  if (given.length > MAX_TAIL_PATTERNS) {
    return fail('pattern', `at most ${MAX_TAIL_PATTERNS} patterns per tail; '#' subscribes to everything`);
  }
  const patterns: string[] = [];
  for (const pattern of given) {
    const valid = validatePattern(pattern);
    if (!valid.ok) return fail('pattern', valid.error);
    if (!patterns.includes(valid.value)) patterns.push(valid.value);
  }
  return { ok: true, value: patterns };
}

function fail(field: string, message: string): Result<never, TailParamError> {
  return { ok: false, error: { field, message } };
}
