import { MAX_TAIL_PATTERNS } from './query-limits';
import { parseRequest, QueryParams, tailRequest } from './query-request';

const parseTailQuery = (params: QueryParams) => {
  const parsed = parseRequest(tailRequest, params);
  return parsed.ok ? { ok: true, value: parsed.value.pattern } : parsed;
};

describe('tailRequest', () => {
  it('accepts one pattern or several, trimmed and without repeats', () => {
    expect(parseTailQuery({ pattern: '*.*.error' })).toEqual({ ok: true, value: ['*.*.error'] });
    expect(parseTailQuery({ pattern: ['*.error', 'checkout.*'] })).toEqual({
      ok: true,
      value: ['*.error', 'checkout.*'],
    });
    expect(parseTailQuery({ pattern: ['*.*.error', ' web-1.# ', 'web-1.#'] })).toEqual({
      ok: true,
      value: ['*.*.error', 'web-1.#'],
    });
  });

  it("refuses a pattern that can never match with validatePattern's hint", () => {
    expect(parseTailQuery({ pattern: ['#', '*..error'] })).toEqual({
      ok: false,
      error: {
        field: 'pattern',
        message:
          `pattern "*..error" has an empty word; separate words with single dots, e.g. '*.error'; ` +
          `did you mean '*.error'?`,
      },
    });
  });

  it('requires a pattern', () => {
    expect(parseTailQuery({})).toMatchObject({ ok: false, error: { field: 'pattern' } });
    expect(parseTailQuery({ pattern: [] })).toMatchObject({ ok: false, error: { field: 'pattern' } });
  });

  it('refuses unknown parameters rather than ignoring them', () => {
    expect(parseTailQuery({ patern: '*.*.error' })).toEqual({
      ok: false,
      error: { field: 'patern', message: 'patern: unknown parameter; use pattern' },
    });
  });

  it(`refuses more than ${MAX_TAIL_PATTERNS} patterns`, () => {
    const patterns = Array.from({ length: MAX_TAIL_PATTERNS + 1 }, (_, i) => `host-${i}.#`);
    expect(parseTailQuery({ pattern: patterns })).toMatchObject({ ok: false, error: { field: 'pattern' } });
    expect(parseTailQuery({ pattern: patterns.slice(1) })).toMatchObject({ ok: true });
  });
});
