import fc from 'fast-check';
import { LINEAR_TIME_RATIO, lowestTimeRatio, propertyRuns, timeGrowth } from '@logyard/testing';
import { SyslogFrameDecoder } from './syslog-frame.decoder';
import { parseSyslogMessage } from './syslog-message.parser';
import { toSyslogRecord } from './syslog-record.mapper';

const RUNS = propertyRuns(200);
/** Each timing case measures for about a second, so these stay few even under FUZZ_RUNS. */
const TIMING_RUNS = 3;
const MAX_FRAME = 4096;
const NOW = new Date(2026, 10, 25, 12, 0, 0);

/** Pieces of syslog syntax, so random text often gets deep into the parser rather than failing at byte 0. */
const syntax = fc.constantFrom(
  '<13>',
  '<191>',
  '<999>',
  '<',
  '>',
  '1 ',
  '- ',
  ' ',
  '2003-10-11T22:14:15.003Z ',
  'Oct 11 22:14:15 ',
  'Feb 30 10:00:00 ',
  'host ',
  'app[42]: ',
  'app: ',
  '[',
  ']',
  '[id ',
  'a="',
  'v',
  '"',
  '\\"',
  '\\]',
  '\\\\',
  '\\',
  '=',
  '\uFEFF',
  '\0',
  '\r',
  '\n',
  '\r\n',
  'grüße',
);
const syslogText = fc
  .array(fc.oneof(syntax, fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 40 })
  .map((pieces) => pieces.join(''));

// RFC 5424 §6: header fields are PRINTUSASCII; SD-NAMEs exclude '=', SP, ']' and '"'.
const printable = fc.stringMatching(/^[!-~]{1,32}$/).filter((field) => field !== '-');
const sdName = fc.stringMatching(/^[!#-<>-\\^-~]{1,32}$/);
const headerField = fc.option(printable, { nil: undefined });
const message = fc
  .string({ unit: 'binary', maxLength: 200 })
  .filter((text) => !/[\r\n\0]$/.test(text) && !text.startsWith('\uFEFF'));
const structuredData = fc.array(
  fc.record({
    id: sdName,
    params: fc.array(fc.tuple(sdName, fc.string({ unit: 'binary', maxLength: 40 })), { maxLength: 4 }),
  }),
  { maxLength: 3 },
);

const escapeParam = (value: string) => value.replace(/["\\\]]/g, (character) => `\\${character}`);
const nilOr = (field: string | undefined) => field ?? '-';

describe('syslog parsing and framing (property)', () => {
  describe('parseSyslogMessage and toSyslogRecord', () => {
    it('return a message or a refusal for any text, never throw, and keep the message text whole', () => {
      fc.assert(
        fc.property(fc.oneof(syslogText, fc.string({ unit: 'binary' })), (text) => {
          const parsed = parseSyslogMessage(text, NOW);
          expect(parsed.facility).toBeGreaterThanOrEqual(0);
          expect(parsed.facility).toBeLessThanOrEqual(23);
          expect(parsed.severity).toBeGreaterThanOrEqual(0);
          expect(parsed.severity).toBeLessThanOrEqual(7);
          expect(text.includes(parsed.message)).toBe(true);
          const record = toSyslogRecord(text, { now: NOW });
          expect(record.ok || typeof record.error === 'string').toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it('read back every field of an RFC 5424 message they are given', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 191 }),
          fc.option(fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), {
            nil: undefined,
          }),
          headerField,
          headerField,
          headerField,
          headerField,
          structuredData,
          message,
          (pri, date, hostname, appName, procId, msgId, elements, text) => {
            const sd =
              elements.length === 0
                ? '-'
                : elements
                    .map(
                      ({ id, params }) =>
                        `[${id}${params.map(([n, v]) => ` ${n}="${escapeParam(v)}"`).join('')}]`,
                    )
                    .join('');
            const timestamp = date?.toISOString();
            const header = [timestamp, hostname, appName, procId, msgId].map(nilOr).join(' ');
            expect(parseSyslogMessage(`<${pri}>1 ${header} ${sd} ${text}`)).toEqual({
              format: 'rfc5424',
              facility: pri >> 3,
              severity: pri & 7,
              timestamp,
              hostname,
              appName,
              procId,
              msgId,
              structuredData: elements,
              message: text,
            });
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('read back every field of an RFC 3164 message they are given', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 191 }),
          fc.date({ min: new Date(2026, 0, 1), max: NOW, noInvalidDate: true }),
          fc.stringMatching(/^[!-9;-~]{1,32}$/),
          fc.stringMatching(/^[!-9;-Z^-~]{1,32}$/),
          fc.option(fc.stringMatching(/^[0-9]{1,7}$/), { nil: undefined }),
          message.filter((text) => !text.startsWith(' ')),
          (pri, date, hostname, tag, pid, text) => {
            const month = date.toLocaleString('en-US', { month: 'short' });
            const two = (n: number) => String(n).padStart(2, '0');
            const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
            const stamp = `${month} ${String(date.getDate()).padStart(2, ' ')} ${time}`;
            const line = `<${pri}>${stamp} ${hostname} ${tag}${pid === undefined ? '' : `[${pid}]`}: ${text}`;
            const wholeSeconds = new Date(date);
            wholeSeconds.setMilliseconds(0);
            expect(parseSyslogMessage(line, NOW)).toEqual({
              format: 'rfc3164',
              facility: pri >> 3,
              severity: pri & 7,
              timestamp: wholeSeconds.toISOString(),
              hostname,
              appName: tag,
              procId: pid,
              structuredData: [],
              message: text,
            });
          },
        ),
        { numRuns: RUNS },
      );
    });

    it('take time linear in the input, whatever piece of syntax it repeats', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('', '<13>', '<13>1 - h a - - ', '<13>1 - h a - - [x', '<13>Oct 11 22:14:15 '),
          syslogText.filter((unit) => unit.length > 0),
          (prefix, unit) => {
            const text = (length: number) => prefix + unit.repeat(Math.ceil(length / unit.length)) + 'x';
            // Truncating only the larger message would time two different paths, not one path's growth.
            const options = { now: NOW, maxMessageBytes: 1024 * 1024 };
            expect(timeGrowth(text, (input) => toSyslogRecord(input, options), { size: 6_000 })).toBeLessThan(
              LINEAR_TIME_RATIO,
            );
          },
        ),
        { numRuns: TIMING_RUNS },
      );
    }, 60_000);
  });

  describe(SyslogFrameDecoder.name, () => {
    /** A frame either framing can carry: any bytes counted, or a `<`-led line without LF. */
    const frame = fc.oneof(
      fc
        .uint8Array({ minLength: 1, maxLength: 300 })
        .map((bytes) => ({ framing: 'octets', bytes: Buffer.from(bytes) })),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => ({
        framing: 'line',
        bytes: Buffer.concat([
          Buffer.from('<'),
          Buffer.from(bytes.filter((byte) => byte !== 0x0a && byte !== 0x0d)),
        ]),
      })),
    );
    const encode = ({ framing, bytes }: { framing: string; bytes: Buffer }) =>
      framing === 'octets'
        ? Buffer.concat([Buffer.from(`${bytes.length} `), bytes])
        : Buffer.concat([bytes, Buffer.from('\n')]);
    /** Where to cut a stream into chunks: sorted offsets inside it. */
    const cuts = fc.array(fc.nat(), { maxLength: 30 });

    function decodeAll(stream: Buffer, offsets: number[]): { frames: Buffer[]; failed: boolean } {
      const sut = new SyslogFrameDecoder(MAX_FRAME);
      const points = [...new Set(offsets.map((offset) => offset % (stream.length + 1)))].sort(
        (a, b) => a - b,
      );
      const frames: Buffer[] = [];
      let from = 0;
      for (const to of [...points, stream.length]) {
        const { frames: some, error } = sut.push(stream.subarray(from, to));
        frames.push(...some);
        if (error) return { frames, failed: true };
        from = to;
      }
      const { frames: last, error } = sut.end();
      return { frames: [...frames, ...last], failed: error !== undefined };
    }

    const byteByByte = (stream: Buffer) => Array.from({ length: stream.length }, (_, at) => at);

    /** Feeds `stream` one byte at a time, with nothing else to time. */
    function feedBytewise(stream: Buffer): void {
      const sut = new SyslogFrameDecoder(MAX_FRAME);
      for (let at = 0; at < stream.length; at++) if (sut.push(stream.subarray(at, at + 1)).error) return;
      sut.end();
    }

    it('decodes the frames it was given, however the stream is chunked', () => {
      fc.assert(
        fc.property(fc.array(frame, { maxLength: 10 }), cuts, (frames, offsets) => {
          const stream = Buffer.concat(frames.map(encode));
          const expected = { frames: frames.map(({ bytes }) => bytes), failed: false };
          expect(decodeAll(stream, offsets)).toEqual(expected);
          expect(decodeAll(stream, byteByByte(stream))).toEqual(expected);
        }),
        { numRuns: RUNS },
      );
    });

    it('decodes any bytes the same chunked as whole, and never throws', () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 600 }).map((array) => Buffer.from(array)),
        fc
          .array(fc.oneof(syntax, fc.constantFrom('12 ', '5 ', '0 ', '99999 ', '3x')), { maxLength: 40 })
          .map((pieces) => Buffer.from(pieces.join(''))),
      );
      fc.assert(
        fc.property(bytes, cuts, (stream, offsets) => {
          const whole = decodeAll(stream, []);
          expect(decodeAll(stream, offsets)).toEqual(whole);
          expect(decodeAll(stream, byteByByte(stream))).toEqual(whole);
        }),
        { numRuns: RUNS },
      );
    });

    it('takes time linear in the stream, fed whole or byte by byte', () => {
      fc.assert(
        fc.property(fc.array(frame, { minLength: 1, maxLength: 5 }), fc.boolean(), (frames, bytewise) => {
          const unit = Buffer.concat(frames.map(encode));
          const stream = (length: number) => Buffer.concat(Array(Math.ceil(length / unit.length)).fill(unit));
          const feed = (input: Buffer) => () => (bytewise ? feedBytewise(input) : decodeAll(input, []));
          const [small, large] = [stream(4_000), stream(40_000)];
          expect(lowestTimeRatio(feed(small), feed(large))).toBeLessThan(LINEAR_TIME_RATIO);
        }),
        { numRuns: TIMING_RUNS },
      );
    }, 60_000);
  });
});
