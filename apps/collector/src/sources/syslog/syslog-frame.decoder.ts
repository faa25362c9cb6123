export interface DecodedFrames {
  frames: Buffer[];
  /** Set once the stream is unusable; frames before the fault are still returned. */
  error?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const LT = 0x3c;
const ZERO = 0x30;
const NINE = 0x39;
// Reading the length never buffers much: past this many digits it is no length at all.
const MAX_LENGTH_DIGITS = 20;

/**
 * Splits a syslog TCP stream into messages, detecting the framing of each frame from its first byte
 * (RFC 6587): a digit starts an octet-counted frame (`MSG-LEN SP SYSLOG-MSG`), `<` a message ended by
 * LF. Octet counting carries any bytes, newlines included, which is why multi-line stack traces need it.
 *
 * Frames are capped at `maxFrameBytes`: an octet count above it is refused as soon as it is read, before
 * any of the frame is buffered, and so is a newline-framed message that runs past it. After an error the
 * decoder stays failed; the caller closes the connection.
 */
export class SyslogFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private error?: string;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds the next chunk of the stream; returns the frames it completed. */
  push(chunk: Buffer): DecodedFrames {
    if (this.error) return { frames: [], error: this.error };
    const buffer = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Buffer[] = [];
    let at = 0;
    for (;;) {
      // Stray line ends between frames: some senders end octet-counted frames with LF as well.
      while (at < buffer.length && (buffer[at] === LF || buffer[at] === CR)) at++;
      if (at === buffer.length) break;
      const next = isDigit(buffer[at])
        ? this.octetCounted(buffer, at)
        : buffer[at] === LT
          ? this.newlineTerminated(buffer, at)
          : {
              error:
                `frame starts with byte 0x${buffer[at].toString(16).padStart(2, '0')}; expected a digit ` +
                `(octet counting, RFC 6587) or "<" (a newline-terminated message)`,
            };
      if ('error' in next) {
        this.error = next.error;
        this.pending = Buffer.alloc(0);
        return { frames, error: next.error };
      }
      if (!next.frame) break;
      frames.push(next.frame);
      at = next.end;
    }
    // Copied so a retained tail does not pin the whole chunk it came in.
    this.pending = Buffer.from(buffer.subarray(at));
    return { frames };
  }

  /** The end of the stream: a last newline-terminated message may lack its LF; an octet-counted one may not. */
  end(): DecodedFrames {
    if (this.error) return { frames: [], error: this.error };
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length === 0) return { frames: [] };
    if (rest[0] === LT) return { frames: [trimLineEnd(rest)] };
    this.error = `connection closed inside an octet-counted frame (${rest.length} bytes buffered)`;
    return { frames: [], error: this.error };
  }

  private octetCounted(buffer: Buffer, start: number): { frame?: Buffer; end: number } | { error: string } {
    let at = start;
    while (at < buffer.length && isDigit(buffer[at]) && at - start <= MAX_LENGTH_DIGITS) at++;
    const digits = buffer.toString('latin1', start, at);
    const complete = at < buffer.length;
    if (buffer[start] === ZERO) return { error: `octet count ${digits} starts with 0` };
    if (at - start > MAX_LENGTH_DIGITS || Number(digits) > this.maxFrameBytes) {
      return {
        error: `octet count ${digits}${complete ? '' : '…'} exceeds the frame limit of ${this.maxFrameBytes} bytes`,
      };
    }
    if (!complete) return { end: start };
    if (buffer[at] !== SPACE) {
      return { error: `octet count ${digits} is followed by byte 0x${buffer[at].toString(16)}, not a space` };
    }
    const end = at + 1 + Number(digits);
    return end <= buffer.length ? { frame: buffer.subarray(at + 1, end), end } : { end: start };
  }

  private newlineTerminated(
    buffer: Buffer,
    start: number,
  ): { frame?: Buffer; end: number } | { error: string } {
    const lf = buffer.indexOf(LF, start);
    const length = (lf < 0 ? buffer.length : lf) - start;
    if (length > this.maxFrameBytes) {
      return { error: `newline-terminated message runs past ${this.maxFrameBytes} bytes without a line end` };
    }
    return lf < 0 ? { end: start } : { frame: trimLineEnd(buffer.subarray(start, lf)), end: lf + 1 };
  }
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= NINE;
}

function trimLineEnd(frame: Buffer): Buffer {
  return frame.length > 0 && frame[frame.length - 1] === CR ? frame.subarray(0, -1) : frame;
}
