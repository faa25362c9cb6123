import fc from 'fast-check';
import { LINEAR_TIME_RATIO, lowestTimeRatio, propertyRuns } from '@logyard/testing';
import { compileTextHighlighter, compileTextQuery, TextWords } from './text-query';

describe(compileTextQuery.name, () => {
  const q = (query: string, message: string) => compileTextQuery(query)(new TextWords(message));

  it.each([
    ['timeout', 'Upstream TIMEOUT after 5s', true],
    ['timeout -retry', 'timeout, retry 3', false],
    ['timeout -retry', 'timeout, giving up', true],
    ['disk or memory', 'out of memory', true],
    ['disk full or memory', 'disk is ok', false],
    ['"a b c"', 'x a b a b c y', true],
    ['"a b c"', 'a b x c', false],
    ['foo-bar', 'the foo-bar module', true],
    ['-debug', 'an error', true],
    ['!!!', 'anything', false],
    ['"unterminated phrase', 'an unterminated phrase here', true],
    // As PostgreSQL: a hyphenated word is itself and its parts, each a position; `or` first or last is a word.
    ['"eu disk retry"', 'eu disk-retry', false],
    ['"disk retry"', 'eu disk-retry', true],
    ['disk-retry', 'eu disk-retry', true],
    ['or "payment failed"', 'payment failed', false],
    ['timeout or', 'timeout', false],
  ])('%s on %j is %s', (query, message, expected) => {
    expect(q(query, message)).toBe(expected);
  });

  it('property: compiles and matches any query on any message without throwing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.string({ maxLength: 300 }),
        (query, message) => {
          expect(typeof compileTextQuery(query)(new TextWords(message))).toBe('boolean');
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });

  it('property: a phrase found anywhere in a message always matches, whatever surrounds it', () => {
    const word = fc.stringMatching(/^[a-z0-9]{1,6}$/);
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 20 }),
        fc.array(word, { minLength: 1, maxLength: 5 }),
        fc.array(word, { maxLength: 20 }),
        (before, phrase, after) => {
          const message = [...before, ...phrase, ...after].join(' ');
          expect(q(`"${phrase.join(' ')}"`, message)).toBe(true);
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });

  it('reads a message of 200,000 hyphenated parts', () => {
    const words = new TextWords(`${'a-'.repeat(199_999)}a`);
    expect(words.list).toHaveLength(200_001);
    expect(compileTextQuery('"a a"')(words)).toBe(true);
  });

  it('takes linear time in a hostile phrase and message', () => {
    const run = (size: number) => {
      const matcher = compileTextQuery(`"${'a '.repeat(size)}b"`);
      const words = new TextWords('a '.repeat(size * 10));
      return () => matcher(words);
    };
    expect(lowestTimeRatio(run(500), run(5000))).toBeLessThan(LINEAR_TIME_RATIO);
  });

  it('takes linear time in a query of many phrases, each of them almost in the message', () => {
    const run = (size: number) => {
      // Every word of every phrase is in the message, never in the phrase's order: each is looked for.
      const phrases = Array.from({ length: size }, (_, i) => `z${i}.a`);
      const matcher = compileTextQuery(phrases.join(' or '));
      const words = new TextWords(
        `${'a '.repeat(size * 10)}${Array.from({ length: size }, (_, i) => `z${i}`).join(' ')}`,
      );
      return () => matcher(words);
    };
    expect(lowestTimeRatio(run(50), run(500))).toBeLessThan(LINEAR_TIME_RATIO);
  });
});

describe(compileTextHighlighter.name, () => {
  const marked = (query: string, text: string, length = text.length) =>
    compileTextHighlighter(query)(text, length).map(([start, end]) => text.slice(start, end));

  it('finds where the words and phrases of the query stand in the text, not the excluded ones', () => {
    expect(marked('Timeout "card declined" -retry', 'TIMEOUT: card, declined; retry')).toEqual([
      'TIMEOUT',
      'card, declined',
    ]);
    expect(marked('"disk retry" eu', 'eu disk-retry')).toEqual(['eu', 'disk-retry']);
  });

  it('lower-cases İ as PostgreSQL does, to i, and keeps every word where it stands', () => {
    expect(marked('istanbul', 'İİ x İstanbul')).toEqual(['İstanbul']);
    expect(marked('İSTANBUL ΟΔΟΣ', 'go to İstanbul, ΟΔΟΣ')).toEqual(['İstanbul', 'ΟΔΟΣ']);
  });

  it('reads the words that start within the length shown, each of them whole', () => {
    expect(marked('timeout', 'timeout timeouts timeout', 10)).toEqual(['timeout']);
    expect(marked('timeouts', 'timeout timeouts timeout', 10)).toEqual(['timeouts']);
    expect(marked('timeout', 'timeout timeouts timeout', 7)).toEqual(['timeout']);
  });
});

describe('İ in the full-text filter', () => {
  it('is i, as PostgreSQL lower-cases it', () => {
    expect(compileTextQuery('istanbul')(new TextWords('go to İstanbul'))).toBe(true);
    expect(compileTextQuery('ΟΔΟΣ.ΑΒ')(new TextWords('İ ΟΔΟΣ.ΑΒ'))).toBe(true);
  });
});
