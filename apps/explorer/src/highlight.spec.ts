import fc from 'fast-check';
import { LINEAR_TIME_RATIO, lowestTimeRatio, propertyRuns } from '@logyard/testing/client';
import { compileHighlighter } from './highlight';

const marked = (text: string, q: string, contains: string[] = []) =>
  compileHighlighter(q, contains)(text, text.length)
    .filter((segment) => segment.match)
    .map((segment) => segment.text);

describe(compileHighlighter.name, () => {
  it('marks the positive terms of web-search syntax, not the excluded ones', () => {
    expect(
      marked('payment: card declined, refund, timeout', 'payment "card declined" -refund or timeout'),
    ).toEqual(['payment', 'card declined', 'timeout']);
    expect(marked('not this; an unclosed phrase', '-"not this" "unclosed phrase')).toEqual([
      'unclosed phrase',
    ]);
    expect(marked('anything', '   ')).toEqual([]);
  });

  it('marks whole words in any case, as the simple text search configuration matches them', () => {
    expect(marked('Timeout: ConnectTimeoutException after timeout', 'timeout')).toEqual([
      'Timeout',
      'timeout',
    ]);
    expect(marked('Zürich café closed', 'café')).toEqual(['café']);
  });

  it('marks a phrase across any punctuation between its words, and a hyphenated word whole', () => {
    expect(marked('card declined; card: declined; card accepted', '"card declined"')).toEqual([
      'card declined',
      'card: declined',
    ]);
    expect(marked('eu disk-retry failed', 'disk-retry')).toEqual(['disk-retry']);
    expect(marked('eu disk-retry failed', '"disk retry"')).toEqual(['disk-retry']);
  });

  it('keeps every character of the text, merging overlapping marks', () => {
    expect(compileHighlighter('"payment declined" declined', [])('a payment declined', 18)).toEqual([
      { text: 'a ', match: false },
      { text: 'payment declined', match: true },
    ]);
    expect(compileHighlighter('x', [])('', 0)).toEqual([{ text: '', match: false }]);
    expect(marked('ababa', '', ['aba'])).toEqual(['ababa']);
  });

  it('marks substrings anywhere, in any case, beside whole words', () => {
    expect(marked('ConnectTimeoutException: timeout', 'exception', ['TIMEOUT'])).toEqual([
      'Timeout',
      'timeout',
    ]);
    expect(marked('50% done', '', ['0%'])).toEqual(['0%']);
    // İ is i, as ILIKE reads it, and the marks fall on the text's own characters.
    expect(marked('İİ x İstanbul', '', ['stan'])).toEqual(['stan']);
    expect(marked('axİb', '', ['XI'])).toEqual(['xİ']);
  });

  it('treats regular-expression characters in a term as text', () => {
    expect(marked('cost (usd) is 1.5', '(usd) 1.5')).toEqual(['usd', '1.5']);
    expect(marked('a+b', '.*', ['.*'])).toEqual([]);
  });

  it('cuts the text at the length asked for, and leaves marks past the hundredth unmarked', () => {
    expect(compileHighlighter('timeout', [])('timeout then timeout', 10)).toEqual([
      { text: 'timeout', match: true },
      { text: ' th', match: false },
    ]);
    const segments = compileHighlighter('a', [])('a '.repeat(500), 1_000);
    expect(segments.filter((segment) => segment.match)).toHaveLength(100);
    expect(segments.map((segment) => segment.text).join('')).toBe('a '.repeat(500));
  });

  it('property: marks exactly where the substrings occur, in any case', () => {
    const ascii = (maxLength: number) => fc.string({ unit: fc.constantFrom('a', 'A', 'b', ' '), maxLength });
    fc.assert(
      fc.property(ascii(60), fc.array(ascii(3), { maxLength: 3 }), (text, contains) => {
        const marks = new Set<number>();
        for (const needle of contains.filter(Boolean).map((c) => c.toLowerCase())) {
          for (let at = 0; at + needle.length <= text.length; at++) {
            if (text.slice(at, at + needle.length).toLowerCase() === needle) {
              for (let i = at; i < at + needle.length; i++) marks.add(i);
            }
          }
        }
        let at = 0;
        const marked = new Set<number>();
        for (const segment of compileHighlighter('', contains)(text, text.length)) {
          if (segment.match) for (let i = at; i < at + segment.text.length; i++) marked.add(i);
          at += segment.text.length;
        }
        expect([...marked].sort((a, b) => a - b)).toEqual([...marks].sort((a, b) => a - b));
      }),
      { numRuns: propertyRuns(1_000) },
    );
  });

  it('property: the segments are the text, cut where marks begin and end', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.string({ maxLength: 40 }),
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
        fc.nat(250),
        (text, q, contains, length) => {
          const segments = compileHighlighter(q, contains)(text, length);
          expect(segments.map((segment) => segment.text).join('')).toBe(text.slice(0, length));
          segments.slice(1).forEach((segment, i) => {
            if (segment.match) expect(segments[i].match).toBe(false);
          });
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });

  it('takes linear time in a hostile linked query', () => {
    const run = (size: number) => {
      const highlighter = compileHighlighter(`b "${'a '.repeat(size)}c"`, ['a'.repeat(size) + 'c']);
      const message = `b ${'a '.repeat(size)}${'a'.repeat(size)}`;
      return () => highlighter(message, message.length);
    };
    expect(lowestTimeRatio(run(500), run(5_000))).toBeLessThan(LINEAR_TIME_RATIO);
  });

  it('takes the time of what it shows, however long the message', () => {
    // Every term and substring matches almost everywhere, and a link repeats them.
    const terms = Array.from({ length: 64 }, (_, i) => `"${'a '.repeat(i + 1)}"`).join(' ');
    const highlighter = compileHighlighter(`${terms} ${terms}`, Array(2_000).fill('a'));
    const run = (size: number) => {
      const message = 'a '.repeat(size);
      return () => highlighter(message, 1_000);
    };
    expect(lowestTimeRatio(run(1_000), run(32_000), { factor: 1 })).toBeLessThan(4);
  });
});
