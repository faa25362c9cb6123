import { err, ok, Result } from './result';

/** A JSON object's members by name, as a decoder holds them before each is checked. */
export type JsonObject = Record<string, unknown>;

/**
 * A JSON object as JSON.parse makes one: not null, not an array. Every source's decoder checks shapes with
 * this one predicate, so "object" means the same thing at every edge.
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A body as text, without the leading byte-order mark that UTF-8 text may carry and JSON may not. */
export function utf8Text(body: Buffer | string): string {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A sender's JSON body, parsed; a body that is not JSON is an error value naming why, never a throw. */
export function parseJson(body: Buffer | string): Result<unknown> {
  try {
    return ok(JSON.parse(utf8Text(body)));
  } catch (error) {
    return err(`body is not valid JSON: ${errorMessage(error)}`);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
