import fc from 'fast-check';
import { SEVERITIES } from './severity';
import { matchesPattern, validatePattern } from './pattern';

describe(validatePattern.name, () => {
  it.each([
    ['*.*.error'],
    ['#.error'],
    ['#'],
    ['web-1.#'],
    ['web-1.checkout.fatal'],
    ['*.checkout.*'],
    ['#.checkout.#'],
    ['*.*.error.#'],
    ['*.#'],
    ['#.#.#'],
    ['*.error'],
    ['checkout.*'],
    ['error'],
    ['*'],
    ['*.*'],
    ['checkout.error'],
    ['checkout.#'],
  ])('accepts %j', (pattern) => {
    expect(validatePattern(pattern)).toEqual({ ok: true, value: pattern });
  });

  it('returns the pattern trimmed', () => {
    expect(validatePattern('  *.*.warn \n')).toEqual({ ok: true, value: '*.*.warn' });
  });

  it.each([
    ['a.b.c.d', 'error'],
    ['*.*.*.*', 'error'],
    ['x.y.z.fatal', 'fatal'],
    ['x.y.z.EMERG', 'fatal'],
  ])('refuses %j, which has more words than any routing key, with a hint', (pattern, severity) => {
    expect(validatePattern(pattern)).toEqual({
      ok: false,
      error:
        `pattern "${pattern}" can never match a routing key, which has at most three words ` +
        `(host.service.severity, service.severity or severity); ` +
        `did you mean '*.*.${severity}' or '#.${severity}'?`,
    });
  });

  it.each([
    ['warning', 'warn'],
    ['*.warning', '*.warn'],
    ['checkout.crit', 'checkout.fatal'],
  ])('refuses the alias in %j, suggesting %j', (pattern, suggestion) => {
    expect(validatePattern(pattern)).toEqual({
      ok: false,
      error: expect.stringContaining(`can never match there; did you mean '${suggestion}'?`),
    });
  });

  it.each([
    ['checkout', 'checkout.*'],
    ['web-1.checkout', 'web-1.checkout.*'],
  ])('refuses %j, which lacks a severity word, suggesting %j', (pattern, suggestion) => {
    expect(validatePattern(pattern)).toEqual({
      ok: false,
      error:
        `pattern "${pattern}": the last word of a routing key (host.service.severity, service.severity or ` +
        `severity) is a severity (trace, debug, info, warn, error or fatal), so "${pattern.split('.').at(-1)}" ` +
        `can never match there; did you mean '${suggestion}'?`,
    });
  });

  it('suggests the pattern without its empty word when that one can match', () => {
    expect(validatePattern('*..error')).toEqual({
      ok: false,
      error: `pattern "*..error" has an empty word; separate words with single dots, e.g. '*.error'; did you mean '*.error'?`,
    });
  });

  it.each([['a..b'], ['.a.b'], ['a.b.'], ['.']])('refuses %j, which has an empty word', (pattern) => {
    expect(validatePattern(pattern)).toEqual({
      ok: false,
      error: expect.stringContaining('has an empty word'),
    });
  });

  it.each([[''], ['   ']])('refuses the empty pattern %j', (pattern) => {
    expect(validatePattern(pattern)).toEqual({
      ok: false,
      error: expect.stringContaining('pattern is empty'),
    });
  });

  it('refuses an alias in the severity position, suggesting the canonical name', () => {
    expect(validatePattern('*.*.err')).toEqual({
      ok: false,
      error: expect.stringMatching(/"err" can never match there; did you mean '\*\.\*\.error'\?$/),
    });
  });

  it('refuses an alias that # forces into the severity position', () => {
    expect(validatePattern('#.warning')).toEqual({
      ok: false,
      error: expect.stringContaining(`did you mean '#.warn'?`),
    });
  });

  it('refuses a word that is no severity in the severity position, without a guess', () => {
    const refused = validatePattern('*.*.loud');
    expect(refused).toEqual({ ok: false, error: expect.stringContaining('"loud" can never match') });
    expect(refused).not.toEqual({ ok: false, error: expect.stringContaining('did you mean') });
  });

  it('refuses upper case, suggesting the lower case', () => {
    expect(validatePattern('*.*.ERROR')).toEqual({
      ok: false,
      error: `pattern "*.*.ERROR": routing keys are lower-case, so "ERROR" can never match; did you mean '*.*.error'?`,
    });
    expect(validatePattern('Web-1.#')).toEqual({
      ok: false,
      error: expect.stringContaining(`did you mean 'web-1.#'?`),
    });
  });

  it('suggests one pattern that fixes both case and alias', () => {
    expect(validatePattern('*.*.ERR')).toEqual({
      ok: false,
      error: expect.stringContaining(`did you mean '*.*.error'?`),
    });
  });

  it.each([['web*.#'], ['my host.#'], ['café.#'], ['a+b.#']])(
    'refuses %j, whose literal word holds characters a routing token never has',
    (pattern) => {
      expect(validatePattern(pattern)).toEqual({
        ok: false,
        error: expect.stringContaining('can never match a routing key word'),
      });
    },
  );

  it('refuses a literal word longer than a routing token', () => {
    expect(validatePattern(`${'a'.repeat(64)}.#`)).toEqual({
      ok: false,
      error: expect.stringContaining('at most 63 characters'),
    });
  });

  it('refuses a pattern longer than an AMQP binding key', () => {
    expect(validatePattern(`${'#.'.repeat(128)}#`)).toEqual({
      ok: false,
      error: expect.stringContaining('longer than 255 bytes'),
    });
  });

  it('stays fast on long runs of #', () => {
    expect(validatePattern(`${'#.'.repeat(100)}x`).ok).toBe(false);
  });
});

describe(matchesPattern.name, () => {
  it.each([
    ['*.*.error', 'web-1.checkout.error', true],
    ['*.*.error', 'web-1.checkout.warn', false],
    ['#.error', 'web-1.checkout.error', true],
    ['#', 'web-1.checkout.error', true],
    ['web-1.#', 'web-1.checkout.error', true],
    ['web-1.#', 'web-2.checkout.error', false],
    ['#.checkout.#', 'web-1.checkout.info', true],
    ['*.error', 'web-1.checkout.error', false],
    ['*.error', 'checkout.error', true],
    ['checkout.*', 'checkout.warn', true],
    ['checkout.*', 'web-1.checkout.warn', false],
    ['*.*.error.#', 'web-1.checkout.error', true],
  ])('%j against %j is %p', (pattern, key, expected) => {
    expect(matchesPattern(pattern, key)).toBe(expected);
  });
});

describe('validatePattern against the keys records are routed under', () => {
  // Every literal a generated pattern may hold, plus one word none holds: enough keys to witness any match.
  const TOKENS = ['checkout', 'web-1', 'error', 'warn', 'warning', 'fatal', 'other'];
  const KEYS = SEVERITIES.flatMap((severity) => [
    severity,
    ...TOKENS.map((service) => `${service}.${severity}`),
    ...TOKENS.flatMap((host) => TOKENS.map((service) => `${host}.${service}.${severity}`)),
  ]);
  const pattern = fc
    .array(fc.constantFrom('*', '#', 'checkout', 'web-1', 'error', 'warn', 'warning', 'fatal', ''), {
      minLength: 1,
      maxLength: 5,
    })
    .map((words) => words.join('.'));

  it('accepts exactly the patterns that match some 1-, 2- or 3-word key', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        expect(validatePattern(p).ok).toBe(KEYS.some((key) => matchesPattern(p, key)));
      }),
      { numRuns: 2000 },
    );
  });
});
