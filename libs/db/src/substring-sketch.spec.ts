import fc from 'fast-check';
import { LINEAR_TIME_RATIO, propertyRuns, timeGrowth } from '@logyard/testing';
import { SKETCH_GRAM, sketchBits, sketchHours, sketchMessages, sketchProbe } from './substring-sketch';

/** What the SQL of buildSketchSpanQuery asks of a sketch: every probed bit is set. */
function mayContain(sketch: Buffer, probe: readonly number[]): boolean {
  const mask = sketch.length * 8 - 1;
  return probe.every((hash) => {
    const bit = hash & mask;
    return (sketch[bit >>> 3] & (1 << (bit & 7))) !== 0;
  });
}

/**
 * Characters PostgreSQL's ILIKE takes for `char` (it lower-cases both sides a character at a time, and glibc
 * lower-cases KELVIN SIGN to k and CAPITAL I WITH DOT ABOVE to i), plus the character itself.
 */
function ilikeTwins(char: string): string[] {
  const lower = char.toLowerCase();
  const twins = new Set([char]);
  if (lower.length === char.length) twins.add(lower);
  if (char.toUpperCase().length === char.length && char.toUpperCase().toLowerCase() === lower) {
    twins.add(char.toUpperCase());
  }
  if (lower === 'k') twins.add('\u212a');
  if (lower === 'i') twins.add('\u0130');
  if (char === '\u212a') twins.add('k').add('K');
  if (char === '\u0130') twins.add('i').add('I');
  return [...twins];
}

// Text with the characters that make case folding hard, beside plain ASCII and any UTF-16 code unit.
const hardChars = fc.constantFrom(
  'k',
  'K',
  '\u212a',
  'i',
  'I',
  '\u0130',
  '\u0131',
  'ſ',
  's',
  'S',
  'é',
  'É',
  '=',
);
const text = fc
  .array(
    fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 12 }), hardChars, fc.string({ unit: 'binary' })),
  )
  .map((parts) => parts.join(''));

describe('substring sketches', () => {
  it('property: never rule out a batch holding a message that ILIKE-matches the substring', () => {
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 5 }),
        text,
        fc.nat(),
        fc.nat(),
        fc.array(fc.nat()),
        (others, message, start, length, picks) => {
          const from = start % (message.length + 1);
          const matched = [...message.slice(from, from + (length % (message.length - from + 1)))];
          // The substring as a user may type it: each character any of its case twins.
          const substring = matched.map((char, i) => {
            const twins = ilikeTwins(char);
            return twins[(picks[i] ?? 0) % twins.length];
          });
          const sketch = sketchMessages([...others, message]);
          expect(mayContain(sketch, sketchProbe([substring.join('')]))).toBe(true);
        },
      ),
      { numRuns: propertyRuns(2_000) },
    );
  });

  it('needs every substring of a query in the batch', () => {
    const sketch = sketchMessages(['connection timeout to db-7', 'user=4f1c9a2b7e3d logged in']);
    expect(mayContain(sketch, sketchProbe(['TIMEOUT', 'USER=4F1C9A']))).toBe(true);
    expect(mayContain(sketch, sketchProbe(['timeout', 'deadlock detected']))).toBe(false);
  });

  it(`rules nothing out for a substring without ${SKETCH_GRAM} foldable characters in a row`, () => {
    expect(sketchProbe(['time'])).toEqual([]);
    expect(sketchProbe(['ab€cd', 'naïve'])).toEqual([]);
    expect(sketchProbe(['timeout'])).toHaveLength(3);
  });

  it('rules out nearly every batch without the substring, even of hex-heavy lines', () => {
    const random = lcg(7);
    const hex = (digits: number) =>
      Array.from({ length: digits }, () => (random() % 16).toString(16)).join('');
    const batch = Array.from({ length: 5_000 }, () => `checkout request user=${hex(16)} detail=${hex(64)}`);
    const sketch = sketchMessages(batch);
    let passed = 0;
    for (let trial = 0; trial < 1_000; trial++)
      if (mayContain(sketch, sketchProbe([`USER=${hex(12)}`]))) passed++;
    // 5,000 lines hold a third of the 16^5 hex 5-grams; a 12-digit id has 8 of them.
    expect(passed).toBeLessThan(10);
  });

  it('sizes a sketch to its batch: a power of two of about a bit per gram, 64 bytes to 1 MiB', () => {
    expect(sketchMessages([]).length).toBe(64);
    expect(sketchMessages(['x'.repeat(100_000)]).length).toBe(16_384);
    expect([8_192, 8_193, 1_000_000, 1 << 23, 1e9].map(sketchBits)).toEqual([
      8_192,
      16_384,
      1 << 20,
      1 << 23,
      1 << 23,
    ]);
  });

  it("sketches each UTC hour of a batch from that hour's messages alone", () => {
    const records = [
      { ts: '2026-01-15T01:00:00.000000Z', message: 'connection timeout to db-7' },
      { ts: '2026-01-15T03:10:00.000000Z', message: 'payment declined' },
      { ts: '2026-01-15T01:59:59.999999Z', message: 'retrying in 5s' },
    ];

    expect(JSON.parse(sketchHours(records))).toEqual({
      '2026-01-15T01': sketchMessages(['connection timeout to db-7', 'retrying in 5s']).toString('base64'),
      '2026-01-15T03': sketchMessages(['payment declined']).toString('base64'),
    });
  });

  it('keeps the sketches of a batch spread over many hours linear in its grams', () => {
    const random = lcg(11);
    const letters = (length: number) =>
      Array.from({ length }, () => String.fromCharCode(97 + (random() % 26))).join('');
    const hours = 200;
    const records = Array.from({ length: hours }, (_, hour) => ({
      ts: new Date(Date.UTC(2030, 0, 1, hour)).toISOString().replace('Z', '000Z'),
      message: letters(4_000),
    }));

    const sketches = Object.values(JSON.parse(sketchHours(records)) as Record<string, string>);

    expect(sketches).toHaveLength(hours);
    const bytes = sketches.reduce((sum, sketch) => sum + Buffer.from(sketch, 'base64').length, 0);
    // A bit per gram rounds up to at most two; one sketch of the whole batch per hour would be 26 MB.
    expect(bytes).toBeLessThanOrEqual((2 * hours * 4_000) / 8);
  });

  it('takes time linear in the text', () => {
    expect(timeGrowth((size) => ['ab'.repeat(size)], sketchMessages, { size: 2_000 })).toBeLessThan(
      LINEAR_TIME_RATIO,
    );
    expect(timeGrowth((size) => ['cd'.repeat(size)], sketchProbe, { size: 2_000 })).toBeLessThan(
      LINEAR_TIME_RATIO,
    );
  });
});

/** A seeded generator, so the false-positive count is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) >>> 24;
}
