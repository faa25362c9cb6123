import { UNSTORABLE_CHARACTER } from '@logyard/contracts';

/**
 * JSON that PostgreSQL's jsonb accepts. JSON.stringify writes NUL as `\u0000` and a lone surrogate as
 * `\udXXX`, and jsonb refuses both (SQLSTATE 22P05); the text columns take the same characters, NUL excepted,
 * as U+FFFD, so jsonb gets them the same way, in keys and values alike. Linear in the value's size.
 */
export function jsonbText(value: unknown): string {
  const json = JSON.stringify(value);
  // JSON.stringify escapes only control characters and lone surrogates as \u: most JSON has none, and
  // `includes` is the cheaper scan. A rare false alarm (an escaped backslash before "u0000") costs a second pass.
  return json.includes('\\u') && REFUSED_ESCAPE.test(json) ? JSON.stringify(value, cleanStrings) : json;
}

/** The text column's form of a string jsonb could not take: NUL and lone surrogates as U+FFFD. */
export function storableText(value: string): string {
  return value.replace(UNSTORABLE, '\ufffd');
}

const REFUSED_ESCAPE = /\\u(?:0000|d[89a-f])/;
const UNSTORABLE = new RegExp(UNSTORABLE_CHARACTER.source, 'g');

function cleanStrings(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.every((key) => key === storableText(key))) return value;
  // Two keys may clean to the same one: the later wins, as a repeated key does in jsonb.
  return Object.fromEntries(keys.map((key) => [storableText(key), (value as Record<string, unknown>)[key]]));
}
