import { decodeRecords, encodeBatch, forEachNdjsonLine, parseJsonBody } from './batch';
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

describe(forEachNdjsonLine.name, () => {
  function lines(body: Buffer | string): [number, unknown][] {
    const read: [number, unknown][] = [];
    forEachNdjsonLine(body, (line, index) => read.push([index, line()]));
    return read;
  }

  it('reads one value per non-blank line, indexed among non-blank lines', () => {
    const body = '{"message":"a"}\n\n  \r\n{"message":"b"}\r\nnot json\n{"message":"c"}\n \t';
    expect(lines(Buffer.from(body))).toEqual([
      [0, { ok: true, value: { message: 'a' } }],
      [1, { ok: true, value: { message: 'b' } }],
      [2, { ok: false, error: expect.stringMatching(/^line is not valid JSON: .+/) }],
      [3, { ok: true, value: { message: 'c' } }],
    ]);
  });

  it('reads an empty body, or one of blank lines, as no lines', () => {
    expect(lines('')).toEqual([]);
    expect(lines('\n \r\n\t\n')).toEqual([]);
  });

  it('parses only the lines that are read', () => {
    const parse = jest.spyOn(JSON, 'parse');
    let count = 0;
    forEachNdjsonLine('{}\n'.repeat(1000), () => count++);
    expect([count, parse.mock.calls.length]).toEqual([1000, 0]);
    parse.mockRestore();
  });
});
