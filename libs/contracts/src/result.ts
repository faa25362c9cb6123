/**
 * The outcome of interpreting untrusted input. Parsers return it instead of throwing so that one bad record
 * in a batch becomes a per-record error rather than an exception across the transport.
 */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const err = (error: string): Result<never> => ({ ok: false, error });
