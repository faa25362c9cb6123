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
 * (phrases are found with Knuth–Morris–Pratt over the words).
 */
export type TextMatcher = (words: TextWords) => boolean;

interface Term {
  negated: boolean;
  /** One word, or the consecutive words of a phrase. */
  words: string[];
}

const WORD_RUN = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu;
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
 * The lower-cased words of a text, in order. A hyphenated word whose parts
 * all hold a letter (`disk-retry`, `a1-b2`) is, as PostgreSQL's parser has
 * it, the whole word followed by its parts, each taking a position: so
 * `"eu disk retry"` is not a phrase of `eu disk-retry`, as in PostgreSQL.
 */
function wordList(text: string): string[] {
  const words: string[] = [];
  for (const run of text.toLowerCase().match(WORD_RUN) ?? []) {
    if (!run.includes('-')) {
      words.push(run);
      continue;
    }
    const parts = run.split('-');
    if (parts.every((part) => LETTER.test(part))) words.push(run);
    // One by one: spreading a run of 100,000 parts into push() overflows the stack.
    for (const part of parts) words.push(part);
  }
  return words;
}

/** Compiles `q`; a query without a single word matches nothing, as PostgreSQL's empty tsquery does. */
export function compileTextQuery(query: string): TextMatcher {
  const groups = parseWebSearch(query).filter((group) => group.length > 0);
  if (groups.length === 0) return () => false;
  return (words) => groups.some((group) => group.every((term) => termOccurs(term, words) !== term.negated));
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

function termOccurs(term: Term, words: TextWords): boolean {
  if (term.words.length === 1) return words.has(term.words[0]);
  if (!term.words.every((word) => words.has(word))) return false;
  return containsSequence(words.list, term.words);
}

/** Knuth–Morris–Pratt: whether `needle` occurs as consecutive items of `haystack`. */
function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  const failure = new Array<number>(needle.length).fill(0);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) k = failure[k - 1];
    if (needle[i] === needle[k]) k++;
    failure[i] = k;
  }
  for (let i = 0, k = 0; i < haystack.length; i++) {
    while (k > 0 && haystack[i] !== needle[k]) k = failure[k - 1];
    if (haystack[i] === needle[k]) k++;
    if (k === needle.length) return true;
  }
  return false;
}
