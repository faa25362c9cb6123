import { version } from 'uuid';

import { parseLogRecord, toWire } from './record';
import { makeRecord } from './record.factory';

describe(makeRecord.name, () => {
  it('makes a valid, normalised record', () => {
    const record = makeRecord();
    expect(version(record.id)).toBe(7);
    expect(record.ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(parseLogRecord(toWire(record))).toEqual({ ok: true, value: record });
  });

  it('applies overrides', () => {
    expect(makeRecord({ severity: 'error', host: 'db-1' })).toMatchObject({
      severity: 'error',
      host: 'db-1',
    });
  });
});
