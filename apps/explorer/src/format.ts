/** A record time as shown in the list: UTC, to the millisecond (the range controls are UTC too). */
export function shortTime(ts: string): string {
  return ts.replace('T', ' ').slice(0, 23);
}

/** An API time (`now-1h`, ISO) for the range line. */
export function describeTime(value: string): string {
  return /^now/.test(value) ? value : shortTime(new Date(value).toISOString());
}

/** A `datetime-local` value, read as UTC, to ISO-8601; undefined when empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const time = new Date(`${value}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** An ISO or epoch-ms time as a `datetime-local` value in UTC; '' for relative times. */
export function toLocalInput(value: string): string {
  if (!value || value.startsWith('now')) return '';
  const time = new Date(/^\d+$/.test(value) ? Number(value) : value);
  return Number.isNaN(time.getTime()) ? '' : time.toISOString().slice(0, 19);
}
