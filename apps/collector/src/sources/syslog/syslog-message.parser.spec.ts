import { cpuMs, LINEAR_TIME_RATIO, timeGrowth } from '@logyard/testing';
import { parseSyslogMessage } from './syslog-message.parser';

const NOW = new Date(2026, 10, 25, 12, 0, 0); // local time, as RFC 3164 timestamps are read
const local = (...fields: [number, number, number, number, number, number]) =>
  new Date(...fields).toISOString();

describe(parseSyslogMessage.name, () => {
  describe('RFC 5424', () => {
    it('reads the header, structured data with escapes, and the message after a BOM', () => {
      const sut = parseSyslogMessage(
        '<165>1 2003-10-11T22:14:15.003123Z mymachine.example.com evntslog 1234 ID47 ' +
          '[exampleSDID@32473 iut="3" eventSource="Application"][ex@1 k="a \\"q\\" \\]b \\\\ c\\d"] ' +
          '\uFEFFAn application event',
      );
      expect(sut).toEqual({
        format: 'rfc5424',
        facility: 20,
        severity: 5,
        timestamp: '2003-10-11T22:14:15.003123Z',
        hostname: 'mymachine.example.com',
        appName: 'evntslog',
        procId: '1234',
        msgId: 'ID47',
        structuredData: [
          {
            id: 'exampleSDID@32473',
            params: [
              ['iut', '3'],
              ['eventSource', 'Application'],
            ],
          },
          { id: 'ex@1', params: [['k', 'a "q" ]b \\ c\\d']] },
        ],
        message: 'An application event',
      });
    });

    it('reads NILVALUEs as absent', () => {
      expect(parseSyslogMessage('<13>1 - - - - - -')).toEqual({
        format: 'rfc5424',
        facility: 1,
        severity: 5,
        timestamp: undefined,
        hostname: undefined,
        appName: undefined,
        procId: undefined,
        msgId: undefined,
        structuredData: [],
        message: '',
      });
    });

    it('reads what util-linux logger sends', () => {
      expect(
        parseSyslogMessage(
          '<155>1 2026-11-25T00:33:31.217721+00:00 vm myapp - - [timeQuality tzKnown="1" isSynced="0"] hello\n',
        ),
      ).toMatchObject({
        facility: 19,
        severity: 3,
        timestamp: '2026-11-25T00:33:31.217721+00:00',
        hostname: 'vm',
        appName: 'myapp',
        structuredData: [
          {
            id: 'timeQuality',
            params: [
              ['tzKnown', '1'],
              ['isSynced', '0'],
            ],
          },
        ],
        message: 'hello',
      });
    });

    it('leaves brackets in the message alone', () => {
      expect(parseSyslogMessage('<14>1 - h app - - - user [id a="1"] logged in').message).toBe(
        'user [id a="1"] logged in',
      );
    });

    it('keeps a multi-line message whole', () => {
      const trace = 'Error: boom\n    at a (x.js:1:1)\n    at b (y.js:2:2)';
      expect(parseSyslogMessage(`<11>1 - h app - - - ${trace}`).message).toBe(trace);
    });

    it('keeps malformed structured data as message text rather than guessing', () => {
      expect(parseSyslogMessage('<14>1 - h app 7 ID [unterminated k="v" rest')).toMatchObject({
        format: 'rfc5424',
        hostname: 'h',
        procId: '7',
        structuredData: [],
        message: '[unterminated k="v" rest',
      });
    });

    it('reads a param value with an escaped quote before a line end, and refuses one never closed', () => {
      expect(parseSyslogMessage('<14>1 - h a - - [x k="say \\"hi\\"\nok"] m').structuredData).toEqual([
        { id: 'x', params: [['k', 'say "hi"\nok']] },
      ]);
      expect(parseSyslogMessage('<14>1 - h a - - [x k="v\\"] m')).toMatchObject({
        structuredData: [],
        message: '[x k="v\\"] m',
      });
    });

    // The value regex /"((?:[^"\\]|\\.)*)"/ threw a RangeError past ~8 million characters, which a
    // SYSLOG_TCP_BUFFER_BYTES of 10 MB lets in: an uncaught exception in the socket's data handler.
    it('reads a param value of 9 million characters', () => {
      const value = 'x'.repeat(9_000_000);
      const [element] = parseSyslogMessage(`<14>1 - h a - - [x k="${value}"] m`).structuredData;
      expect(element.params[0][1]).toHaveLength(value.length);
    });
  });

  describe('RFC 3164', () => {
    it('reads timestamp, hostname, tag and pid', () => {
      expect(parseSyslogMessage('<13>Nov 25 00:33:31 vm myapp[24122]: hello 3164 udp', NOW)).toEqual({
        format: 'rfc3164',
        facility: 1,
        severity: 5,
        timestamp: local(2026, 10, 25, 0, 33, 31),
        hostname: 'vm',
        appName: 'myapp',
        procId: '24122',
        structuredData: [],
        message: 'hello 3164 udp',
      });
    });

    it('reads a space-padded day and a tag without pid', () => {
      expect(parseSyslogMessage("<34>Oct  1 22:14:15 mymachine su: 'su root' failed", NOW)).toMatchObject({
        facility: 4,
        severity: 2,
        timestamp: local(2026, 9, 1, 22, 14, 15),
        hostname: 'mymachine',
        appName: 'su',
        message: "'su root' failed",
      });
    });

    it('reads a message from a local sender that names no host', () => {
      expect(parseSyslogMessage('<13>Nov 25 00:33:31 cron[7]: job done', NOW)).toMatchObject({
        hostname: undefined,
        appName: 'cron',
        procId: '7',
        message: 'job done',
      });
    });

    it('reads a message without a tag', () => {
      expect(parseSyslogMessage('<13>Nov 25 00:33:31 vm hello world', NOW)).toMatchObject({
        hostname: 'vm',
        appName: undefined,
        message: 'hello world',
      });
    });

    it('reads an RFC 3339 timestamp in place of the BSD one', () => {
      expect(parseSyslogMessage('<13>2026-11-24T10:00:00.123+01:00 web-1 api: up', NOW)).toMatchObject({
        format: 'rfc3164',
        timestamp: '2026-11-24T10:00:00.123+01:00',
        hostname: 'web-1',
        appName: 'api',
        message: 'up',
      });
    });

    it('puts a timestamp that would be in the future into last year', () => {
      expect(parseSyslogMessage('<13>Dec 31 23:59:50 h a: m', new Date(2026, 0, 1, 0, 0, 10)).timestamp).toBe(
        local(2025, 11, 31, 23, 59, 50),
      );
    });

    it.each([
      ['<13>Error: boom', 'Error: boom'],
      ['<13>Feb 30 10:00:00 h a: m', 'Feb 30 10:00:00 h a: m'],
      ['<13>1 hello', '1 hello'],
    ])('keeps %p without a readable header as message text', (text, message) => {
      expect(parseSyslogMessage(text, NOW)).toEqual({
        format: 'rfc3164',
        facility: 1,
        severity: 5,
        structuredData: [],
        message,
      });
    });
  });

  it.each([
    ['hello', 'hello'],
    ['<999>hi', '<999>hi'],
    ['<x>hi', '<x>hi'],
  ])('reads %p, which has no valid PRI, as user.notice', (text, message) => {
    expect(parseSyslogMessage(text)).toMatchObject({ facility: 1, severity: 5, message });
  });

  it('decodes every facility and severity of the PRI', () => {
    expect(parseSyslogMessage('<191>1 - - - - - - x')).toMatchObject({ facility: 23, severity: 7 });
    expect(parseSyslogMessage('<0>1 - - - - - - x')).toMatchObject({ facility: 0, severity: 0 });
  });

  it('trims trailing line ends and NULs, and only trailing ones', () => {
    expect(parseSyslogMessage('<13>1 - - - - - - a\0b\r\n\0\n').message).toBe('a\0b');
    expect(parseSyslogMessage('\n\0\r')).toMatchObject({ message: '' });
  });

  // Issue 11, finding 1: /[\r\n\0]+$/ took 2.3 s on this datagram and froze the process.
  it('parses a datagram of 60,000 NULs followed by an "x" in milliseconds', () => {
    const datagram = `<13>${'\0'.repeat(60_000)}x`;
    const fastest = Math.min(...Array.from({ length: 3 }, () => cpuMs(() => parseSyslogMessage(datagram))));
    expect(fastest).toBeLessThan(50);
    expect(parseSyslogMessage(datagram).message).toHaveLength(60_001);
  });

  it.each([
    ['NULs', '\0'],
    ['CRs', '\r'],
    ['LFs', '\n'],
  ])('takes time linear in a run of %s inside the message', (_, character) => {
    const message = (length: number) => `<13>1 - h a - - - ${character.repeat(length)}x`;
    expect(timeGrowth(message, parseSyslogMessage, { size: 2_000 })).toBeLessThan(LINEAR_TIME_RATIO);
  });
});
