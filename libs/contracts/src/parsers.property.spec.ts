import fc from 'fast-check';
import { LINEAR_TIME_RATIO, propertyRuns, timeGrowth } from '@logyard/testing';
import { forEachNdjsonLine, parseJsonBody, tryEncodeBatch } from './batch';
import { decodeJsonItems, MAX_RECORDS_PER_MESSAGE, SEPARATE_REJECTS } from './decoded-message';
import { utf8Text } from './json';
import { matchesPattern, validatePattern } from './pattern';
import { LogRecord, parseLogRecord, ParseOptions, toWire } from './record';
import { err, ok, Result } from './result';
import { parseRoutingKey, routingKey } from './routing';
import { parseSeverity, SEVERITIES, SeverityScale } from './severity';
import { isCanonicalTimestamp, parseTimestamp } from './timestamp';

const OPTIONS: ParseOptions = { observedTs: '2026-11-30T12:00:00.000000Z' };
const RUNS = propertyRuns(100);

const isResult = (value: Result<unknown>) =>
  (value.ok === true && 'value' in value) || (value.ok === false && typeof value.error === 'string');

/** Wire records as a Logyard hop sends them, plus the odd field a sender gets wrong. */
const wireLike = fc.record(
  {
    v: fc.constant(1),
    id: fc.oneof(fc.uuid({ version: 7 }), fc.uuid(), fc.string()),
    ts: fc.oneof(
      fc
        .date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
        .map((date) => date.toISOString().replace('Z', '123Z')),
      fc.string(),
      fc.integer(),
    ),
    observedTs: fc.constant('2026-11-30T11:00:00.000000Z'),
    host: fc.oneof(fc.string(), fc.constantFrom('web-1.prod', '')),
    service: fc.string(),
    severity: fc.oneof(fc.constantFrom(...SEVERITIES), fc.string(), fc.integer()),
    message: fc.oneof(fc.string(), fc.string({ unit: 'grapheme', minLength: 3_000, maxLength: 3_000 })),
    attributes: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
    traceId: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string()),
    spanId: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.string()),
  },
  { requiredKeys: ['v', 'id', 'ts', 'observedTs', 'host', 'service', 'severity', 'message', 'attributes'] },
);

describe(`${parseLogRecord.name} property`, () => {
  it('returns a result for any input and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), wireLike, fc.jsonValue()), (input) => {
        expect(isResult(parseLogRecord(input, OPTIONS))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives the same answer on the fast path for canonical records as on the full path', () => {
    fc.assert(
      fc.property(wireLike, fc.integer({ min: 1, max: 40_000 }), (wire, maxMessageBytes) => {
        const options = { ...OPTIONS, maxMessageBytes };
        // Without `v` the record takes the full path; `v: 1` offers it to the fast one.
        const unversioned: Record<string, unknown> = { ...wire };
        delete unversioned.v;
        expect(parseLogRecord(wire, options)).toEqual(parseLogRecord(unversioned, options));
      }),
      { numRuns: RUNS },
    );
  });

  // The invariant behind issue 11's finding 2: what the parser accepts, every later hop can write.
  it('accepts only records that encode within the attribute limits', () => {
    const limits = { maxAttributeDepth: 4, maxAttributesBytes: 200 };
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.anything({ maxDepth: 8 }), (attributes, extra) => {
        const parsed = parseLogRecord({ message: 'm', attributes, extra }, { ...OPTIONS, ...limits });
        if (!parsed.ok) return;
        const encoded = tryEncodeBatch([parsed.value]);
        expect(encoded.ok).toBe(true);
        expect(Buffer.byteLength(JSON.stringify(parsed.value.attributes))).toBeLessThanOrEqual(200);
      }),
      { numRuns: RUNS },
    );
  });

  it('is idempotent: a parsed record re-parses to itself', () => {
    fc.assert(
      fc.property(wireLike, (wire) => {
        const first = parseLogRecord(wire, OPTIONS);
        if (!first.ok) return;
        expect(parseLogRecord(toWire(first.value), OPTIONS)).toEqual(first);
        expect(parseLogRecord(JSON.parse(JSON.stringify(toWire(first.value))), OPTIONS)).toEqual(first);
      }),
      { numRuns: RUNS },
    );
  });

  // Sizes keep the larger input's run in milliseconds: large enough to time, small enough to stay in cache.
  const linear: [string, (n: number) => unknown, number][] = [
    [
      'deep attributes',
      (n) => JSON.parse(`{"message":"m","attributes":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
      20_000,
    ],
    [
      'deep arrays',
      (n) => JSON.parse(`{"message":"m","attributes":{"a":${'['.repeat(n)}${']'.repeat(n)}}}`),
      20_000,
    ],
    ['a long message', (n) => ({ message: 'é'.repeat(n) }), 40_000],
    ['a long timestamp', (n) => ({ message: 'm', ts: '0'.repeat(n) }), 20_000],
    ['a long severity', (n) => ({ message: 'm', severity: 'e'.repeat(n) }), 20_000],
    ['a long id', (n) => ({ message: 'm', id: 'a'.repeat(n) }), 20_000],
  ];
  it.each(linear)('costs linear time in %s', (_shape, makeInput, size) => {
    // A byte limit out of reach, so both sizes take the same path (no exact measure, no early refusal).
    const options = { ...OPTIONS, maxAttributesBytes: 2 ** 40 };
    expect(timeGrowth(makeInput, (input) => parseLogRecord(input, options), { size })).toBeLessThan(
      LINEAR_TIME_RATIO,
    );
  });
});

describe('body parsers property', () => {
  it('return results for any bytes and never throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.uint8Array().map((bytes) => Buffer.from(bytes)),
        ),
        (body) => {
          expect(isResult(parseJsonBody(body))).toBe(true);
          forEachNdjsonLine(body, (read) => expect(isResult(read())).toBe(true));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('read NDJSON as its non-blank lines, in order, each one parsed as a whole', () => {
    const unit = fc.constantFrom('1', '"', '{', '}', ' ', '\t', '\r', '\n', '\u00a0', '\ufeff');
    fc.assert(
      fc.property(fc.string({ unit }), (text) => {
        const read: unknown[] = [];
        forEachNdjsonLine(text, (line) => read.push(line()));
        const model = utf8Text(text)
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => parseNdjsonLineModel(line));
        expect(read).toEqual(model);
      }),
      { numRuns: RUNS },
    );
  });
});

function parseNdjsonLineModel(line: string): Result<unknown> {
  try {
    return ok(JSON.parse(line));
  } catch (error) {
    return err(`line is not valid JSON: ${(error as Error).message}`);
  }
}

describe(`${decodeJsonItems.name} property`, () => {
  function expectEveryItemAccountedFor(items: unknown[]): void {
    const sut = decodeJsonItems({ items, body: Buffer.from('[]') }, OPTIONS);
    const dead = sut.rejects.reduce((sum, reject) => sum + (reject.records ?? 1), 0);
    expect(sut.records.length + dead).toBe(items.length);
    expect(sut.records.length).toBeLessThanOrEqual(MAX_RECORDS_PER_MESSAGE);
    expect(sut.rejects.length).toBeLessThanOrEqual(SEPARATE_REJECTS + 2);
  }

  it('accounts for every item of a message once, as a record or in a dead letter', () => {
    const item = fc.oneof(wireLike, fc.record({ message: fc.string() }), fc.jsonValue());
    fc.assert(fc.property(fc.array(item, { maxLength: SEPARATE_REJECTS * 3 }), expectEveryItemAccountedFor), {
      numRuns: RUNS,
    });
  });

  it('reads at most MAX_RECORDS_PER_MESSAGE of a message, and still accounts for the rest', () => {
    // Valid records around the cap, with a few refused items anywhere among them.
    const valid = { message: 'x', host: 'h', service: 's', severity: 'info' };
    const messages = fc
      .integer({ min: MAX_RECORDS_PER_MESSAGE - 5, max: MAX_RECORDS_PER_MESSAGE + 50 })
      .chain((length) =>
        fc.tuple(
          fc.constant(length),
          fc.uniqueArray(fc.nat(length - 1), { maxLength: 20 }),
          fc.constantFrom<unknown>(1, null, {}),
        ),
      )
      .map(([length, refusedAt, refused]) => {
        const items: unknown[] = Array.from({ length }, () => valid);
        for (const index of refusedAt) items[index] = refused;
        return items;
      });
    fc.assert(fc.property(messages, expectEveryItemAccountedFor), { numRuns: Math.ceil(RUNS / 10) });
  });
});

describe(`${parseTimestamp.name} property`, () => {
  const timestampLike = fc.oneof(
    fc.anything(),
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.stringMatching(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/),
    fc.bigInt().map(String),
    fc.double(),
  );

  it('returns a canonical timestamp or an error for any input, and never throws', () => {
    fc.assert(
      fc.property(timestampLike, (input) => {
        const parsed = parseTimestamp(input);
        expect(isResult(parsed)).toBe(true);
        if (parsed.ok) {
          expect(isCanonicalTimestamp(parsed.value)).toBe(true);
          expect(parseTimestamp(parsed.value)).toEqual(parsed);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it.each<[string, (n: number) => string]>([
    ['digits', (n) => '1'.repeat(n)],
    // Not an integer, so it reaches the exponent pattern, whose backtracking was quadratic (5 s at 30,000).
    ['digits then junk', (n) => `${'1'.repeat(n)}x`],
    ['a long fraction', (n) => `2026-11-30T12:00:00.${'1'.repeat(n)}Z`],
    ['junk', (n) => '-:T.'.repeat(n)],
  ])('costs linear time in %s', (_shape, makeInput) => {
    expect(timeGrowth(makeInput, parseTimestamp, { size: 20_000 })).toBeLessThan(LINEAR_TIME_RATIO);
  });
});

describe(`${parseSeverity.name} property`, () => {
  it('returns one of the six severities or an error for any input and scale, and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.constantFrom(...SEVERITIES).map((s) => s.toUpperCase()),
          fc.integer({ min: -5, max: 70 }),
          // The names a lookup table inherits, which no random string finds.
          fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype)),
        ),
        fc.constantFrom<SeverityScale | undefined>(undefined, 'syslog', 'otel', 'pino'),
        (input, scale) => {
          const parsed = parseSeverity(input, scale);
          expect(isResult(parsed)).toBe(true);
          if (parsed.ok) expect(SEVERITIES).toContain(parsed.value);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('costs linear time in a long name', () => {
    expect(timeGrowth((n) => ' Warning'.repeat(n), parseSeverity, { size: 20_000 })).toBeLessThan(
      LINEAR_TIME_RATIO,
    );
  });
});

describe('routing keys and patterns property', () => {
  const record = fc.record({
    host: fc.string(),
    service: fc.string(),
    severity: fc.constantFrom(...SEVERITIES),
  });

  it('builds a valid three-word key from any record, which parses back', () => {
    fc.assert(
      fc.property(record, (sut: Pick<LogRecord, 'host' | 'service' | 'severity'>) => {
        const key = routingKey(sut);
        expect(key).toMatch(/^[a-z0-9_-]{1,63}\.[a-z0-9_-]{1,63}\.(trace|debug|info|warn|error|fatal)$/);
        expect(parseRoutingKey(key)).toEqual({
          ok: true,
          value: { host: key.split('.')[0], service: key.split('.')[1], severity: sut.severity },
        });
        expect(
          matchesPattern('#', key) &&
            matchesPattern('*.*.*', key) &&
            matchesPattern(`#.${sut.severity}`, key),
        ).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('parses any key and validates any pattern to a result, never throwing', () => {
    const wordy = fc.array(fc.oneof(fc.constantFrom('#', '*', 'error', 'web-1', 'ERR', ''), fc.string()), {
      maxLength: 20,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          wordy.map((words) => words.join('.')),
        ),
        fc.string(),
        (pattern, key) => {
          expect(isResult(parseRoutingKey(key))).toBe(true);
          const valid = validatePattern(pattern);
          expect(isResult(valid)).toBe(true);
          if (valid.ok) expect(typeof matchesPattern(valid.value, key)).toBe('boolean');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each<[string, (n: number) => string]>([
    ['a long key', (n) => 'a.'.repeat(n)],
    ['a long pattern', (n) => '#.'.repeat(n)],
  ])('costs linear time in %s', (_shape, makeInput) => {
    expect(
      timeGrowth(makeInput, (text) => [parseRoutingKey(text), validatePattern(text)], { size: 5_000 }),
    ).toBeLessThan(LINEAR_TIME_RATIO);
  });
});
