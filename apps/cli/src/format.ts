import { LogRecord, routingKey } from '@logyard/contracts';

/** `[x] 'host.service.severity': message` — the line of the RabbitMQ tutorial's receive_logs_topic. */
export function formatTailLine(record: LogRecord): string {
  return `[x] '${escapeControls(routingKey(record))}': ${escapeControls(record.message)}`;
}

/** `ts host service severity message`, the columns an operator scans. */
export function formatQueryLine(record: LogRecord): string {
  return [record.ts, record.host, record.service, record.severity, record.message]
    .map(escapeControls)
    .join(' ');
}

/**
 * Characters a record must never send to an operator's terminal: C0 controls
 * and DEL (ESC starts escape sequences: `ESC]0;` retitles the window, `ESC[2J`
 * clears it; CR and LF forge lines), C1 controls (U+009B is a one-character
 * CSI to many terminals), and the bidirectional overrides and isolates, which
 * reorder what is shown so a line reads other than it is.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it seeks
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A field made safe to print on one line: a newline (`\n`, `\r\n` or `\r`)
 * becomes `\n`, tab `\t`, any other unsafe character `\xHH` or `\u{HHHH}`.
 * One record per line keeps grep, wc -l and awk honest; --json gives the
 * text exactly (with the same characters as JSON escapes, see escapeJson).
 */
export function escapeControls(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE, (char) => NAMED[char] ?? hexEscape(char));
}

/** Characters JSON.stringify leaves raw that a terminal would still act on. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with DEL, C1 controls and bidi controls written as `\uXXXX`:
 * the same JSON value, safe to print. Valid JSON has no raw C0 controls
 * inside strings (JSON.stringify escapes them), so only these remain; the
 * input must be valid JSON, as outside strings the escape would change it.
 */
export function escapeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${codeOf(char).toString(16).padStart(4, '0')}`);
}

function hexEscape(char: string): string {
  const code = codeOf(char);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

function codeOf(char: string): number {
  return char.codePointAt(0) ?? 0;
}
