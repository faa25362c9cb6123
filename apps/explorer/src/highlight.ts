/** A run of a message: matched by the search, or not. */
export interface Segment {
  text: string;
  match: boolean;
}

/**
 * The positive terms of a web-search query (`q`): words and "quoted phrases", without `-excluded` words and
 * the `or` keyword, as PostgreSQL's websearch_to_tsquery reads them.
 */
export function searchTerms(q: string): string[] {
  const terms: string[] = [];
  for (const [, phrase, word] of q.matchAll(/(-?"[^"]*"?)|(\S+)/g)) {
    const term = phrase ?? word;
    if (term.startsWith('-') || term.toLowerCase() === 'or') continue;
    const text = term.replace(/"/g, '').trim();
    if (text) terms.push(text);
  }
  return terms;
}

const LETTER_OR_DIGIT = '[\\p{L}\\p{N}]';

/**
 * A pattern matching a term the way the `simple` text search configuration does: whole words, case
 * insensitive, the words of a phrase separated by anything that is not a letter or digit. So `timeout`
 * matches "Timeout:" but not "ConnectTimeoutException".
 */
export function termPattern(term: string): RegExp {
  const words = term
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map(escapeRegExp);
  const body = words.length ? words.join(`[^\\p{L}\\p{N}]+`) : escapeRegExp(term);
  return new RegExp(`(?<!${LETTER_OR_DIGIT})${body}(?!${LETTER_OR_DIGIT})`, 'giu');
}

/**
 * Splits `text` into runs, marking every match of the search: whole-word `terms` (q) and case-insensitive
 * `substrings` (contains); overlapping matches merge.
 */
export function highlight(
  text: string,
  terms: readonly string[],
  substrings: readonly string[] = [],
): Segment[] {
  const patterns = [
    ...terms.map(termPattern),
    ...substrings.filter(Boolean).map((substring) => new RegExp(escapeRegExp(substring), 'giu')),
  ];
  const ranges: [number, number][] = [];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      if (match[0].length) ranges.push([match.index, match.index + match[0].length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    if (start > at) segments.push({ text: text.slice(at, start), match: false });
    segments.push({ text: text.slice(Math.max(start, at), end), match: true });
    at = end;
  }
  if (at < text.length || segments.length === 0) segments.push({ text: text.slice(at), match: false });
  return segments;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
