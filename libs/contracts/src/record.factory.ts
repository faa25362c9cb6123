import { v7 as uuidv7 } from 'uuid';

import { LogRecord } from './record';
import { nowIso } from './timestamp';

/** A valid, already-normalised record for specs; `makeRecord({ severity: 'error' })`. */
export function makeRecord(overrides: Partial<LogRecord> = {}): LogRecord {
  const now = nowIso();
  return {
    id: uuidv7(),
    ts: now,
    observedTs: now,
    host: 'web-1.prod.example.com',
    service: 'checkout',
    severity: 'info',
    message: 'order placed',
    attributes: {},
    ...overrides,
  };
}
