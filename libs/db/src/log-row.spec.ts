import { makeRecord } from '@logyard/contracts';
import { LOG_COLUMNS, toColumnArrays, toCopyText } from './log-row';

const ID = '019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';
const TS = '2026-11-24T10:00:00.123456Z';
const OBSERVED = '2026-11-24T10:00:01.000000Z';
const fields = (line: string) => line.split('\t');

describe(toCopyText.name, () => {
  const record = makeRecord({ id: ID, ts: TS, observedTs: OBSERVED, severity: 'error' });

  it('writes one tab-separated line per record, in LOG_COLUMNS order, with \\N for absent ids', () => {
    const text = toCopyText([record, { ...record, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }]);
    const [first, second, rest] = text.split('\n');
    expect(rest).toBe('');
    expect(fields(first)).toEqual([
      ID,
      TS,
      OBSERVED,
      'web-1.prod.example.com',
      'checkout',
      '17',
      'order placed',
      '{}',
      '\\N',
      '\\N',
    ]);
    expect(fields(first)).toHaveLength(LOG_COLUMNS.length);
    expect(fields(second).slice(8)).toEqual(['a'.repeat(32), 'b'.repeat(16)]);
  });

  it('escapes backslash, tab, newline and carriage return in every text column', () => {
    const awkward = 'a\\b\tc\nd\re \\N \\.';
    const [line] = toCopyText([{ ...record, host: awkward, service: awkward, message: awkward }]).split('\n');
    const escaped = 'a\\\\b\\tc\\nd\\re \\\\N \\\\.';
    expect(fields(line).slice(3, 7)).toEqual([escaped, escaped, '17', escaped]);
  });

  it('writes attributes as JSON whose own backslashes are escaped for COPY', () => {
    const [line] = toCopyText([
      { ...record, attributes: { path: 'C:\\logs', quote: 'say "hi"', n: 1 } },
    ]).split('\n');
    expect(fields(line)[7]).toBe('{"path":"C:\\\\\\\\logs","quote":"say \\\\"hi\\\\"","n":1}');
  });

  it('replaces NUL, which PostgreSQL text and jsonb cannot hold, with U+FFFD', () => {
    const [line] = toCopyText([
      { ...record, host: 'h\u0000', message: 'm\u0000x', attributes: { k: 'v\u0000' } },
    ]).split('\n');
    expect(fields(line)[3]).toBe('h\ufffd');
    expect(fields(line)[6]).toBe('m\ufffdx');
    expect(fields(line)[7]).toBe('{"k":"v\ufffd"}');
  });

  it('writes nothing for no records', () => {
    expect(toCopyText([])).toBe('');
  });
});

describe(toColumnArrays.name, () => {
  it('gives one array per column, nulls for absent ids and U+FFFD for NUL', () => {
    const record = makeRecord({ id: ID, ts: TS, observedTs: OBSERVED, message: 'a\u0000b' });
    expect(toColumnArrays([record])).toEqual([
      [ID],
      [TS],
      [OBSERVED],
      ['web-1.prod.example.com'],
      ['checkout'],
      [9],
      ['a\ufffdb'],
      ['{}'],
      [null],
      [null],
    ]);
  });
});
