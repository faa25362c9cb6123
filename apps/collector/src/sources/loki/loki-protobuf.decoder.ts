import { parse } from 'protobufjs';
import { err, ok, Result } from '@logyard/contracts';
import { withinMessageLimit } from '../protobuf-messages';
import { parseLokiLabels } from './loki-labels.parser';
import { LokiPushRequest, LokiStream } from './loki-push';
import { inflateSnappyBlock } from './snappy-block';

/**
 * The push request of Grafana Loki's pkg/push/push.proto without its gogoproto options; Timestamp has the
 * wire form of google.protobuf.Timestamp.
 */
export const LOKI_PUSH_PROTO = `
syntax = "proto3";
package logproto;
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
}
message LabelPairAdapter { string name = 1; string value = 2; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`;

const PushRequest = parse(LOKI_PUSH_PROTO).root.lookupType('logproto.PushRequest');
const NANOS_PER_SECOND = 1_000_000_000n;

interface DecodedPush {
  streams: {
    labels: string;
    entries: {
      timestamp?: { seconds: string; nanos: number };
      line: string;
      structuredMetadata: { name: string; value: string }[];
    }[];
  }[];
}

/**
 * Decodes a snappy-compressed (block format) protobuf PushRequest, as Promtail, Alloy and the Loki clients
 * send it. `maxBytes` caps the uncompressed size.
 */
export function decodeLokiProtobuf(body: Buffer, maxBytes: number): Result<LokiPushRequest> {
  const bytes = inflateSnappyBlock(body, maxBytes);
  if (!bytes.ok) return err(`body is not a snappy-compressed Loki PushRequest: ${bytes.error}`);
  const bounded = withinMessageLimit(bytes.value, PushRequest, maxBytes);
  if (!bounded.ok) return bounded;
  let push: DecodedPush;
  try {
    push = PushRequest.toObject(PushRequest.decode(bytes.value), {
      longs: String,
      defaults: true,
      arrays: true,
    }) as DecodedPush;
  } catch (error) {
    return err(`body is not a snappy-compressed Loki PushRequest: ${(error as Error).message}`);
  }
  if (push.streams.length === 0) return err('streams: a Loki push needs at least one stream');
  const streams: LokiStream[] = [];
  for (const [s, stream] of push.streams.entries()) {
    const labels = parseLokiLabels(stream.labels);
    if (!labels.ok) return err(`streams[${s}].${labels.error}`);
    streams.push({
      labels: labels.value,
      entries: stream.entries.map(({ timestamp, line, structuredMetadata }) => ({
        ts: timestamp
          ? String(BigInt(timestamp.seconds) * NANOS_PER_SECOND + BigInt(timestamp.nanos))
          : undefined,
        line,
        metadata: Object.fromEntries(structuredMetadata.map(({ name, value }) => [name, value])),
      })),
    });
  }
  return ok({ streams });
}
