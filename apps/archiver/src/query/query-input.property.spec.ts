import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { TokenSet } from '@logyard/auth';
import { LINEAR_TIME_RATIO, propertyRuns, timeGrowth } from '@logyard/testing';
import { decodeCursor, encodeCursor } from './cursor';
import { MAX_LIMIT, ParamError, QueryParams } from '@logyard/contracts';
import { parseFacetQuery, parseHistogramQuery, parseLogQuery } from './log-query.parser';
import { isReplyQueue, parseRpcRequest, RpcRequestMessage, vetRpcRequest } from './rpc-request';

/**
 * Property tests of every parser between an outsider and the archive: query
 * parameters (HTTP and RPC), RPC request vetting and cursors. Each either
 * accepts or returns its declared refusal (a field-naming 400), never throws,
 * and costs time linear in its input: 10× the input, at most LINEAR_TIME_RATIO× the time.
 */

const NOW = new Date('2026-11-24T12:00:00.000Z');
const DAY_MS = 86_400_000;
const NAMES = [
  'from',
  'to',
  'host',
  'service',
  'severity',
  'minSeverity',
  'q',
  'traceId',
  'limit',
  'cursor',
  'interval',
  'attr.region',
  'attr.',
  '__proto__',
  'constructor',
  'toString',
];
const VALUES = [
  'now',
  'now-15m',
  'now-99999999999999999999w',
  '2026-11-24T10:00:00Z',
  '1764000000000',
  '1e400',
  'error',
  'WARNING',
  '0',
  '1000',
  '1001',
  '-1',
  '4bf92f3577b34da6a3ce929d0e0e4736',
  'auto',
  '1d',
  '"a phrase" -not or',
  encodeCursor({ ts: '2026-11-24T10:00:00.000000Z', id: '0193a3b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b' }),
];

const text = fc.oneof(fc.constantFrom(...VALUES), fc.string({ unit: 'binary', maxLength: 80 }));
const value = fc.oneof(text, fc.array(text, { maxLength: 4 }));
const params: fc.Arbitrary<QueryParams> = fc.dictionary(
  fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 12 })),
  value,
  { maxKeys: 8 },
);

/** A refusal is the declared error value: the parameter at fault, and a message. */
function expectFieldError(error: ParamError, given: object): void {
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  expect([...Object.keys(given), ...NAMES, 'body']).toContain(error.field);
}

describe('query parameter parsers (property)', () => {
  const parsers = [
    ['parseLogQuery', (p: QueryParams) => parseLogQuery(p, NOW)],
    ['parseHistogramQuery', (p: QueryParams) => parseHistogramQuery(p, 31 * DAY_MS, NOW)],
    ['parseFacetQuery', (p: QueryParams) => parseFacetQuery(p, 31 * DAY_MS, NOW)],
  ] as const;

  it.each(parsers)('%s accepts or names the field at fault, and never throws', (_, parse) => {
    fc.assert(
      fc.property(params, (given) => {
        const result = parse(given);
        if (!result.ok) expectFieldError(result.error, given);
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  it('keeps every accepted limit within bounds', () => {
    fc.assert(
      fc.property(fc.string(), (limit) => {
        const result = parseLogQuery({ limit }, NOW);
        if (result.ok) expect(result.value.limit).toBeGreaterThanOrEqual(1);
        if (result.ok) expect(result.value.limit).toBeLessThanOrEqual(MAX_LIMIT);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it.each([
    ['a long run of digits in from', (n: number) => ({ from: `${'1'.repeat(n)}x` })],
    ['a long run of digits in a cursor', (n: number) => ({ cursor: `${'1'.repeat(n)}x` })],
    ['many hosts', (n: number) => ({ host: Array.from({ length: n / 10 }, (_, i) => `web-${i}`) })],
    ['many severities', (n: number) => ({ severity: Array.from({ length: n / 10 }, () => 'warning') })],
    ['a long full-text query', (n: number) => ({ q: '"a b" -c or '.repeat(n / 10) })],
  ])('takes linear time on %s', (_, build) => {
    for (const [, parse] of parsers) {
      expect(timeGrowth(build, parse, { size: 10_000 })).toBeLessThanOrEqual(LINEAR_TIME_RATIO);
    }
  });
});

describe('RPC request parser and vetting (property)', () => {
  const policy = { tokens: new TokenSet(['a-query-token-of-16+chars']), maxRequestBytes: 16 * 1024 };
  const replyTo = fc.oneof(
    fc.constantFrom(
      'amq.rabbitmq.reply-to',
      'amq.rabbitmq.reply-to.g1h2AA5yZXBseUAyNzk2NjAxMQAAAE8AAAAAZD2dYA==',
      'amq.gen-5iyQQxGNW1NstiksuH1wUw',
      'logyard.dead',
      'logyard.archive.error',
      'logyard.rpc',
      '',
    ),
    fc.string({ maxLength: 40 }),
  );
  const header = fc.oneof(
    fc.constantFrom('a-query-token-of-16+chars', 'wrong-token-of-16+chars'),
    fc.string(),
    fc.integer(),
    fc.uint8Array().map((bytes) => Buffer.from(bytes)),
  );
  const body = fc.oneof(
    params.map((p) => Buffer.from(JSON.stringify(p))),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  );
  const message: fc.Arbitrary<RpcRequestMessage> = fc.record({
    content: body,
    properties: fc.record(
      { replyTo, headers: fc.dictionary(fc.constantFrom('x-logyard-token', 'other'), header) },
      { requiredKeys: [] },
    ),
  });

  it('parseRpcRequest accepts an object of strings or names the field at fault, and never throws', () => {
    fc.assert(
      fc.property(body, (content) => {
        const result = parseRpcRequest(content);
        if (!result.ok) expect(typeof result.error.field).toBe('string');
        if (result.ok) {
          for (const param of Object.values(result.value)) {
            expect([param].flat().every((item) => typeof item === 'string')).toBe(true);
          }
        }
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  it('never replies to anything but a reply queue, and answers only a request with a query token', () => {
    fc.assert(
      fc.property(message, (request) => {
        const verdict = vetRpcRequest(request, policy);
        const { replyTo: to, headers } = request.properties;
        if (verdict.action !== 'dead-letter') expect(isReplyQueue(to ?? '')).toBe(true);
        if (!to || !to.startsWith('amq.')) expect(verdict.action).toBe('dead-letter');
        if (verdict.action === 'answer') {
          expect(policy.tokens.has(String(headers?.['x-logyard-token']))).toBe(true);
        }
        if (verdict.action === 'reply' && 'error' in verdict.reply) {
          expect([400, 401, 413]).toContain(verdict.reply.error.statusCode);
        }
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  it.each([
    // From 1,000 characters: from 10,000, each call's 100 KB strings measured 32–36× in two CI runs, the
    // lowest of five tries each, and 9× in a process of its own however loaded the machine.
    ['one long value', (n: number) => JSON.stringify({ q: 'x'.repeat(n) }), 1_000],
    ['deep nesting', (n: number) => `{"q":${'['.repeat(n / 10)}${']'.repeat(n / 10)}}`, 10_000],
    [
      'a long array of strings',
      (n: number) => JSON.stringify({ host: Array.from({ length: n / 10 }, () => 'h') }),
      10_000,
    ],
  ])('takes linear time on %s', (_, build, size) => {
    const open = { tokens: new TokenSet([]), maxRequestBytes: Infinity };
    const vet = (content: Buffer) => vetRpcRequest({ content, properties: { replyTo: 'amq.gen-x' } }, open);
    expect(timeGrowth((n) => Buffer.from(build(n)), vet, { size })).toBeLessThanOrEqual(LINEAR_TIME_RATIO);
  });

  // Objects of thousands of keys are V8's own superlinear ground (JSON.parse alone grows ~40× from 1,000 to
  // 10,000 keys), so for many parameters the bound is the size cap: what fits in it costs little.
  it('vets and parses a request of many parameters, as large as the cap allows, in little time', () => {
    const content = Buffer.from(JSON.stringify(attributes(800)));
    expect(content.length).toBeLessThanOrEqual(policy.maxRequestBytes);
    const headers = { 'x-logyard-token': 'a-query-token-of-16+chars' };
    const started = performance.now();
    const verdict = vetRpcRequest({ content, properties: { replyTo: 'amq.gen-x', headers } }, policy);
    expect(verdict.action).toBe('answer');
    if (verdict.action === 'answer') expect(parseLogQuery(verdict.params, NOW).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('cursor codec (property)', () => {
  const position = fc.record({
    ts: fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().replace('Z', '000Z')),
    id: fc.uuid(),
  });

  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(position, (p) => {
        expect(decodeCursor(encodeCursor(p))).toEqual({ ok: true, value: p });
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('refuses anything else with its one error, and never throws', () => {
    const forged = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')),
    );
    fc.assert(
      fc.property(forged, (cursor) => {
        const result = decodeCursor(cursor);
        if (!result.ok) expect(result.error).toBe('is not a cursor returned by this API');
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  it('takes linear time on a long forged cursor', () => {
    const forged = (n: number) =>
      Buffer.from(JSON.stringify([`${'1'.repeat(n)}x`, 'x'])).toString('base64url');
    expect(timeGrowth(forged, decodeCursor, { size: 10_000 })).toBeLessThanOrEqual(LINEAR_TIME_RATIO);
  });
});

function attributes(count: number): QueryParams {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`attr.k${i}`, `v${i}`]));
}
