import { DEFAULT_ATTRIBUTE_LIMITS, exceededAttributeLimit } from './attribute-limits';
import { parseJsonBody } from './batch';
import { parseLogRecord, toWire } from './record';
import { makeRecord } from './record.factory';

/** `{"a":{"a":…1}}` with `depth` levels of objects, parsed by JSON.parse as a sender's body would be. */
function nested(depth: number): Record<string, unknown> {
  return JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as Record<string, unknown>;
}

describe(exceededAttributeLimit.name, () => {
  const limits = { maxAttributeDepth: 4, maxAttributesBytes: 100 };

  it('counts the attributes object as the first level', () => {
    expect(exceededAttributeLimit(nested(4), limits)).toBeUndefined();
    expect(exceededAttributeLimit(nested(5), limits)).toBe('attributes: nested deeper than 4 levels');
  });

  it('counts arrays as levels too', () => {
    expect(exceededAttributeLimit({ a: [[[[1]]]] }, limits)).toBe('attributes: nested deeper than 4 levels');
  });

  it('refuses nesting far beyond what a recursive walk survives, in linear time', () => {
    expect(exceededAttributeLimit(nested(1_000_000), DEFAULT_ATTRIBUTE_LIMITS)).toBe(
      'attributes: nested deeper than 32 levels',
    );
  });

  it('measures the serialised size in UTF-8 bytes, exactly at the limit', () => {
    const exactly = { k: 'x'.repeat(100 - '{"k":""}'.length) };
    expect(Buffer.byteLength(JSON.stringify(exactly))).toBe(100);
    expect(exceededAttributeLimit(exactly, limits)).toBeUndefined();
    expect(exceededAttributeLimit({ k: `${exactly.k}x` }, limits)).toBe(
      'attributes: larger than 100 bytes as JSON',
    );
    expect(exceededAttributeLimit({ k: 'é'.repeat(47) }, limits)).toBe(
      'attributes: larger than 100 bytes as JSON',
    );
  });

  it('stops at the byte limit however often one object is referenced', () => {
    let shared: unknown = 'x';
    for (let level = 0; level < 30; level++) shared = { left: shared, right: shared }; // 2^30 paths
    const started = Date.now();
    expect(exceededAttributeLimit({ shared }, DEFAULT_ATTRIBUTE_LIMITS)).toBe(
      'attributes: larger than 65536 bytes as JSON',
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses a cycle as too deep instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(exceededAttributeLimit(cyclic, DEFAULT_ATTRIBUTE_LIMITS)).toBe(
      'attributes: nested deeper than 32 levels',
    );
  });

  it('refuses what JSON cannot write, and sizes toJSON values as JSON.stringify does', () => {
    expect(exceededAttributeLimit({ n: 1n }, limits)).toBe(
      'attributes: cannot be serialised as JSON (a BigInt)',
    );
    expect(exceededAttributeLimit({ at: new Date(0) }, limits)).toBeUndefined();
    expect(exceededAttributeLimit({ bytes: Buffer.alloc(100) }, limits)).toBe(
      'attributes: larger than 100 bytes as JSON',
    );
  });
});

describe(`${parseLogRecord.name} attribute limits`, () => {
  it.each([
    ['the full path', { message: 'm', attributes: nested(33) }],
    ['an unknown top-level field', { message: 'm', extra: nested(32) }],
    ['the canonical fast path', toWire(makeRecord({ attributes: nested(33) }))],
  ])('refuses nesting past 32 levels through %s', (_path, input) => {
    expect(parseLogRecord(input)).toEqual({ ok: false, error: 'attributes: nested deeper than 32 levels' });
  });

  it('keeps a record at exactly 32 levels', () => {
    expect(parseLogRecord({ message: 'm', attributes: nested(32) }).ok).toBe(true);
  });

  it('refuses attributes over 64 KiB as JSON, on both paths', () => {
    const big = { blob: 'x'.repeat(64 * 1024) };
    const error = 'attributes: larger than 65536 bytes as JSON';
    expect(parseLogRecord({ message: 'm', attributes: big })).toEqual({ ok: false, error });
    expect(parseLogRecord(toWire(makeRecord({ attributes: big })))).toEqual({ ok: false, error });
  });

  it('takes the limits from the options', () => {
    const options = { maxAttributeDepth: 2, maxAttributesBytes: 20 };
    expect(parseLogRecord({ message: 'm', attributes: { a: { b: 1 } } }, options).ok).toBe(true);
    expect(parseLogRecord({ message: 'm', attributes: { a: { b: {} } } }, options)).toEqual({
      ok: false,
      error: 'attributes: nested deeper than 2 levels',
    });
    expect(parseLogRecord({ message: 'm', attributes: { a: 'x'.repeat(20) } }, options)).toEqual({
      ok: false,
      error: 'attributes: larger than 20 bytes as JSON',
    });
  });

  // Finding 2 of issue 11: such a record used to parse, then made JSON.stringify throw in every publisher.
  it('refuses the 20,000-deep record of finding 2 as that record’s error', () => {
    const body = `[{"message":"m","attributes":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}]`;
    const items = parseJsonBody(body);
    expect(items.ok && parseLogRecord(items.value[0])).toEqual({
      ok: false,
      error: 'attributes: nested deeper than 32 levels',
    });
  });
});
