const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Where quoted text that starts at `start`, just past its opening quote, ends: the index of its closing
 * quote, a backslash escaping the character after it; undefined when it never closes. A scan and not the
 * regex `"((?:[^"\\]|\\.)*)"`: V8 runs that on a backtracking stack which overflows with a RangeError on
 * about 8 million characters, fewer than a 10 MB body holds.
 */
export function closingQuote(text: string, start: number): number | undefined {
  for (let at = start; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) return at;
    if (code === BACKSLASH) at++;
  }
  return undefined;
}
