import { describeValue } from './describe-value';
import { err, ok, Result } from './result';
import { MAX_ROUTING_TOKEN_LENGTH } from './routing';
import { isSeverity, severityFromName } from './severity';

// AMQP binding keys are short strings.
const MAX_PATTERN_BYTES = 255;
const KEY_WORDS = 3;
const LITERAL_WORD = /^[a-z0-9_-]+$/;

type Refusal = { error: string; suggestion?: string };

/**
 * Accepts a subscription pattern (AMQP topic semantics: '*' one word, '#' zero or more) only if it can match
 * some `host.service.severity` key, and returns it trimmed. A refusal says why and, where one is obvious,
 * which pattern was probably meant — a binding that silently never matches is worse than an error.
 */
export function validatePattern(pattern: string): Result<string> {
  const trimmed = pattern.trim();
  const refusal = refuse(trimmed);
  if (!refusal) return ok(trimmed);
  return err(refusal.suggestion ? `${refusal.error}; did you mean '${refusal.suggestion}'?` : refusal.error);
}

/** AMQP topic matching of one routing key against one pattern, word by word. */
export function matchesPattern(pattern: string, key: string): boolean {
  const words = pattern.trim().split('.');
  const keyWords = key.split('.');
  return align(words, keyWords.length, (word, position) => word === keyWords[position]);
}

function refuse(pattern: string): Refusal | undefined {
  if (pattern === '') return { error: `pattern is empty; use e.g. '*.*.error', 'web-1.#' or '#'` };
  const shown = describeValue(pattern);
  if (Buffer.byteLength(pattern) > MAX_PATTERN_BYTES) {
    return { error: `pattern ${shown} is longer than ${MAX_PATTERN_BYTES} bytes` };
  }
  const words = pattern.split('.');
  if (words.some((word) => word === '')) {
    return { error: `pattern ${shown} has an empty word; separate words with single dots, e.g. '*.*.error'` };
  }
  if (!align(words, KEY_WORDS, () => true)) {
    const last = severityFromName(words[words.length - 1]) ?? 'error';
    return {
      error:
        `pattern ${shown} can never match a host.service.severity key; ` +
        `did you mean '*.*.${last}' or '#.${last}'?`,
    };
  }
  const literalRefusal = refuseLiterals(pattern, words);
  if (literalRefusal) return literalRefusal;
  if (!align(words, KEY_WORDS, (word, position) => position < 2 || isSeverity(word))) {
    return refuseSeverityWord(pattern, words);
  }
  return undefined;
}

function refuseLiterals(pattern: string, words: string[]): Refusal | undefined {
  const shown = describeValue(pattern);
  for (const word of words) {
    if (isWildcard(word) || isLiteral(word)) continue;
    if (word.length > MAX_ROUTING_TOKEN_LENGTH) {
      return {
        error: `pattern ${shown}: ${describeValue(word)} is longer than a routing key word (at most ${MAX_ROUTING_TOKEN_LENGTH} characters) and can never match`,
      };
    }
    if (isLiteral(word.toLowerCase())) {
      const lowered = words.map((w) => w.toLowerCase()).join('.');
      const further = refuse(lowered);
      return {
        error: `pattern ${shown}: routing keys are lower-case, so ${describeValue(word)} can never match`,
        suggestion: further ? further.suggestion : lowered,
      };
    }
    return {
      error:
        `pattern ${shown}: ${describeValue(word)} can never match a routing key word, which holds only ` +
        `a-z, 0-9, '_' and '-' ('*' and '#' are wildcards only as whole words)`,
    };
  }
  return undefined;
}

// Reached only when the word count fits, so some alignment exists and in every one of them the last
// non-'#' word lands on the severity position: that word is the culprit.
function refuseSeverityWord(pattern: string, words: string[]): Refusal {
  const index = words.findLastIndex((word) => word !== '#');
  const canonical = severityFromName(words[index]);
  const suggestion = canonical && words.map((word, i) => (i === index ? canonical : word)).join('.');
  return {
    error:
      `pattern ${describeValue(pattern)}: the third word of a routing key is a severity ` +
      `(trace, debug, info, warn, error or fatal), so ${describeValue(words[index])} can never match`,
    suggestion,
  };
}

function isWildcard(word: string): boolean {
  return word === '*' || word === '#';
}

function isLiteral(word: string): boolean {
  return LITERAL_WORD.test(word) && word.length <= MAX_ROUTING_TOKEN_LENGTH;
}

/**
 * Whether the pattern words can cover exactly `keyLength` key positions, with every literal word accepted by
 * `literalFits` at the position it lands on. Memoised on (word, position) so runs of '#' stay linear.
 */
function align(words: string[], keyLength: number, literalFits: (word: string, position: number) => boolean) {
  const memo = new Map<number, boolean>();
  const visit = (i: number, position: number): boolean => {
    if (i === words.length) return position === keyLength;
    const memoKey = i * (keyLength + 1) + position;
    const known = memo.get(memoKey);
    if (known !== undefined) return known;
    const word = words[i];
    let result = false;
    if (word === '#') {
      for (let skip = 0; position + skip <= keyLength && !result; skip++)
        result = visit(i + 1, position + skip);
    } else if (position < keyLength && (word === '*' || literalFits(word, position))) {
      result = visit(i + 1, position + 1);
    }
    memo.set(memoKey, result);
    return result;
  };
  return visit(0, 0);
}
