import { describeValue } from './describe-value';
import { err, ok, Result } from './result';
import { parseSeverity, Severity, unrecognisedSeverity } from './severity';

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
 * Reads a key given by a publisher (e.g. a plain-text AMQP body): exactly three non-empty words, the third a
 * severity (aliases accepted). Host and service words are returned as given.
 */
export function parseRoutingKey(key: string): Result<{ host: string; service: string; severity: Severity }> {
  const words = key.split('.');
  if (words.length !== 3 || words.some((word) => word === '')) {
    return err(`routing key ${describeValue(key)} must have three words: host.service.severity`);
  }
  const [host, service, severityWord] = words;
  const severity = parseSeverity(severityWord);
  if (!severity.ok) {
    return err(`routing key ${describeValue(key)}: severity ${unrecognisedSeverity(severityWord)}`);
  }
  return ok({ host, service, severity: severity.value });
}
