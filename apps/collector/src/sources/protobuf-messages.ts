import { err, ok, Result } from '@logyard/contracts';
import { Enum, Field, Reader, Type, types } from 'protobufjs';

/** Bytes of BODY_LIMIT per message that a protobuf request may hold (see withinMessageLimit). */
const BODY_BYTES_PER_MESSAGE = 8;

/**
 * Refuses, unread, a protobuf body that holds more than one message per 8 bytes of BODY_LIMIT. protobufjs
 * builds an object for every message it decodes, and toObject another, before any record is checked or
 * paid for from the output budget: an empty OTLP log record is 2 bytes, and a 10 MB body of them held the
 * collector for 10 s and grew it to 1.3 GB. A real export runs about 17 bytes a message (9.8 MB from the
 * OpenTelemetry encoder, 26,000 records of 10 attributes each, holds 572,007 messages and took 2.5 s). Only
 * the densest bodies near BODY_LIMIT are refused, and told to send fewer records: attributes of one-letter
 * keys and small integers (9 bytes for 2 messages), Loki entries of one-byte lines (13 bytes for 2). A body
 * at the bound of empty records took 5.4 s, most of it building and publishing the 275,941 records the
 * output budget pays for, as many small real records would.
 */
export function withinMessageLimit(bytes: Uint8Array, type: Type, bodyLimitBytes: number): Result<void> {
  const limit = Math.floor(bodyLimitBytes / BODY_BYTES_PER_MESSAGE);
  if (countProtobufMessages(bytes, type, limit) <= limit) return ok(undefined);
  return err(
    `body holds over ${limit} protobuf messages (one per ${BODY_BYTES_PER_MESSAGE} bytes of BODY_LIMIT); send fewer records per request`,
  );
}

/**
 * How many messages `bytes`, a `type` on the wire, holds at every level of nesting, counted without building
 * any, and no further than one past `limit`. It reads the wire as protobufjs's decoder does, with its
 * Reader: a field by its number and declared type whatever its wire type says (a message field given as a
 * varint is still a message to protobufjs), unknown fields skipped by their wire type, the same varint and
 * length rules, the same nesting limit. Wherever the decoder reads on, this reads the same bytes the same
 * way; where it throws, this may read on, which only counts more. So the count is never less than what the
 * decoder builds. Neither schema read here has map or group fields.
 */
export function countProtobufMessages(bytes: Uint8Array, type: Type, limit: number): number {
  const walk = new WireWalk(Reader.create(bytes), limit);
  try {
    walk.message(type, bytes.length, 0);
  } catch {
    // Where protobufjs's decoder throws too: the count so far is all it builds.
  }
  return walk.count;
}

class WireWalk {
  count = 0;

  constructor(
    private readonly reader: Reader,
    private readonly limit: number,
  ) {}

  /** Walks the fields of a `type` that ends at `end`, as `type.decode` reads them; false once over the limit. */
  message(type: Type, end: number, depth: number): boolean {
    const { reader } = this;
    while (reader.pos < end) {
      const tag = reader.uint32();
      const field = type.fieldsById[tag >>> 3]?.resolve();
      if (!field) reader.skipType(tag & 7, depth);
      else if (field.resolvedType instanceof Type) {
        if (++this.count > this.limit || !this.nested(field.resolvedType, reader.uint32(), depth + 1))
          return false;
      } else this.skipValue(field, tag & 7);
    }
    return true;
  }

  /** A nested message of `length` bytes, bounded as the decoder bounds it (`decode(r, length)`). */
  private nested(type: Type, length: number, depth: number): boolean {
    const { reader } = this;
    if (depth > Reader.recursionLimit) throw new RangeError('maximum nesting depth exceeded');
    const end = reader.pos + length;
    if (end > reader.len) throw new RangeError('index out of range');
    const outer = reader.len;
    reader.len = end;
    if (!this.message(type, end, depth)) return false;
    if (reader.pos !== end) throw new RangeError('index out of range');
    reader.len = outer;
    return true;
  }

  /** Steps over a scalar field's value as the decoder reads it: by its declared type, or packed. */
  private skipValue(field: Field, wireType: number): void {
    const { reader } = this;
    const scalar = field.resolvedType instanceof Enum ? 'int32' : field.type;
    if (field.repeated && PACKABLE[scalar] !== undefined && wireType === 2) {
      reader.skip(reader.uint32());
      return;
    }
    switch (WIRE_TYPES[scalar]) {
      case 0:
        // 32-bit varints are read with uint32, which steps over a tenth byte unread; 64-bit ones to their end.
        if (LONG_VARINTS.has(scalar)) reader.skip();
        else reader.uint32();
        return;
      case 1:
        reader.skip(8);
        return;
      case 2: {
        const length = reader.uint32();
        // A Buffer's reader cuts a string short at the end of its message instead of throwing (bytes throw).
        if (scalar === 'string') reader.pos = Math.min(reader.pos + length, reader.len);
        else reader.skip(length);
        return;
      }
      default:
        reader.skip(4);
    }
  }
}

/** The wire type protobufjs reads each scalar type in, and which of them it also takes packed. */
const WIRE_TYPES: Readonly<Record<string, number | undefined>> = types.basic;
const PACKABLE: Readonly<Record<string, number | undefined>> = types.packed;
const LONG_VARINTS = new Set(['int64', 'uint64', 'sint64']);
