import fc from 'fast-check';
import { LINEAR_TIME_RATIO, lowestTimeRatio, propertyRuns } from '@logyard/testing';
import { SequenceFinder } from './sequence-search';

/** Every (needle, end) by trying each needle at each position: quadratic, and plainly right. */
function naiveMatches(haystack: string, needles: string[]): [number, number][] {
  const matches: [number, number][] = [];
  for (let end = 1; end <= haystack.length; end++) {
    needles.forEach((needle, index) => {
      if (needle && end >= needle.length && haystack.slice(end - needle.length, end) === needle) {
        matches.push([index, end]);
      }
    });
  }
  return matches;
}

function matches(haystack: string, needles: string[]): [number, number][] {
  const found: [number, number][] = [];
  new SequenceFinder(needles).forEachMatch(haystack, (needle, end) => {
    found.push([needle, end]);
    return true;
  });
  return found;
}

const byEnd = (pairs: [number, number][]) => [...pairs].sort((a, b) => a[1] - b[1] || a[0] - b[0]);

describe(SequenceFinder.name, () => {
  it('finds every occurrence of every needle, overlapping ones and needles inside others included', () => {
    expect(byEnd(matches('ushers', ['he', 'she', 'his', 'hers']))).toEqual([
      [0, 4],
      [1, 4],
      [3, 6],
    ]);
    expect(matches('aaaa', ['aa'])).toEqual([
      [0, 2],
      [0, 3],
      [0, 4],
    ]);
    expect(matches('abc', ['', 'x'])).toEqual([]);
  });

  it('finds sequences of words as well as of characters', () => {
    const finder = new SequenceFinder([['card', 'declined'], ['declined']]);
    expect([...finder.occurring(['payment', 'card', 'declined'])].sort()).toEqual([0, 1]);
    expect([...finder.occurring(['card', 'accepted', 'declined'])]).toEqual([1]);
  });

  it('stops when asked to', () => {
    const ends: number[] = [];
    new SequenceFinder(['a']).forEachMatch('aaaa', (_, end) => {
      ends.push(end);
      return ends.length < 2;
    });
    expect(ends).toEqual([1, 2]);
  });

  it('property: finds exactly what trying every needle at every position finds', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 60 });
    fc.assert(
      fc.property(
        text,
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 6 }), { maxLength: 6 }),
        (haystack, needles) => {
          const expected = naiveMatches(haystack, needles);
          expect(byEnd(matches(haystack, needles))).toEqual(expected);
          expect([...new SequenceFinder(needles).occurring(haystack)].sort()).toEqual(
            [...new Set(expected.map(([needle]) => needle))].sort(),
          );
        },
      ),
      { numRuns: propertyRuns(1_000) },
    );
  });

  it('takes linear time in hostile needles and haystack', () => {
    const run = (size: number) => {
      // Needles that each almost match everywhere: a search per needle, or a naive one, is quadratic.
      const finder = new SequenceFinder(Array.from({ length: size / 10 }, (_, i) => `${'a'.repeat(i)}b`));
      const haystack = 'a'.repeat(size * 10);
      return () => finder.occurring(haystack);
    };
    expect(lowestTimeRatio(run(100), run(1_000))).toBeLessThan(LINEAR_TIME_RATIO);
  });
});
