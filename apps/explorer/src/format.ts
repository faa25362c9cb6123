/** A record time as shown in the list: UTC, to the millisecond (the range controls are UTC too). */
export function shortTime(ts: string): string {
  return ts.replace('T', ' ').slice(0, 23);
}

/**
 * An API time (`now-1h`, ISO, epoch ms) for the range line; anything else as given, for the API's 400 to
 * explain. A deep link is anyone's text: toISOString would throw on it and blank the page.
 */
export function describeTime(value: string): string {
  const time = value.startsWith('now') ? undefined : absoluteTime(value);
  return time ? shortTime(time.toISOString()) : value;
}

/** A `datetime-local` value, read as UTC, to ISO-8601; undefined when empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(`${value}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** An ISO or epoch-ms time as a `datetime-local` value in UTC; '' for relative times. */
export function toLocalInput(value: string): string {
  const time = !value || value.startsWith('now') ? undefined : absoluteTime(value);
  return time ? time.toISOString().slice(0, 19) : '';
}

/** An ISO or epoch-ms time as the API reads it; undefined when it is neither. */
function absoluteTime(value: string): Date | undefined {
  const time = new Date(/^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}
