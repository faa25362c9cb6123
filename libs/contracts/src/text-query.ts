import { foldCase } from './case-fold';
import { SequenceFinder } from './sequence-search';

/**
 * The full-text filter `q` of GET /api/logs evaluated on one record in
 * memory, for the alert evaluator (issue 15), which must count what the
 * archive query would return, and for the explorer's live tail, which must
 * show what the same search would find in the archive. PostgreSQL runs
 * `to_tsvector('simple', message) @@ websearch_to_tsquery('simple', q)`; this
 * follows the same web-search syntax — words (all must occur), "quoted
 * phrases" (consecutive words), `-word` (must not occur) and `or` between
 * groups — over the same lower-cased words. A word is a run of letters and
 * digits: that is PostgreSQL's tokenisation for ordinary text, but not for
 * the tokens its parser keeps whole (URLs, e-mail addresses, file paths,
 * version numbers), where the two may differ (README, "Alerts").
 *
 * Untrusted input on both sides (the rule's `q`, the record's message):
 * compiling is linear in the query, matching linear in message plus query
 * (all the phrases are found in one pass over the words, with Aho–Corasick).
 */
export type TextMatcher = (words: TextWords) => boolean;

interface Term {
  negated: boolean;
  /** One word, or the consecutive words of a phrase. */
  words: string[];
}

const WORD_RUN = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;
const NOT_IN_A_WORD = /[^\p{L}\p{N}-]/u;
const LETTER = /\p{L}/u;
/** Up to this many words a lookup scans the list; past it a set is built once (linear, however many lookups). */
const SCANNED_WORDS = 32;

/**
 * A text's lower-cased words, as the full-text filter reads them: in order,
 * for phrases, and as a set, for single words. Built once per message and
 * read by every query tried on it (the alert evaluator tries many).
 */
export class TextWords {
  readonly list: readonly string[];
  private set?: Set<string>;

  constructor(text: string) {
    this.list = wordList(text);
  }

  has(word: string): boolean {
    // A message gets a few lookups: hashing each of its words costs more than scanning a short one.
    if (this.list.length <= SCANNED_WORDS) return this.list.includes(word);
    return (this.set ??= new Set(this.list)).has(word);
  }
}

/**
 * Calls `visit` with the words one run stands for, and where each starts in the run. A hyphenated word
 * whose parts all hold a letter (`disk-retry`, `a1-b2`) is, as PostgreSQL's parser has it, the whole word
 * followed by its parts, each taking a position: so `"eu disk retry"` is not a phrase of `eu disk-retry`,
 * as in PostgreSQL.
 */
function forEachWordOfRun(run: string, visit: (word: string, offset: number) => void): void {
  if (!run.includes('-')) return visit(run, 0);
  const parts = run.split('-');
  if (parts.every((part) => LETTER.test(part))) visit(run, 0);
  // One by one: spreading a run of 100,000 parts into push() overflows the stack.
  let offset = 0;
  for (const part of parts) {
    visit(part, offset);
    offset += part.length + 1;
  }
}

/** The lower-cased words of a text, in order. */
function wordList(text: string): string[] {
  const words: string[] = [];
  const push = (word: string) => words.push(word);
  for (const run of foldCase(text).match(WORD_RUN) ?? []) forEachWordOfRun(run, push);
  return words;
}

/** The lower-cased words of a text, in order, with where each starts and ends in `text`. */
function forEachWord(text: string, visit: (word: string, start: number, end: number) => void): void {
  for (const { 0: run, index } of foldCase(text).matchAll(WORD_RUN)) {
    forEachWordOfRun(run, (word, offset) => visit(word, index + offset, index + offset + word.length));
  }
}

/**
 * Compiles `q`; a query without a single word matches nothing, as PostgreSQL's empty tsquery does. A word is
 * looked up in the message's set of words; the phrases are all found in one pass over its words, and only
 * once one of them has every word in the message.
 */
export function compileTextQuery(query: string): TextMatcher {
  const groups = parseWebSearch(query).filter((group) => group.length > 0);
  if (groups.length === 0) return () => false;
  const phrases = groups.flat().filter((term) => term.words.length > 1);
  const phraseIndex = new Map(phrases.map((term, index) => [term, index]));
  const finder = new SequenceFinder(phrases.map((term) => term.words));
  return (words) => {
    let occurring: Set<number> | undefined;
    const occurs = (term: Term) => {
      if (term.words.length === 1) return words.has(term.words[0]);
      if (!term.words.every((word) => words.has(word))) return false;
      occurring ??= finder.occurring(words.list);
      return occurring.has(phraseIndex.get(term)!);
    };
    return groups.some((group) => group.every((term) => occurs(term) !== term.negated));
  };
}

/**
 * Where the first `length` characters of a text hold what a query searches for: [start, end) ranges, which
 * may run past `length` (a word or phrase that starts before it).
 */
export type TextHighlighter = (text: string, length: number) => [number, number][];

/**
 * A viewer marks this many of a query's distinct terms at most, however many a hand-made link holds: each
 * word of a text can end an occurrence of each.
 */
const HIGHLIGHTED_TERMS = 32;

/**
 * Compiles `q` into where a text holds its words and phrases, for a viewer to mark them: the terms of every
 * group but the `-excluded`, which a matching text does not hold. It reads the words that start within the
 * `length` characters shown: linear in those, and in the one word that runs past them.
 */
export function compileTextHighlighter(query: string): TextHighlighter {
  const distinct = new Map<string, string[]>();
  for (const term of parseWebSearch(query).flat()) {
    if (!term.negated && distinct.size < HIGHLIGHTED_TERMS) distinct.set(term.words.join(' '), term.words);
  }
  const terms = [...distinct.values()];
  const finder = new SequenceFinder(terms);
  return (text, length) => {
    const ranges: [number, number][] = [];
    if (terms.length === 0) return ranges;
    const words: string[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    forEachWord(text.slice(0, wordEnd(text, length)), (word, start, end) => {
      words.push(word);
      starts.push(start);
      ends.push(end);
    });
    finder.forEachMatch(words, (term, end) => {
      ranges.push([starts[end - terms[term].length], ends[end - 1]]);
      return true;
    });
    return ranges;
  };
}

/** Where the word that `at` falls in ends: cut there, a text keeps every word it holds before `at` whole. */
function wordEnd(text: string, at: number): number {
  const after = text.slice(at).search(NOT_IN_A_WORD);
  return after === -1 ? text.length : at + after;
}

/**
 * OR-groups of AND-ed terms. As in PostgreSQL, `or` is the operator only
 * between two terms; first, last or after another `or` it is the word "or".
 */
function parseWebSearch(query: string): Term[][] {
  const groups: Term[][] = [[]];
  const push = (term: Term) => {
    if (term.words.length > 0) groups[groups.length - 1].push(term);
  };
  let afterTerm = false;
  let i = 0;
  while (i < query.length) {
    const char = query[i];
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const negated = char === '-';
    if (negated) i++;
    if (query[i] === '"') {
      const close = query.indexOf('"', i + 1);
      const end = close === -1 ? query.length : close;
      push({ negated, words: wordList(query.slice(i + 1, end)) });
      afterTerm = true;
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < query.length && !/\s/.test(query[end]) && query[end] !== '"') end++;
    const raw = query.slice(i, end);
    i = end;
    if (!negated && raw.toLowerCase() === 'or' && afterTerm && query.slice(end).trim() !== '') {
      groups.push([]);
      afterTerm = false;
      continue;
    }
    push({ negated, words: wordList(raw) });
    afterTerm = true;
  }
  return groups;
}
