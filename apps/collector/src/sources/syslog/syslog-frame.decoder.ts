export interface DecodedFrames {
  frames: Buffer[];
  /** Set once the stream is unusable; frames before the fault are still returned. */
  error?: string;
}

const LF = '\n'.charCodeAt(0);
const CR = '\r'.charCodeAt(0);
const SPACE = ' '.charCodeAt(0);
const LT = '<'.charCodeAt(0);
const ZERO = '0'.charCodeAt(0);
const NINE = '9'.charCodeAt(0);
// Reading the length never buffers much: past this many digits it is no length at all.
const MAX_LENGTH_DIGITS = 20;

/** What an incomplete frame waits for: this many bytes from its start, or a line end. */
type Awaiting = number | 'line-end';
type Step = { frame: Buffer; end: number } | { awaiting: Awaiting } | { error: string };

/**
 * Splits a syslog TCP stream into messages, detecting the framing of each frame from its first byte
 * (RFC 6587): a digit starts an octet-counted frame (`MSG-LEN SP SYSLOG-MSG`), `<` a message ended by
 * LF. Octet counting carries any bytes, newlines included, which is why multi-line stack traces need it.
 *
 * Frames are capped at `maxFrameBytes`, which bounds what one connection buffers: an octet count above it
 * is refused as soon as it is read, before any of the frame is buffered, and so is a newline-terminated
 * message that runs past it. After an error the decoder stays failed; the caller closes the connection.
 *
 * Linear in the stream however it is chunked: the start of an incomplete frame is appended to a buffer
 * that doubles as it grows, and is decoded again only once a chunk can complete it (enough bytes for its
 * octet count, or a LF). Concatenating and rescanning it on every chunk made a 73 KB frame sent byte by
 * byte cost a second of CPU.
 */
export class SyslogFrameDecoder {
  /** The incomplete frame is `pending[0, pendingBytes)`; the rest of `pending` is room to grow. */
  private pending: Buffer = Buffer.alloc(0);
  private pendingBytes = 0;
  private awaiting: Awaiting = 0;
  private error?: string;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds the next chunk of the stream; returns the frames it completed. */
  push(chunk: Buffer): DecodedFrames {
    if (this.error) return { frames: [], error: this.error };
    if (this.pendingBytes > 0 && !this.completes(chunk)) return this.hold(chunk);
    const buffer =
      this.pendingBytes > 0
        ? Buffer.concat(
            [this.pending.subarray(0, this.pendingBytes), chunk],
            this.pendingBytes + chunk.length,
          )
        : chunk;
    const frames: Buffer[] = [];
    let at = 0;
    for (;;) {
      // Stray line ends between frames: some senders end octet-counted frames with LF as well.
      while (at < buffer.length && (buffer[at] === LF || buffer[at] === CR)) at++;
      if (at === buffer.length) break;
      const next = this.frameAt(buffer, at);
      if ('error' in next) return { frames, error: this.fail(next.error) };
      if ('awaiting' in next) {
        this.awaiting = next.awaiting;
        break;
      }
      frames.push(next.frame);
      at = next.end;
    }
    // Copied so a retained tail does not pin the whole chunk it came in.
    this.pending = Buffer.from(buffer.subarray(at));
    this.pendingBytes = this.pending.length;
    return { frames };
  }

  /** The end of the stream: a last newline-terminated message may lack its LF; an octet-counted one may not. */
  end(): DecodedFrames {
    if (this.error) return { frames: [], error: this.error };
    const rest = this.pending.subarray(0, this.pendingBytes);
    this.pending = Buffer.alloc(0);
    this.pendingBytes = 0;
    if (rest.length === 0) return { frames: [] };
    if (rest[0] === LT) return { frames: [trimLineEnd(rest)] };
    return {
      frames: [],
      error: this.fail(`connection closed inside an octet-counted frame (${rest.length} bytes buffered)`),
    };
  }

  /** Whether `chunk` may complete the incomplete frame, so that decoding it again is worth it. */
  private completes(chunk: Buffer): boolean {
    return this.awaiting === 'line-end'
      ? chunk.includes(LF)
      : this.pendingBytes + chunk.length >= this.awaiting;
  }

  /** Appends a chunk that cannot complete the incomplete frame. */
  private hold(chunk: Buffer): DecodedFrames {
    const length = this.pendingBytes + chunk.length;
    // An octet count was checked against the limit when read; a line is checked here, as it grows.
    if (this.awaiting === 'line-end' && length > this.maxFrameBytes) {
      return { frames: [], error: this.fail(lineTooLong(this.maxFrameBytes)) };
    }
    if (length > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(length, 2 * this.pending.length));
      this.pending.copy(grown, 0, 0, this.pendingBytes);
      this.pending = grown;
    }
    chunk.copy(this.pending, this.pendingBytes);
    this.pendingBytes = length;
    return { frames: [] };
  }

  private fail(error: string): string {
    this.error = error;
    this.pending = Buffer.alloc(0);
    this.pendingBytes = 0;
    return error;
  }

  private frameAt(buffer: Buffer, at: number): Step {
    if (isDigit(buffer[at])) return this.octetCounted(buffer, at);
    if (buffer[at] === LT) return this.newlineTerminated(buffer, at);
    return {
      error:
        `frame starts with byte 0x${buffer[at].toString(16).padStart(2, '0')}; expected a digit ` +
        `(octet counting, RFC 6587) or "<" (a newline-terminated message)`,
    };
  }

  private octetCounted(buffer: Buffer, start: number): Step {
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
    if (!complete) return { awaiting: at - start + 1 };
    if (buffer[at] !== SPACE) {
      return { error: `octet count ${digits} is followed by byte 0x${buffer[at].toString(16)}, not a space` };
    }
    const end = at + 1 + Number(digits);
    return end <= buffer.length ? { frame: buffer.subarray(at + 1, end), end } : { awaiting: end - start };
  }

  private newlineTerminated(buffer: Buffer, start: number): Step {
    const lf = buffer.indexOf(LF, start);
    const length = (lf < 0 ? buffer.length : lf) - start;
    if (length > this.maxFrameBytes) return { error: lineTooLong(this.maxFrameBytes) };
    return lf < 0
      ? { awaiting: 'line-end' }
      : { frame: trimLineEnd(buffer.subarray(start, lf)), end: lf + 1 };
  }
}

function lineTooLong(maxFrameBytes: number): string {
  return `newline-terminated message runs past ${maxFrameBytes} bytes without a line end`;
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= NINE;
}

function trimLineEnd(frame: Buffer): Buffer {
  return frame.length > 0 && frame[frame.length - 1] === CR ? frame.subarray(0, -1) : frame;
}
