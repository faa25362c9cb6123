import fc from 'fast-check';
import { propertyRuns } from '@logyard/testing';
import { jsonbText, storableText } from './jsonb-text';

/** Any UTF-16 code unit, so strings hold NUL and lone surrogates as a hostile JSON body can. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) });
const values = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    codeUnits,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(codeUnits, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Every string and key of a parsed JSON value. */
function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsOf(item);
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* stringsOf(item);
    }
}

/** No NUL and no surrogate alone: iterating by code point leaves a lone surrogate as a one-unit string. */
const storable = (text: string) =>
  [...text].every((c) => c !== '\u0000' && !(c.length === 1 && c >= '\ud800' && c <= '\udfff'));

describe(jsonbText.name, () => {
  it('writes NUL and lone surrogates, in keys and values, as U+FFFD', () => {
    expect(jsonbText({ 'k\u0000': ['v\ud800', 'ok \ud83d\ude80', 'x\udc00y'] })).toBe(
      '{"k\ufffd":["v\ufffd","ok \ud83d\ude80","x\ufffdy"]}',
    );
  });

  it('leaves JSON that needs nothing as JSON.stringify writes it, an escaped backslash included', () => {
    const value = { path: 'C:\\u0000\\d800', n: 1 };
    expect(jsonbText(value)).toBe(JSON.stringify(value));
  });

  it('property: writes only strings jsonb accepts, and changes nothing else', () => {
    fc.assert(
      fc.property(values, (value) => {
        const written = JSON.parse(jsonbText(value)) as unknown;
        expect([...stringsOf(written)].every(storable)).toBe(true);
        expect(written).toEqual(JSON.parse(JSON.stringify(value, (_k, v: unknown) => clean(v))));
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});

describe(storableText.name, () => {
  it('keeps surrogate pairs and replaces what is alone', () => {
    expect(storableText('\ud800\ud83d\ude80\udc00\u0000')).toBe('\ufffd\ud83d\ude80\ufffd\ufffd');
  });
});

/** The expected cleaning, written independently of the module's. */
function clean(value: unknown): unknown {
  if (typeof value === 'string') return [...value].map((c) => (storable(c) ? c : '\ufffd')).join('');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), v]));
}
