import { decodeRecords, encodeBatch, parseJsonBody, parseNdjson } from './batch';
import { toWire } from './record';
import { makeRecord } from './record.factory';

describe(decodeRecords.name, () => {
  it('parses each item and reports the bad ones by index', () => {
    const items = [{ message: 'a' }, { severity: 'loud', message: 'b' }, 'nonsense', { msg: 'c' }];
    const batch = decodeRecords(items, { observedTs: '2026-11-24T23:49:27.000000Z' });
    expect(batch.records.map((r) => r.message)).toEqual(['a', 'c']);
    expect(batch.errors).toEqual([
      { index: 1, error: expect.stringMatching(/^severity: "loud"/), raw: items[1] },
      { index: 2, error: 'record must be a JSON object', raw: 'nonsense' },
    ]);
  });

  it('gives the records of one batch one observation time', () => {
    const batch = decodeRecords([{ message: 'a' }, { message: 'b' }]);
    expect(batch.records[0].observedTs).toBe(batch.records[1].observedTs);
  });
});

describe(encodeBatch.name, () => {
  it('writes a JSON array of wire records that decodes to the same records', () => {
    const records = [makeRecord(), makeRecord({ severity: 'error', traceId: 'c'.repeat(32) })];
    const body = encodeBatch(records);
    expect(JSON.parse(body.toString('utf8'))).toEqual(records.map(toWire));
    const items = parseJsonBody(body);
    if (!items.ok) throw new Error(items.error);
    expect(decodeRecords(items.value)).toEqual({ records, errors: [] });
  });
});

describe(parseJsonBody.name, () => {
  it('wraps a single object', () => {
    expect(parseJsonBody('{"message":"a"}')).toEqual({ ok: true, value: [{ message: 'a' }] });
  });

  it('returns the items of an array', () => {
    expect(parseJsonBody(Buffer.from('[{"message":"a"},2]'))).toEqual({
      ok: true,
      value: [{ message: 'a' }, 2],
    });
  });

  it('ignores a byte-order mark', () => {
    expect(parseJsonBody('\uFEFF{"message":"a"}')).toEqual({ ok: true, value: [{ message: 'a' }] });
  });

  it.each([['{"message":'], [''], ['not json']])(
    'refuses invalid JSON %j with the parser message',
    (body) => {
      expect(parseJsonBody(body)).toEqual({
        ok: false,
        error: expect.stringMatching(/^body is not valid JSON: .+/),
      });
    },
  );

  it.each([['42'], ['"text"'], ['null'], ['true']])('refuses JSON %s that is no object or array', (body) => {
    expect(parseJsonBody(body)).toEqual({
      ok: false,
      error: 'body must be a JSON object or an array of objects',
    });
  });
});

describe(parseNdjson.name, () => {
  it('reads one value per non-blank line, indexed among non-blank lines', () => {
    const body = '{"message":"a"}\n\n  \r\n{"message":"b"}\r\nnot json\n{"message":"c"}\n';
    expect(parseNdjson(Buffer.from(body))).toEqual({
      items: [
        { index: 0, value: { message: 'a' } },
        { index: 1, value: { message: 'b' } },
        { index: 3, value: { message: 'c' } },
      ],
      errors: [{ index: 2, error: expect.stringMatching(/^line is not valid JSON: .+/) }],
    });
  });

  it('reads an empty body as no items', () => {
    expect(parseNdjson('')).toEqual({ items: [], errors: [] });
  });
});
