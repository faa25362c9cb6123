import { describeValue } from './describe-value';
import { err, ok, Result } from './result';
import { MAX_ROUTING_TOKEN_LENGTH } from './routing';
import { isSeverity, severityFromName } from './severity';

// AMQP binding keys are short strings.
const MAX_PATTERN_BYTES = 255;
/**
 * The lengths of the keys a record is routed under on the logs exchange: `severity`, `service.severity` and
 * `host.service.severity` (shorterRoutingKeys). The last word of each is the severity.
 */
const KEY_LENGTHS = [1, 2, 3];
const KEY_SHAPES = 'host.service.severity, service.severity or severity';
const LITERAL_WORD = /^[a-z0-9_-]+$/;

type Refusal = { error: string; suggestion?: string };

/**
 * Accepts a subscription pattern (AMQP topic semantics: '*' one word, '#' zero or more) only if it can match
 * some key a record is routed under (`host.service.severity`, `service.severity` or `severity`, so `*.error`
 * and `checkout.*` are fine), and returns it trimmed. A refusal says why and, where one is obvious,
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
  if (pattern === '') return { error: `pattern is empty; use e.g. '*.error', 'web-1.#' or '#'` };
  const shown = describeValue(pattern);
  if (Buffer.byteLength(pattern) > MAX_PATTERN_BYTES) {
    return { error: `pattern ${shown} is longer than ${MAX_PATTERN_BYTES} bytes` };
  }
  const words = pattern.split('.');
  if (words.some((word) => word === '')) {
    const joined = words.filter((word) => word !== '').join('.');
    return {
      error: `pattern ${shown} has an empty word; separate words with single dots, e.g. '*.error'`,
      suggestion: joined !== '' && !refuse(joined) ? joined : undefined,
    };
  }
  if (!fitsSomeKey(words, () => true)) {
    const last = severityFromName(words[words.length - 1]) ?? 'error';
    return {
      error:
        `pattern ${shown} can never match a routing key, which has at most three words ` +
        `(${KEY_SHAPES}); did you mean '*.*.${last}' or '#.${last}'?`,
    };
  }
  const literalRefusal = refuseLiterals(pattern, words);
  if (literalRefusal) return literalRefusal;
  if (!fitsSomeKey(words, (word, position, length) => position < length - 1 || isSeverity(word))) {
    return refuseSeverityWord(pattern, words);
  }
  return undefined;
}

/** Whether the pattern can cover some routed key shape, with `literalFits` accepting every literal word. */
function fitsSomeKey(
  words: string[],
  literalFits: (word: string, position: number, keyLength: number) => boolean,
): boolean {
  return KEY_LENGTHS.some((length) =>
    align(words, length, (word, position) => literalFits(word, position, length)),
  );
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

// Reached only when the word count fits some key shape and no alignment fits the severity. An alignment that
// left the last non-'#' word before the key's last position would put every literal on a host or service
// position, where any token fits; so in every alignment that word lands on the severity: it is the culprit.
function refuseSeverityWord(pattern: string, words: string[]): Refusal {
  const index = words.findLastIndex((word) => word !== '#');
  const canonical = severityFromName(words[index]);
  // A word that is no severity at all is probably a service or host still waiting for its severity word.
  const completed = `${pattern}.*`;
  const suggestion = canonical
    ? words.map((word, i) => (i === index ? canonical : word)).join('.')
    : refuse(completed)
      ? undefined
      : completed;
  return {
    error:
      `pattern ${describeValue(pattern)}: the last word of a routing key (${KEY_SHAPES}) is a severity ` +
      `(trace, debug, info, warn, error or fatal), so ${describeValue(words[index])} can never match there`,
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
