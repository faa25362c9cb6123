import { err, ok, Result } from '@logyard/contracts';
import { Type } from 'protobufjs';

/** Bytes of BODY_LIMIT per message that a protobuf request may hold (see withinMessageLimit). */
const BODY_BYTES_PER_MESSAGE = 8;
/** Levels of nesting the count follows; protobufjs's own decoder stops at 100 too. */
const MAX_DEPTH = 100;
/** The wire types (a tag's low 3 bits) a count steps over; the deprecated groups (3, 4) end it. */
const WIRE_TYPE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/**
 * Refuses, unread, a protobuf body that holds more than one message per 8 bytes of BODY_LIMIT. protobufjs
 * builds an object for every message it decodes, and toObject another, before any record is checked or
 * paid for from the output budget: an empty OTLP log record is 2 bytes, and a 10 MB body of them held the
 * collector for 10 s and grew it to 1.3 GB. A real export runs about 16 bytes a message (9.8 MB from the
 * OpenTelemetry encoder, 26,000 records of 10 attributes each, holds 600,000 messages and took 2.5 s), so
 * none is refused; a body at the bound of empty records took 5.4 s, most of it building and publishing the
 * 279,620 records the output budget pays for, as many small real records would.
 */
export function withinMessageLimit(bytes: Uint8Array, type: Type, bodyLimitBytes: number): Result<void> {
  const limit = Math.floor(bodyLimitBytes / BODY_BYTES_PER_MESSAGE);
  if (countProtobufMessages(bytes, type, limit) <= limit) return ok(undefined);
  return err(
    `body holds over ${limit} protobuf messages (one per ${BODY_BYTES_PER_MESSAGE} bytes of BODY_LIMIT); send fewer records per request`,
  );
}

/**
 * How many messages `bytes`, a `type` on the wire, holds at every level of nesting, counted without decoding
 * any, and no further than one past `limit`. Wire it cannot read (a varint or length cut short, a group,
 * nesting past MAX_DEPTH) ends the count where it is: the decoder that follows refuses it in its own words.
 */
export function countProtobufMessages(bytes: Uint8Array, type: Type, limit: number): number {
  const walk = new WireWalk(bytes, limit);
  walk.message(type, bytes.length, 0);
  return walk.count;
}

class WireWalk {
  count = 0;
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limit: number,
  ) {}

  /** Walks the fields of a `type` that ends at `end`; false once the wire is unreadable or the count is over. */
  message(type: Type, end: number, depth: number): boolean {
    while (this.at < end) {
      const tag = this.varint(end);
      if (tag === undefined) return false;
      switch (tag % 8) {
        case WIRE_TYPE.varint:
          if (this.varint(end) === undefined) return false;
          break;
        case WIRE_TYPE.fixed64:
          this.at += 8;
          break;
        case WIRE_TYPE.fixed32:
          this.at += 4;
          break;
        case WIRE_TYPE.lengthDelimited: {
          const length = this.varint(end);
          if (length === undefined || length > end - this.at) return false;
          const fieldEnd = this.at + length;
          const nested = type.fieldsById[Math.floor(tag / 8)]?.resolve().resolvedType;
          if (nested instanceof Type) {
            this.count++;
            if (this.count > this.limit || depth === MAX_DEPTH) return false;
            if (!this.message(nested, fieldEnd, depth + 1)) return false;
          }
          this.at = fieldEnd;
          break;
        }
        default:
          return false;
      }
    }
    return this.at === end;
  }

  /** A varint of up to 64 bits as a number (exact up to 2^53, enough for tags and lengths); undefined if cut. */
  private varint(end: number): number | undefined {
    let value = 0;
    for (let shift = 1; this.at < end && shift < 2 ** 70; shift *= 128) {
      const byte = this.bytes[this.at++];
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
    }
    return undefined;
  }
}
