import { err, ok, Result } from '@logyard/contracts';

/** Snappy's densest element, a copy with a two-byte offset, writes at most 64 bytes for its 3. */
const MAX_EXPANSION = 64 / 3;
/** The preamble is a little-endian varint of at most 32 bits: five bytes. */
const MAX_LENGTH_BYTES = 5;

const LITERAL = 0;
const COPY_1 = 1;
const COPY_2 = 2;
/** Below this many bytes a loop copies a literal faster than a subarray and `set` do. */
const SHORT_LITERAL = 32;

/**
 * Inflates one block of the snappy format (google/snappy, format_description.txt), as Loki's push protocol
 * carries it, refusing at the first fault. Written here rather than taken from snappyjs, whose decoder reads
 * a four-byte literal length as a signed number and steps backwards on it: a 6-byte body looped forever.
 *
 * Every element moves forward through the body and writes only within the declared length, which is held to
 * `maxBytes` and to what the body could possibly inflate to before anything is allocated: the work is linear
 * in the body and bounded by the output.
 */
export function inflateSnappyBlock(body: Uint8Array, maxBytes: number): Result<Buffer> {
  const preamble = readLength(body);
  if (!preamble.ok) return preamble;
  const { length, start } = preamble.value;
  const possible = Math.ceil(body.length * MAX_EXPANSION);
  if (length > Math.min(maxBytes, possible)) {
    return err(
      length > maxBytes
        ? `snappy: declares ${length} bytes uncompressed, over the limit of ${maxBytes}`
        : `snappy: declares ${length} bytes uncompressed, more than ${body.length} bytes can hold`,
    );
  }
  const out = Buffer.allocUnsafe(length);
  let written = 0;
  let pos = start;
  while (pos < body.length) {
    const at = pos;
    const tag = body[pos];
    const kind = tag & 3;
    let len: number;
    if (kind === LITERAL) {
      const short = tag >>> 2;
      const extra = short < 60 ? 0 : short - 59;
      if (pos + extra >= body.length) return err(`snappy: literal at byte ${at} is cut short`);
      len = short < 60 ? short + 1 : littleEndian(body, pos + 1, extra) + 1;
      pos += 1 + extra;
      if (len > body.length - pos) return err(`snappy: literal at byte ${at} runs past the body`);
      if (len > length - written) return err(`snappy: literal at byte ${at} runs past the declared length`);
      if (len < SHORT_LITERAL) for (let i = 0; i < len; i++) out[written + i] = body[pos + i];
      else out.set(body.subarray(pos, pos + len), written);
      pos += len;
    } else {
      const offsetBytes = kind === COPY_1 ? 1 : kind === COPY_2 ? 2 : 4;
      if (pos + offsetBytes >= body.length) return err(`snappy: copy at byte ${at} is cut short`);
      len = kind === COPY_1 ? ((tag >>> 2) & 7) + 4 : (tag >>> 2) + 1;
      const offset =
        kind === COPY_1 ? ((tag >>> 5) << 8) | body[pos + 1] : littleEndian(body, pos + 1, offsetBytes);
      if (offset === 0 || offset > written) return err(`snappy: copy at byte ${at} reaches before the start`);
      if (len > length - written) return err(`snappy: copy at byte ${at} runs past the declared length`);
      // Byte by byte, forwards: a copy is at most 64 bytes, and one reaching into itself (offset < len)
      // repeats its period, as the format intends.
      for (let i = 0; i < len; i++) out[written + i] = out[written - offset + i];
      pos += 1 + offsetBytes;
    }
    written += len;
  }
  if (written !== length) return err(`snappy: declares ${length} bytes uncompressed, holds ${written}`);
  return ok(out);
}

/** The length a snappy block declares it inflates to, read from its preamble; 0 when it declares none. */
export function snappyBlockLength(body: Uint8Array): number {
  const preamble = readLength(body);
  return preamble.ok ? preamble.value.length : 0;
}

function readLength(body: Uint8Array): Result<{ length: number; start: number }> {
  let length = 0;
  for (let i = 0; i < MAX_LENGTH_BYTES && i < body.length; i++) {
    // Multiplication, not <<, so the fifth byte cannot turn the length negative.
    length += (body[i] & 0x7f) * 2 ** (7 * i);
    if (body[i] < 0x80) {
      return length > 0xffffffff
        ? err('snappy: the declared length is over 32 bits')
        : ok({ length, start: i + 1 });
    }
  }
  return err('snappy: the declared length is cut short or over 32 bits');
}

/** An unsigned little-endian integer of 1 to 4 bytes. */
function littleEndian(body: Uint8Array, at: number, bytes: number): number {
  let value = 0;
  for (let i = bytes - 1; i >= 0; i--) value = value * 256 + body[at + i];
  return value;
}
