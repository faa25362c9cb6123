// Error messages quote what the sender gave us; a multi-megabyte value must not become a multi-megabyte error.
const MAX_SHOWN_CHARS = 80;

/** Renders an input value for an error message: strings quoted and shortened, other values by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value);
  }
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}
