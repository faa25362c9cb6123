import fc from 'fast-check';
import { propertyRuns, timeGrowth } from '@logyard/testing';
import { validatePattern } from './pattern';
import { MAX_TAIL_PATTERNS } from './query-limits';
import { parseRequest, QueryParams, tailRequest } from './query-request';

const parseTailQuery = (params: QueryParams) => {
  const parsed = parseRequest(tailRequest, params);
  return parsed.ok ? { ok: true as const, value: parsed.value.pattern } : parsed;
};

const word = fc.oneof(
  fc.constantFrom('*', '#', 'error', 'ERROR', 'web-1', 'web_1', '', 'a b', '**', '#.#'),
  fc.string({ unit: fc.constantFrom(...'az09_-*#. \t\u0000é') }),
);
const pattern = fc.oneof(
  fc.array(word, { minLength: 1, maxLength: 5 }).map((words) => words.join('.')),
  fc.string({ unit: 'binary', maxLength: 300 }),
);
const params: fc.Arbitrary<QueryParams> = fc.dictionary(
  fc.oneof(fc.constant('pattern'), fc.constantFrom('patern', '__proto__', 'x'), fc.string({ maxLength: 8 })),
  fc.oneof(pattern, fc.array(pattern, { maxLength: 40 })),
  { maxKeys: 3 },
);

describe('tailRequest (property)', () => {
  it('accepts only patterns validatePattern accepts, at most 32, or names the field at fault; never throws', () => {
    fc.assert(
      fc.property(params, (given) => {
        const result = parseTailQuery(given);
        if (result.ok) {
          expect(result.value.length).toBeGreaterThan(0);
          expect(result.value.length).toBeLessThanOrEqual(MAX_TAIL_PATTERNS);
          for (const accepted of result.value)
            expect(validatePattern(accepted)).toEqual({ ok: true, value: accepted });
        } else {
          expect(['pattern', ...Object.keys(given)]).toContain(result.error.field);
          expect(result.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  it.each([
    ['one long pattern', (n: number) => ({ pattern: `${'*.'.repeat(n / 2)}error` })],
    ['a long pattern of one word', (n: number) => ({ pattern: 'a'.repeat(n) })],
    ['many patterns', (n: number) => ({ pattern: Array.from({ length: n / 10 }, () => '*.*.error') })],
    ['a long unknown parameter name', (n: number) => ({ [`p${'a'.repeat(n)}`]: '#' })],
  ])('takes linear time on %s', (_, build) => {
    expect(timeGrowth(build, parseTailQuery, { size: 10_000 })).toBeLessThanOrEqual(20);
  });
});
