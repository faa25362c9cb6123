import { closingQuote } from '../quoted-text';

/** One syslog message, whichever format it came in. Absent fields were absent (or NILVALUE) in the message. */
export interface SyslogMessage {
  format: 'rfc5424' | 'rfc3164';
  /** 0 (kern) .. 23 (local7). */
  facility: number;
  /** 0 (emergency) .. 7 (debug). */
  severity: number;
  /** ISO-8601; RFC 5424's as sent, RFC 3164's resolved to a year and the collector's time zone. */
  timestamp?: string;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  structuredData: SyslogStructuredData[];
  message: string;
}

export interface SyslogStructuredData {
  id: string;
  params: [name: string, value: string][];
}

// RFC 3164 §4.3.3: a relay reads a message without a valid PRI as user.notice.
const DEFAULT_PRI = 13;
const MAX_PRI = 191;
const PRI = /^<(\d{1,3})>/;

// RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP, then STRUCTURED-DATA.
const RFC5424_HEADER = /^[1-9]\d{0,2} (\S+) (\S+) (\S+) (\S+) (\S+) /;
const NILVALUE = '-';
const SD_ID = /[^ =\]"]+/y;
// A param's name and opening quote; its value ends at its closing quote (closingQuote).
const SD_PARAM_NAME = / ([^ =\]"]+)="/y;
const BOM = '\uFEFF';

// RFC 3164: "Mmm dd hh:mm:ss" (day space-padded), though many senders write an RFC 3339 time instead.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD_TIMESTAMP = new RegExp(`^(${MONTHS.join('|')}) ([ \\d]?\\d) (\\d{2}):(\\d{2}):(\\d{2}) `);
const ISO_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;
const FIRST_WORD = /^(\S+) /;
const TAG = /^([^\s:[\]]+)(?:\[([^\]\s]*)\])?: ?/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Parses one syslog message, RFC 5424 or RFC 3164 detected by what follows the PRI (a version number
 * means 5424). Never fails: what does not fit a format's header stays in the message text, so a sender
 * with a sloppy header loses nothing. `now` resolves RFC 3164's timestamps, which carry no year or zone.
 */
export function parseSyslogMessage(text: string, now: Date = new Date()): SyslogMessage {
  const end = endWithoutLineEnds(text);
  const trimmed = end === text.length ? text : text.slice(0, end);
  const pri = PRI.exec(trimmed);
  const valid = pri !== null && Number(pri[1]) <= MAX_PRI;
  const value = valid ? Number(pri[1]) : DEFAULT_PRI;
  const body = valid ? trimmed.slice(pri[0].length) : trimmed;
  const priority: Priority = { facility: value >> 3, severity: value & 7 };
  return parseRfc5424(body, priority) ?? parseRfc3164(body, priority, now);
}

type Priority = Pick<SyslogMessage, 'facility' | 'severity'>;

// Each parser returns one object literal with every field: merging partial objects with spreads
// cost more than all of the parsing.

function parseRfc5424(body: string, { facility, severity }: Priority): SyslogMessage | undefined {
  const header = RFC5424_HEADER.exec(body);
  if (!header) return undefined;
  const sd = parseStructuredData(body, header[0].length);
  const rest = sd ? body.slice(sd.end + 1) : body.slice(header[0].length);
  return {
    format: 'rfc5424',
    facility,
    severity,
    timestamp: nil(header[1]),
    hostname: nil(header[2]),
    appName: nil(header[3]),
    procId: nil(header[4]),
    msgId: nil(header[5]),
    // Malformed structured data is kept as message text rather than guessed at.
    structuredData: sd ? sd.elements : [],
    message: sd && rest.startsWith(BOM) ? rest.slice(1) : rest,
  };
}

/** `-` or one or more `[id name="value" …]`, followed by a space or the end; param values unescaped. */
function parseStructuredData(
  text: string,
  start: number,
): { elements: SyslogStructuredData[]; end: number } | undefined {
  const elements: SyslogStructuredData[] = [];
  let at = start;
  if (text[at] === NILVALUE) at++;
  else {
    while (text[at] === '[') {
      SD_ID.lastIndex = at + 1;
      const id = SD_ID.exec(text);
      if (!id) return undefined;
      const element: SyslogStructuredData = { id: id[0], params: [] };
      at = SD_ID.lastIndex;
      for (;;) {
        SD_PARAM_NAME.lastIndex = at;
        const name = SD_PARAM_NAME.exec(text);
        if (!name) break;
        const end = closingQuote(text, SD_PARAM_NAME.lastIndex);
        if (end === undefined) break;
        const value = text.slice(SD_PARAM_NAME.lastIndex, end);
        element.params.push([name[1], value.replace(/\\(["\\\]])/g, '$1')]);
        at = end + 1;
      }
      if (text[at] !== ']') return undefined;
      elements.push(element);
      at++;
    }
  }
  if (at === start || (at < text.length && text[at] !== ' ')) return undefined;
  return { elements, end: at };
}

function parseRfc3164(body: string, { facility, severity }: Priority, now: Date): SyslogMessage {
  const bsd = BSD_TIMESTAMP.exec(body);
  const iso = bsd ? null : ISO_TIMESTAMP.exec(body);
  const header = bsd ?? iso;
  const timestamp = bsd ? bsdTimestamp(bsd, now) : iso?.[1];
  // Without a timestamp there is no header to speak of: "<13>Error: boom" is a message, not tag "Error".
  if (!header || timestamp === undefined) {
    return { format: 'rfc3164', facility, severity, structuredData: [], message: body };
  }
  let rest = body.slice(header[0].length);
  // HOSTNAME comes next, but local senders often leave it out and start with the TAG ("app[42]:").
  const word = FIRST_WORD.exec(rest);
  const hostname = word && !word[1].endsWith(':') ? word[1] : undefined;
  if (word && hostname) rest = rest.slice(word[0].length);
  const tag = TAG.exec(rest);
  return {
    format: 'rfc3164',
    facility,
    severity,
    timestamp,
    hostname,
    appName: tag?.[1],
    procId: tag?.[2] || undefined,
    structuredData: [],
    message: tag ? rest.slice(tag[0].length) : rest,
  };
}

/** The collector's local time zone, and the latest year that does not put the time more than a day ahead. */
function bsdTimestamp(
  [, month, day, hours, minutes, seconds]: RegExpExecArray,
  now: Date,
): string | undefined {
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const at = (year: number) =>
    new Date(year, MONTHS.indexOf(month), Number(day), Number(hours), Number(minutes), Number(seconds));
  let date = at(now.getFullYear());
  if (date.getTime() - now.getTime() > DAY_MS) date = at(now.getFullYear() - 1);
  // "Feb 30" would roll over into March: not a time at all.
  return date.getDate() === Number(day) ? date.toISOString() : undefined;
}

/**
 * Where `text` ends without its trailing CR, LF and NUL characters. Not /[\r\n\0]+$/: V8 retries that at
 * every character of a run the text does not end with, so a datagram of 60,000 NULs and an "x" took seconds.
 * This walks the trailing run only, once.
 */
function endWithoutLineEnds(text: string): number {
  let end = text.length;
  while (end > 0 && isLineEndOrNul(text.charCodeAt(end - 1))) end--;
  return end;
}

function isLineEndOrNul(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x00;
}

function nil(field: string): string | undefined {
  return field === NILVALUE ? undefined : field;
}
