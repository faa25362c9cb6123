import {
  formatEpochMicros,
  fromEpochNanos,
  isCanonicalTimestamp,
  nowIso,
  parseTimestamp,
  toEpochMicros,
} from './timestamp';

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe(parseTimestamp.name, () => {
  // Every form a source may send, and the canonical microsecond ISO string each one means.
  it.each<[string, unknown, string]>([
    ['ISO-8601', '2026-11-24T23:49:27.123456Z', '2026-11-24T23:49:27.123456Z'],
    ['ISO-8601', '2026-11-24T23:49:27Z', '2026-11-24T23:49:27.000000Z'],
    ['ISO-8601', '2026-11-24T23:49:27.1Z', '2026-11-24T23:49:27.100000Z'],
    ['ISO-8601', '2026-11-24t23:49:27.5z', '2026-11-24T23:49:27.500000Z'],
    ['ISO-8601', '2026-11-24T23:49:27.1234567Z', '2026-11-24T23:49:27.123456Z'],
    ['ISO-8601', '2026-11-24T23:49:27.123456789Z', '2026-11-24T23:49:27.123456Z'],
    ['ISO-8601', '2026-11-24T23:49:27,25Z', '2026-11-24T23:49:27.250000Z'],
    ['ISO-8601', '2026-11-24 23:49:27Z', '2026-11-24T23:49:27.000000Z'],
    ['ISO-8601', '2026-11-24T23:49Z', '2026-11-24T23:49:00.000000Z'],
    ['ISO-8601', '2026-11-24T23:49:27', '2026-11-24T23:49:27.000000Z'],
    ['ISO-8601', '2026-11-24 23:49:27.123', '2026-11-24T23:49:27.123000Z'],
    ['ISO-8601', '2026-11-24T23:49:27+01:00', '2026-11-24T22:49:27.000000Z'],
    ['ISO-8601', '2026-11-24T23:49:27.5-0530', '2026-11-25T05:19:27.500000Z'],
    ['ISO-8601', '2026-11-24T00:30:00+02', '2026-11-23T22:30:00.000000Z'],
    ['ISO-8601', '2026-11-24 23:49:27 +0000', '2026-11-24T23:49:27.000000Z'],
    ['ISO-8601', '2026-11-24', '2026-11-24T00:00:00.000000Z'],
    ['ISO-8601', '2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000000Z'],
    ['ISO-8601', '1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000000Z'],
    ['ISO-8601', '9999-12-31T23:59:59.999999999Z', '9999-12-31T23:59:59.999999Z'],
    ['ISO-8601', '  2026-11-24T23:49:27Z  ', '2026-11-24T23:49:27.000000Z'],
    ['epoch milliseconds', 1764028167123, '2025-11-24T23:49:27.123000Z'],
    ['epoch milliseconds', '1764028167123', '2025-11-24T23:49:27.123000Z'],
    ['epoch milliseconds', 1764028167123.456, '2025-11-24T23:49:27.123456Z'],
    ['epoch milliseconds', '1764028167123.4567', '2025-11-24T23:49:27.123456Z'],
    ['epoch milliseconds', 0, '1970-01-01T00:00:00.000000Z'],
    ['epoch milliseconds', '1.764028167123e12', '2025-11-24T23:49:27.123000Z'],
    ['epoch microseconds', 1764028167123456, '2025-11-24T23:49:27.123456Z'],
    ['epoch microseconds', '1764028167123456', '2025-11-24T23:49:27.123456Z'],
    ['epoch microseconds', 100_000_000_000_000, '1973-03-03T09:46:40.000000Z'],
    [
      'an epoch nanosecond string exactly to the microsecond',
      '1764028167123456789',
      '2025-11-24T23:49:27.123456Z',
    ],
    [
      'an epoch nanosecond string exactly to the microsecond',
      '1764028167000000999',
      '2025-11-24T23:49:27.000000Z',
    ],
    ['a bigint of nanoseconds', 1764028167123456789n, '2025-11-24T23:49:27.123456Z'],
    ['a Date', new Date('2026-11-24T23:49:27.123Z'), '2026-11-24T23:49:27.123000Z'],
  ])('reads %s %p', (_form, input, expected) => {
    expect(parseTimestamp(input)).toEqual({ ok: true, value: expected });
  });

  it('reads an epoch nanosecond number to the precision a double has', () => {
    // A double holds ns epochs only to about 256 ns.
    const parsed = parseTimestamp(Number('1764028167123456789'));
    expect(parsed).toEqual({ ok: true, value: expect.stringMatching(/^2025-11-24T23:49:27\.12345\dZ$/) });
  });

  it.each<[unknown]>([
    ['garbage'],
    [''],
    ['2026-13-01T00:00:00Z'],
    ['2026-02-30T00:00:00Z'],
    ['2025-02-29T00:00:00Z'],
    ['2026-11-24T24:00:00Z'],
    ['2026-11-24T23:60:00Z'],
    ['2026-11-24T23:49:27+25:00'],
    ['2026-11-24T23:49:27+01:'],
    ['26-11-24T23:49:27Z'],
    ['2026-11-24T23:49:27.Z'],
    ['Tue, 24 Nov 2026 23:49:27 GMT'],
    ['12abc'],
    [NaN],
    [Infinity],
    [-Infinity],
    [true],
    [null],
    [undefined],
    [{}],
    [[1764028167123]],
    [new Date(NaN)],
  ])('refuses %p', (input) => {
    const refused = parseTimestamp(input);
    expect(refused).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^ts .* is not a valid timestamp; use ISO-8601, epoch milliseconds or epoch nanoseconds$/,
      ),
    });
  });

  it.each<[unknown]>([
    ['1969-12-31T23:59:59.999999Z'],
    ['1970-01-01T00:30:00+01:00'],
    ['0070-01-01T00:00:00Z'],
    ['10000-01-01T00:00:00Z'],
    ['9999-12-31T23:30:00-01:00'],
    ['253402300800000000000'],
    [-1],
    ['-1764028167123'],
    [1e30],
    ['9999999999999999999999999'],
  ])('refuses %p, outside the years 1970..9999', (input) => {
    expect(parseTimestamp(input).ok).toBe(false);
  });

  it('quotes a string it refuses', () => {
    expect(parseTimestamp('soon')).toEqual({
      ok: false,
      error: 'ts "soon" is not a valid timestamp; use ISO-8601, epoch milliseconds or epoch nanoseconds',
    });
  });
});

describe('the canonical forms (what every hop re-reads)', () => {
  const CANONICAL = '2026-11-24T23:49:27.123456Z';

  it.each([
    ['2024-02-29T00:00:00.000000Z'],
    ['2000-02-29T12:00:00.000000Z'],
    ['1970-01-01T00:00:00.000000Z'],
    ['9999-12-31T23:59:59.999999Z'],
    [CANONICAL],
  ])('knows %s is canonical', (input) => {
    expect(isCanonicalTimestamp(input)).toBe(true);
    expect(parseTimestamp(input)).toEqual({ ok: true, value: input });
  });

  it('pads toISOString output to six fractional digits', () => {
    expect(parseTimestamp('2026-11-24T23:49:27.123Z')).toEqual({
      ok: true,
      value: '2026-11-24T23:49:27.123000Z',
    });
    expect(isCanonicalTimestamp('2026-11-24T23:49:27.123Z')).toBe(false);
  });

  it.each([
    ['2100-02-29T00:00:00.000000Z'],
    ['2026-02-29T00:00:00.000000Z'],
    ['2026-04-31T00:00:00.000000Z'],
    ['2026-00-10T00:00:00.000000Z'],
    ['2026-11-00T00:00:00.000000Z'],
    ['2026-11-24T24:00:00.000000Z'],
    ['2026-11-24T23:60:00.000000Z'],
    ['2026-11-24T23:59:60.000000Z'],
    ['1969-12-31T23:59:59.999999Z'],
  ])('refuses the impossible %s', (input) => {
    expect(isCanonicalTimestamp(input)).toBe(false);
    expect(parseTimestamp(input).ok).toBe(false);
  });

  it('refuses a canonical-looking string with any character out of place', () => {
    for (let i = 0; i < CANONICAL.length; i++) {
      const input = `${CANONICAL.slice(0, i)}x${CANONICAL.slice(i + 1)}`;
      expect([input, isCanonicalTimestamp(input), parseTimestamp(input).ok]).toEqual([input, false, false]);
    }
    expect(isCanonicalTimestamp(CANONICAL.toLowerCase())).toBe(false);
    expect(isCanonicalTimestamp(`${CANONICAL} `)).toBe(false);
  });
});

describe(formatEpochMicros.name, () => {
  it('writes six fractional digits', () => {
    expect(formatEpochMicros(1764028167000001n)).toBe('2025-11-24T23:49:27.000001Z');
    expect(formatEpochMicros(0n)).toBe('1970-01-01T00:00:00.000000Z');
  });
});

describe(toEpochMicros.name, () => {
  it('inverts formatEpochMicros', () => {
    for (const micros of [0n, 1n, 999_999n, 1764028167123456n, 253402300799999999n]) {
      expect(toEpochMicros(formatEpochMicros(micros))).toBe(micros);
    }
  });

  it('throws on a string that is not a timestamp', () => {
    expect(() => toEpochMicros('yesterday')).toThrow(RangeError);
  });
});

describe(nowIso.name, () => {
  it('is the current time in the canonical form', () => {
    const before = Date.now();
    const now = nowIso();
    expect(now).toMatch(CANONICAL);
    expect(now.endsWith('000Z')).toBe(true);
    expect(Date.parse(now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(now)).toBeLessThanOrEqual(Date.now());
  });
});

describe('parseTimestamp fast path', () => {
  it('keeps canonical strings and pads millisecond ISO strings', () => {
    expect(parseTimestamp('2026-11-24T23:49:27.123456Z')).toEqual({
      ok: true,
      value: '2026-11-24T23:49:27.123456Z',
    });
    expect(parseTimestamp('2026-11-24T23:49:27.123Z')).toEqual({
      ok: true,
      value: '2026-11-24T23:49:27.123000Z',
    });
  });

  it('still refuses impossible calendar dates and years before 1970 in canonical shape', () => {
    expect(parseTimestamp('2026-02-30T00:00:00.000000Z').ok).toBe(false);
    expect(parseTimestamp('2026-13-01T00:00:00.000Z').ok).toBe(false);
    expect(parseTimestamp('1969-12-31T23:59:59.999999Z').ok).toBe(false);
  });
});

describe(fromEpochNanos.name, () => {
  it('reads nanoseconds whatever the magnitude, keeping microseconds', () => {
    expect(fromEpochNanos(1764028167123456789n)).toBe('2025-11-24T23:49:27.123456Z');
    expect(fromEpochNanos(1_000n)).toBe('1970-01-01T00:00:00.000001Z');
  });

  it('refuses instants past the year 9999', () => {
    expect(fromEpochNanos(253402300800000000000n)).toBeUndefined();
  });

  it('reads a string of digits as the same count, leading zeros and all', () => {
    expect(fromEpochNanos('1764028167123456789')).toBe('2025-11-24T23:49:27.123456Z');
    expect(fromEpochNanos(`${'0'.repeat(100)}1764028167123456789`)).toBe('2025-11-24T23:49:27.123456Z');
    expect(fromEpochNanos('253402300800000000000')).toBeUndefined();
  });
});
