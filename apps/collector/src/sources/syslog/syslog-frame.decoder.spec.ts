import { LINEAR_TIME_RATIO, lowestTimeRatio } from '@logyard/testing';
import { SyslogFrameDecoder } from './syslog-frame.decoder';

const MAX = 1000;
const octets = (message: string) => `${Buffer.byteLength(message)} ${message}`;
const texts = (frames: Buffer[]) => frames.map((frame) => frame.toString());

/** Feeds `stream` in chunks of `size` bytes and ends it; returns every frame and the first error. */
function decode(stream: string | Buffer, size = Infinity) {
  const sut = new SyslogFrameDecoder(MAX);
  const bytes = Buffer.from(stream);
  const frames: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const { frames: some, error } = sut.push(bytes.subarray(at, at + size));
    frames.push(...some);
    if (error) return { frames: texts(frames), error };
  }
  const { frames: last, error } = sut.end();
  return { frames: texts([...frames, ...last]), error };
}

describe(SyslogFrameDecoder.name, () => {
  const trace = '<11>1 - h app - - - Error: boom\n    at a (x.js:1:1)\n    at b (y.js:2:2)\n';
  const stream =
    octets('<13>1 - h a - - - one') + octets(trace) + '<13>three\r\n' + '<13>four\n' + octets('<13>five');

  it.each([[Infinity], [1], [2], [7], [64]])(
    'splits mixed octet-counted and newline-terminated frames, whatever the chunking (%p-byte chunks)',
    (size) => {
      expect(decode(stream, size)).toEqual({
        frames: ['<13>1 - h a - - - one', trace, '<13>three', '<13>four', '<13>five'],
        error: undefined,
      });
    },
  );

  it('counts octets, not characters', () => {
    expect(decode(octets('<13>1 - h a - - - grüße ✓') + octets('<13>x')).frames).toEqual([
      '<13>1 - h a - - - grüße ✓',
      '<13>x',
    ]);
  });

  it('skips line ends between frames', () => {
    expect(decode(`${octets('<13>a')}\n\r\n${octets('<13>b')}\n`).frames).toEqual(['<13>a', '<13>b']);
  });

  it('emits a last newline-terminated message that lacks its line end', () => {
    expect(decode('<13>a\n<13>b')).toEqual({ frames: ['<13>a', '<13>b'], error: undefined });
  });

  it('refuses an octet count over the limit as soon as it is read, before any of the frame arrives', () => {
    const sut = new SyslogFrameDecoder(MAX);
    expect(sut.push(Buffer.from(`${octets('<13>ok')}10485760 `))).toEqual({
      frames: [Buffer.from('<13>ok')],
      error: 'octet count 10485760 exceeds the frame limit of 1000 bytes',
    });
  });

  it('refuses an over-long count even while its digits are still arriving', () => {
    expect(new SyslogFrameDecoder(MAX).push(Buffer.from('12345'))).toEqual({
      frames: [],
      error: 'octet count 12345… exceeds the frame limit of 1000 bytes',
    });
  });

  it('refuses a newline-terminated message that runs past the limit', () => {
    expect(decode(`<13>${'x'.repeat(MAX)}`, 100).error).toBe(
      'newline-terminated message runs past 1000 bytes without a line end',
    );
  });

  it.each([
    [
      'garbage',
      '\x16\x03\x01 TLS hello',
      'frame starts with byte 0x16; expected a digit (octet counting, RFC 6587) or "<" (a newline-terminated message)',
    ],
    [
      'a plain line',
      'hello\n',
      'frame starts with byte 0x68; expected a digit (octet counting, RFC 6587) or "<" (a newline-terminated message)',
    ],
    ['a leading zero', '05 <13>a', 'octet count 05 starts with 0'],
    ['no space after the count', '5x<13>a', 'octet count 5 is followed by byte 0x78, not a space'],
    [
      'a count cut off by the end of the stream',
      '50 <13>only part',
      'connection closed inside an octet-counted frame (16 bytes buffered)',
    ],
  ])('refuses %s', (_, input, error) => {
    expect(decode(input).error).toBe(error);
  });

  it('stays failed after an error', () => {
    const sut = new SyslogFrameDecoder(MAX);
    sut.push(Buffer.from('?'));
    expect(sut.push(Buffer.from(octets('<13>a')))).toEqual({ frames: [], error: expect.any(String) });
  });

  // Issue 11, finding 1: a 73 KB frame fed byte by byte cost a second of CPU, each byte rescanning the rest.
  it.each([
    ['an octet-counted frame', (size: number) => octets(`<13>1 - h a - - - ${'x'.repeat(size)}`)],
    ['a newline-terminated frame', (size: number) => `<13>1 - h a - - - ${'x'.repeat(size)}\n`],
  ])('decodes %s fed byte by byte in time linear in its size', (_, frame) => {
    const feed = (stream: Buffer) => () => {
      const sut = new SyslogFrameDecoder(100_000);
      let frames = 0;
      for (let at = 0; at < stream.length; at++)
        frames += sut.push(stream.subarray(at, at + 1)).frames.length;
      if (frames !== 1) throw new Error(`decoded ${frames} frames`);
    };
    const [small, large] = [Buffer.from(frame(7_300)), Buffer.from(frame(73_000))];
    expect(lowestTimeRatio(feed(small), feed(large))).toBeLessThan(LINEAR_TIME_RATIO);
  });
});
