import fc from 'fast-check';
import { propertyRuns, timeGrowth } from '@logyard/testing';
import { badParamError, refusalOf } from './query-api';
import { facetsRequest, logQueryRequest, parseRequest, QueryParams, rpcRequest } from './query-request';

describe('logQueryRequest', () => {
  it('types what it accepts: lists for repeatable parameters, canonical severities, a number limit', () => {
    expect(
      parseRequest(logQueryRequest, { host: 'web-1', severity: ['WARNING', 'warn', 'err'], limit: '10' }),
    ).toEqual({
      ok: true,
      value: { host: ['web-1'], severity: ['warn', 'error'], limit: 10, attributes: {} },
    });
  });

  it('keeps relative times relative: the clock is read by whoever runs the query', () => {
    expect(parseRequest(logQueryRequest, { from: 'now-15m', to: '2026-11-24T12:00:00Z' })).toMatchObject({
      ok: true,
      value: { from: { beforeNowMs: 900_000 }, to: { ts: '2026-11-24T12:00:00.000000Z' } },
    });
  });

  it('names the parameter at fault, and refuses an unknown name before reading any value', () => {
    expect(parseRequest(logQueryRequest, { limit: ['1', '2'] })).toEqual({
      ok: false,
      error: { field: 'limit', message: 'may be given only once' },
    });
    expect(parseRequest(logQueryRequest, { limit: 'x', sevrity: 'error' })).toMatchObject({
      ok: false,
      error: { field: 'sevrity', message: expect.stringMatching(/^unknown parameter; use one of from, to/) },
    });
  });

  it('collects attr.<key> filters by key, __proto__ included', () => {
    expect(parseRequest(logQueryRequest, { 'attr.region': 'eu', 'attr.__proto__': 'x' })).toMatchObject({
      ok: true,
      value: { attributes: { region: 'eu', ['__proto__']: 'x' } },
    });
  });
});

describe('facetsRequest', () => {
  it('reads field=attr.<key> as the key', () => {
    expect(parseRequest(facetsRequest, { field: 'attr.region' })).toMatchObject({
      ok: true,
      value: { field: 'region' },
    });
  });
});

describe('rpcRequest', () => {
  it('accepts an object of strings and lists of strings, naming a parameter of any other kind', () => {
    expect(parseRequest(rpcRequest, { service: 'shop', severity: ['warn'] }).ok).toBe(true);
    expect(parseRequest(rpcRequest, { limit: 5 })).toEqual({
      ok: false,
      error: { field: 'limit', message: 'must be a string or an array of strings' },
    });
    expect(parseRequest(rpcRequest, ['service'])).toMatchObject({ ok: false, error: { field: 'body' } });
  });
});

describe(parseRequest.name, () => {
  it.each([
    [{ q: 'a\u0000b' }, 'q'],
    [{ service: ['shop', 'x\u0000'] }, 'service'],
    [{ 'attr.re\u0000gion': 'eu' }, 'attr.re\u0000gion'],
    ['\u0000', 'body'],
    [{ q: 'a\ud800b' }, 'q'],
    [{ 'attr.k': 'v\udc00' }, 'attr.k'],
    [{ 'attr.\udbff': 'v' }, 'attr.\udbff'],
  ])(
    'refuses NUL or an unpaired surrogate anywhere in %j, naming %j, before the schema reads it',
    (input, field) => {
      expect(parseRequest(logQueryRequest, input)).toEqual({
        ok: false,
        error: { field, message: expect.stringContaining('NUL (U+0000) or an unpaired UTF-16 surrogate') },
      });
    },
  );

  it('takes a surrogate pair as the character it is', () => {
    expect(parseRequest(logQueryRequest, { q: 'card 💳' })).toMatchObject({ ok: true });
  });
});

describe(refusalOf.name, () => {
  it('reads the one envelope from an HTTP body and from an RPC reply alike', () => {
    const envelope = badParamError('limit', 'must be an integer from 1 to 1000');
    expect(refusalOf({ ...envelope, error: 'Bad Request' })).toEqual(envelope);
    expect(refusalOf({ error: envelope })).toEqual(envelope);
    expect(refusalOf({ items: [], nextCursor: null })).toBeUndefined();
  });
});

describe('request schemas (property)', () => {
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.array(fc.string({ maxLength: 20 }), { maxLength: 4 }),
    fc.anything(),
  );
  const params = fc.dictionary(
    fc.oneof(
      fc.constantFrom('from', 'limit', 'severity', 'attr.a', 'attr.', 'field', '__proto__'),
      fc.string(),
    ),
    value,
    { maxKeys: 6 },
  );

  it.each([
    ['logQueryRequest', logQueryRequest],
    ['facetsRequest', facetsRequest],
    ['rpcRequest', rpcRequest],
  ] as const)('%s accepts or names a parameter it was given (or body), and never throws', (_, schema) => {
    fc.assert(
      fc.property(fc.oneof(params, fc.anything()), (given) => {
        const result = parseRequest(schema, given);
        if (!result.ok) {
          const names = typeof given === 'object' && given !== null ? Object.keys(given) : [];
          expect([...names, 'body', 'minSeverity']).toContain(result.error.field);
          expect(result.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it.each<[string, (n: number) => QueryParams]>([
    [
      'many parameters',
      (n: number) => Object.fromEntries(Array.from({ length: n / 10 }, (_, i) => [`attr.k${i}`, 'v'])),
    ],
    ['many values', (n: number) => ({ host: Array.from({ length: n / 10 }, (_, i) => `web-${i}`) })],
    ['a long value', (n: number) => ({ q: 'a'.repeat(n) })],
  ])('takes linear time on %s', (_, build) => {
    expect(
      timeGrowth(build, (given) => parseRequest(logQueryRequest, given), { size: 10_000 }),
    ).toBeLessThanOrEqual(20);
  });
});
