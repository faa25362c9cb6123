/**
 * Bounds on a record's attributes, enforced wherever a record is parsed. They
 * exist for the hops after the parse: every later step (JSON.stringify in a
 * publisher, jsonb in PostgreSQL, an SSE writer) recurses or buffers, so a
 * record that nests 20,000 deep or carries megabytes of attributes must be
 * refused here, as that record's error, not fail later as an outage.
 */
export interface AttributeLimits {
  /** Levels of objects and arrays; the attributes object itself is level 1. */
  maxAttributeDepth: number;
  /** UTF-8 bytes of the attributes serialised as JSON. */
  maxAttributesBytes: number;
}

export const DEFAULT_ATTRIBUTE_LIMITS: AttributeLimits = {
  maxAttributeDepth: 32,
  maxAttributesBytes: 64 * 1024,
};

// JSON.stringify writes a UTF-16 code unit as at most 6 bytes (`\u0000`, a lone surrogate's `\ud800`)
// and a number in at most 24 characters (`-1.7976931348623157e+308`).
const MAX_BYTES_PER_CODE_UNIT = 6;
const MAX_NUMBER_CHARS = 24;

/**
 * Why the attributes break a limit, or undefined when they keep to both.
 * Total and linear in the input: an explicit stack instead of recursion (so
 * no depth can overflow the call stack), and a walk that stops as soon as
 * the smallest possible JSON of what it has seen is over the byte limit (so
 * shared or cyclic references cannot make it visit more than that many
 * nodes). Only attributes near the byte limit are serialised to be measured
 * exactly.
 */
export function exceededAttributeLimit(
  attributes: Record<string, unknown>,
  limits: AttributeLimits,
): string | undefined {
  const { maxAttributeDepth, maxAttributesBytes } = limits;
  const tooLarge = `attributes: larger than ${maxAttributesBytes} bytes as JSON`;
  // Bounds on the size of JSON.stringify(attributes): fewest characters and most bytes it can take.
  let fewest = 0;
  let most = 0;
  let needsExactSize = false;
  // Two parallel stacks rather than one of {value, depth} objects: this runs on every record at every hop.
  const values: unknown[] = [attributes];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop() as number;
    switch (typeof value) {
      case 'string':
        fewest += value.length + 2;
        most += value.length * MAX_BYTES_PER_CODE_UNIT + 2;
        break;
      case 'number':
        fewest += 1;
        most += MAX_NUMBER_CHARS;
        break;
      case 'boolean':
        fewest += 4;
        most += 5;
        break;
      case 'bigint':
        return 'attributes: cannot be serialised as JSON (a BigInt)';
      case 'object':
        if (value === null) {
          fewest += 4;
          most += 4;
          break;
        }
        if (depth > maxAttributeDepth) return `attributes: nested deeper than ${maxAttributeDepth} levels`;
        // Dates, Buffers and the like serialise through toJSON: only JSON.stringify knows their size.
        if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
          needsExactSize = true;
          break;
        }
        if (Array.isArray(value)) {
          // Brackets and commas first, so a huge (even sparse) array is refused before its items are visited.
          fewest += 1 + Math.max(1, value.length);
          most += 1 + Math.max(1, value.length);
          if (fewest > maxAttributesBytes) return tooLarge;
          for (const item of value) {
            values.push(item);
            depths.push(depth + 1);
          }
        } else {
          const keys = Object.keys(value);
          fewest += 1 + Math.max(1, keys.length);
          most += 1 + Math.max(1, keys.length);
          for (const key of keys) {
            const item = (value as Record<string, unknown>)[key];
            // JSON.stringify leaves out keys whose value it cannot write.
            if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
            fewest += key.length + 3;
            most += key.length * MAX_BYTES_PER_CODE_UNIT + 3;
            values.push(item);
            depths.push(depth + 1);
          }
        }
        break;
      default:
        // undefined, functions and symbols: written as null inside an array, left out of an object.
        most += 4;
    }
    if (fewest > maxAttributesBytes) return tooLarge;
  }
  if (most <= maxAttributesBytes && !needsExactSize) return undefined;
  return exactSizeError(attributes, maxAttributesBytes, tooLarge);
}

function exactSizeError(
  attributes: Record<string, unknown>,
  maxBytes: number,
  tooLarge: string,
): string | undefined {
  let json: string;
  try {
    json = JSON.stringify(attributes);
  } catch (error) {
    // A toJSON that throws, or returns something too deep to write.
    return `attributes: cannot be serialised as JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  return Buffer.byteLength(json, 'utf8') > maxBytes ? tooLarge : undefined;
}
