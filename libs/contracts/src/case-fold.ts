const DOTTED_CAPITAL_I = /\u0130/g;

/**
 * `text` lower-cased as PostgreSQL lower-cases it for ILIKE and full-text search, one character at a time:
 * `İ` is `i`, where JavaScript's toLowerCase makes it `i` and a combining dot. It is the one character that
 * toLowerCase lengthens, so every character of the result stands where it stood in `text`, and what a
 * search finds in it is found at the same place in `text`.
 */
export function foldCase(text: string): string {
  return (text.includes('\u0130') ? text.replace(DOTTED_CAPITAL_I, 'i') : text).toLowerCase();
}
