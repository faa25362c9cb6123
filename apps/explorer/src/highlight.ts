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
 * for that word, would otherwise be thousands of elements in every row.
 */
const MARKS_SHOWN = 100;

/**
 * Compiles the search of a page into a highlighter: the whole words and phrases of `q`, as the full-text
 * filter reads them (compileTextHighlighter), and the case-insensitive `contains` substrings; overlapping
 * matches merge. Untrusted on both sides, as the message is an outsider's and the query may come from a
 * link: linear in the text and the search.
 */
export function compileHighlighter(q: string, substrings: readonly string[]): Highlighter {
  const terms = compileTextHighlighter(q);
  const needles = substrings.filter(Boolean).map((substring) => substring.toLowerCase());
  const finder = new SequenceFinder(needles);
  return (text, length) => {
    const ranges = terms(text);
    if (needles.length) {
      const { folded, origin } = foldCase(text);
      const at = (index: number) => origin?.[index] ?? index;
      finder.forEachMatch(folded, (needle, end) => {
        ranges.push([at(end - needles[needle].length), at(end)]);
        return true;
      });
    }
    return segments(text, ranges, Math.min(length, text.length));
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

/**
 * `text` lower-cased for a case-insensitive search, and, where lower-casing changed its length (`İ` is two
 * characters lower-cased), where each folded character came from.
 */
function foldCase(text: string): { folded: string; origin?: number[] } {
  const lowered = text.toLowerCase();
  if (lowered.length === text.length) return { folded: lowered };
  let folded = '';
  const origin: number[] = [];
  let from = 0;
  for (const char of text) {
    const lower = char.toLowerCase();
    for (let i = 0; i < lower.length; i++) origin.push(from);
    folded += lower;
    from += char.length;
  }
  origin.push(text.length);
  return { folded, origin };
}
