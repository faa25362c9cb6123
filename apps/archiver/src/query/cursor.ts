import { validate as isUuid } from 'uuid';
import { err, ok, parseTimestamp, Result } from '@logyard/contracts';

export interface KeysetPosition {
  ts: string;
  id: string;
}

/** Opaque to clients: base64url of the last returned record's (ts, id). */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.ts, position.id])).toString('base64url');
}

/**
 * Far above any cursor this API returns (about 100 characters), so a forged
 * longer one is refused before it is decoded and parsed.
 */
const MAX_CURSOR_LENGTH = 256;
const NOT_A_CURSOR = 'is not a cursor returned by this API';

export function decodeCursor(cursor: string): Result<KeysetPosition> {
  if (cursor.length > MAX_CURSOR_LENGTH) return err(NOT_A_CURSOR);
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'string' && isUuid(value[1])) {
      const ts = parseTimestamp(value[0]);
      if (ts.ok) return ok({ ts: ts.value, id: value[1] });
    }
  } catch {
    // fall through to the one error below
  }
  return err(NOT_A_CURSOR);
}
