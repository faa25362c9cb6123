import { foldCase } from '../../../libs/contracts/src/case-fold';
import { MAX_CONTAINS, MAX_CONTAINS_LENGTH } from '../../../libs/contracts/src/query-limits';
import { SequenceFinder } from '../../../libs/contracts/src/sequence-search';
import { compileTextHighlighter } from '../../../libs/contracts/src/text-query';

/** A run of a message: matched by the search, or not. */
export interface Segment {
  text: string;
  match: boolean;
}

/** Marks the search in the first `length` characters of a text. */
export type Highlighter = (text: string, length: number) => Segment[];

/**
 * Past this many marks a text's later matches are left unmarked: a message of one word repeated, searched
 * for that word, would otherwise be hundreds of elements in every row.
 */
const MARKS_SHOWN = 100;

/**
 * Compiles the search of a page into a highlighter: the whole words and phrases of `q`, as the full-text
 * filter reads them (compileTextHighlighter), and the case-insensitive `contains` substrings (as many and
 * as long as the API takes: Live filters in the page, where a link could hold thousands); overlapping
 * matches merge. Untrusted on both sides, as the message is an outsider's and the search may come from a
 * link: linear in what is shown and in the search.
 */
export function compileHighlighter(q: string, substrings: readonly string[]): Highlighter {
  const terms = compileTextHighlighter(q);
  const needles = [...new Set(substrings.map(foldCase))]
    .filter((needle) => needle && needle.length <= MAX_CONTAINS_LENGTH)
    .slice(0, MAX_CONTAINS);
  const finder = new SequenceFinder(needles);
  const reach = Math.max(0, ...needles.map((needle) => needle.length - 1));
  return (text, length) => {
    const shown = Math.min(length, text.length);
    const ranges = terms(text, shown);
    // A substring that starts among the characters shown may end past them.
    finder.forEachMatch(foldCase(text.slice(0, shown + reach)), (needle, end) => {
      ranges.push([end - needles[needle].length, end]);
      return true;
    });
    return segments(text, ranges, shown);
  };
}

/** The first `length` characters of `text` cut into runs at the ranges' edges, in one pass over each. */
function segments(text: string, ranges: readonly [number, number][], length: number): Segment[] {
  // How many ranges open (+) and close (-) at each position: where the count leaves or reaches 0, a mark ends.
  const opened = new Int32Array(length + 1);
  for (const [start, end] of ranges) {
    if (start >= length || end <= start) continue;
    opened[start]++;
    opened[Math.min(end, length)]--;
  }
  const result: Segment[] = [];
  let marks = 0;
  let depth = 0;
  let runStart = 0;
  for (let i = 0; i <= length; i++) {
    const next = depth + opened[i];
    if (i === length || (depth === 0) !== (next === 0)) {
      if (i > runStart) {
        const match = depth > 0 && marks < MARKS_SHOWN;
        if (match) marks++;
        result.push({ text: text.slice(runStart, i), match });
      }
      runStart = i;
    }
    depth = next;
  }
  return result.length ? result : [{ text: '', match: false }];
}
