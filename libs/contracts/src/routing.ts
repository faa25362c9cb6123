import { describeValue } from './describe-value';
import { err, ok, Result } from './result';
import { parseSeverity, Severity, severityFromName, unrecognisedSeverity } from './severity';

/** Longest routing token; keeps a whole key well inside AMQP's 255-byte routing key limit. */
export const MAX_ROUTING_TOKEN_LENGTH = 63;

/**
 * One word of a routing key: ASCII lower-case, every code point outside [a-z0-9_-] replaced by one '_',
 * cut to MAX_ROUTING_TOKEN_LENGTH, and 'unknown' for an empty value. Dots, '*' and '#' can therefore never
 * reach the broker's topic matching. Lossy by design: the record keeps the original host and service.
 */
export function routingToken(value: string): string {
  let token = '';
  for (const char of value) {
    // Each record's key is built at every publish: char codes, not a RegExp per character.
    const code = char.charCodeAt(0);
    if (isTokenCode(code)) token += char;
    else if (code >= 0x41 && code <= 0x5a) token += String.fromCharCode(code + 0x20);
    else token += '_';
    if (token.length === MAX_ROUTING_TOKEN_LENGTH) break;
  }
  return token === '' ? 'unknown' : token;
}

/** a-z, 0-9, '_' or '-'; a surrogate (the first half of a non-ASCII code point) is none of them. */
function isTokenCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x2d;
}

/** The `host.service.severity` key a record is published under. */
export function routingKey(record: { host: string; service: string; severity: Severity }): string {
  return `${routingToken(record.host)}.${routingToken(record.service)}.${record.severity}`;
}

/**
 * The shorter keys a record is also routed under on the logs exchange, from its `host.service.severity` key:
 * `service.severity` and `severity`, so the tutorial's 1- and 2-word bindings (`*.error`, `checkout.*`, a direct
 * `error`) match. Tokens hold no dots, so the key's first and last dots delimit its words.
 */
export function shorterRoutingKeys(key: string): [serviceSeverity: string, severity: string] {
  return [key.slice(key.indexOf('.') + 1), key.slice(key.lastIndexOf('.') + 1)];
}

/** The key shapes a publisher may use, as named in refusals. */
export const ACCEPTED_KEY_SHAPES =
  'host.service.severity, service.severity or severity (e.g. web-1.checkout.error, checkout.error, error)';

/**
 * Reads a key given by a publisher (e.g. a plain-text AMQP body). Three words are `host.service.severity`, the
 * third a severity (aliases and numbers accepted). One or two words are the tutorial's keys (`error`,
 * `test.info`, `error.apache`): the word that is a severity name or alias is the severity, the other the
 * service, and the host is `unknown`. Words are returned as given.
 */
export function parseRoutingKey(key: string): Result<{ host: string; service: string; severity: Severity }> {
  // Four words are enough to refuse a key: splitting all of a long one would allocate a string per word.
  const words = key.split('.', 4);
  if (words.length > 3 || words.some((word) => word === '')) {
    return err(`routing key ${describeValue(key)} must be ${ACCEPTED_KEY_SHAPES}`);
  }
  if (words.length === 3) {
    const [host, service, severityWord] = words;
    const severity = parseSeverity(severityWord);
    if (!severity.ok) {
      return err(`routing key ${describeValue(key)}: severity ${unrecognisedSeverity(severityWord)}`);
    }
    return ok({ host, service, severity: severity.value });
  }
  return parseShortKey(key, words);
}

// Numbers are not severities here: in `checkout.50` or `7.error` a number is as likely a service.
function parseShortKey(
  key: string,
  words: string[],
): Result<{ host: string; service: string; severity: Severity }> {
  const severities = words.map(severityFromName);
  const found = severities.filter((severity) => severity !== undefined);
  if (found.length !== 1) {
    const problem = found.length === 0 ? 'has no severity word' : 'has two severity words';
    return err(
      `routing key ${describeValue(key)} ${problem}; use ${ACCEPTED_KEY_SHAPES}, ` +
        `with one severity word (trace, debug, info, warn, error, fatal or an alias such as warning)`,
    );
  }
  const service = words.find((_, i) => severities[i] === undefined) ?? 'unknown';
  return ok({ host: 'unknown', service, severity: found[0] });
}
