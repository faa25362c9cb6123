import { highlight, searchTerms } from './highlight';

const marked = (text: string, q: string) =>
  highlight(text, searchTerms(q))
    .filter((segment) => segment.match)
    .map((segment) => segment.text);

describe('search highlighting', () => {
  it('reads the positive terms of web-search syntax', () => {
    expect(searchTerms('payment "card declined" -refund or timeout')).toEqual([
      'payment',
      'card declined',
      'timeout',
    ]);
    expect(searchTerms('-"not this" "unclosed phrase')).toEqual(['unclosed phrase']);
    expect(searchTerms('   ')).toEqual([]);
  });

  it('marks whole words in any case, as the simple text search configuration matches them', () => {
    expect(marked('Timeout: ConnectTimeoutException after timeout', 'timeout')).toEqual([
      'Timeout',
      'timeout',
    ]);
    expect(marked('Zürich café closed', 'café')).toEqual(['café']);
  });

  it('marks a phrase across any punctuation between its words', () => {
    expect(marked('card declined; card: declined; card accepted', '"card declined"')).toEqual([
      'card declined',
      'card: declined',
    ]);
  });

  it('keeps every character of the text, merging overlapping marks', () => {
    const segments = highlight('a payment declined', ['payment declined', 'declined']);
    expect(segments).toEqual([
      { text: 'a ', match: false },
      { text: 'payment declined', match: true },
    ]);
    expect(highlight('', ['x'])).toEqual([{ text: '', match: false }]);
  });

  it('marks substrings anywhere, in any case, beside whole words', () => {
    const segments = highlight('ConnectTimeoutException: timeout', ['exception'], ['TIMEOUT']);
    expect(segments.filter((s) => s.match).map((s) => s.text)).toEqual(['Timeout', 'timeout']);
    expect(
      highlight('50% done', [], ['0%'])
        .filter((s) => s.match)
        .map((s) => s.text),
    ).toEqual(['0%']);
  });

  it('treats regular-expression characters in a term as text', () => {
    expect(marked('cost (usd) is 1.5', '(usd) 1.5')).toEqual(['usd', '1.5']);
    expect(marked('a+b', '.*')).toEqual([]);
  });

  it('takes linear time on hostile input', () => {
    const started = performance.now();
    highlight('a'.repeat(100_000), ['a'.repeat(50) + 'b']);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
