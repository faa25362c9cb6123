import { Field, INamespace, Root, Type } from 'protobufjs';
import { err, ok, Result } from '@logyard/contracts';
import { withinMessageLimit } from '../protobuf-messages';
import { OtlpCodec, OtlpLogsRequest, OtlpPartialSuccess } from './otlp-codec';
// Generated from the vendored opentelemetry-proto files in proto/vendor (see README "Sources"); a spec keeps them equal.
import descriptor from './proto/otlp-logs.descriptor.json';

const PACKAGE = 'opentelemetry.proto.collector.logs.v1';
const root = Root.fromJSON(descriptor as INamespace);
const ExportLogsServiceRequest = root.lookupType(`${PACKAGE}.ExportLogsServiceRequest`);
const ExportLogsServiceResponse = root.lookupType(`${PACKAGE}.ExportLogsServiceResponse`);

// google.rpc.Status, the error body OTLP/HTTP specifies; its `details` (field 3) are never sent.
const Status = new Type('Status').add(new Field('code', 1, 'int32')).add(new Field('message', 2, 'string'));
new Root().define('google.rpc').add(Status);
const INVALID_ARGUMENT = 3;

/** OTLP/HTTP with Content-Type application/x-protobuf, on the OpenTelemetry project's own .proto definitions. */
export const OTLP_PROTOBUF_CODEC: OtlpCodec = {
  contentType: 'application/x-protobuf',
  decodeRequest,
  encodeResponse: (partialSuccess?: OtlpPartialSuccess) =>
    encode(ExportLogsServiceResponse, partialSuccess ? { partialSuccess } : {}),
  encodeBadRequest: (message: string) => encode(Status, { code: INVALID_ARGUMENT, message }),
};

function decodeRequest(body: Buffer, bodyLimitBytes: number): Result<OtlpLogsRequest> {
  const bounded = withinMessageLimit(body, ExportLogsServiceRequest, bodyLimitBytes);
  if (!bounded.ok) return bounded;
  let request: OtlpLogsRequest;
  try {
    // To the OTLP/JSON shape: 64-bit integers as decimal strings, bytes as base64, enums as numbers.
    request = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(body), {
      longs: String,
      bytes: String,
      enums: Number,
      arrays: true,
    }) as OtlpLogsRequest;
  } catch (error) {
    return err(`body is not an OTLP ExportLogsServiceRequest in protobuf: ${(error as Error).message}`);
  }
  // OTLP/JSON writes trace and span ids in hex rather than base64, and so does LogRecord.
  for (const { scopeLogs } of request.resourceLogs) {
    for (const { logRecords } of scopeLogs) {
      for (const record of logRecords) {
        for (const field of ['traceId', 'spanId']) {
          if (typeof record[field] === 'string')
            record[field] = Buffer.from(record[field], 'base64').toString('hex');
        }
      }
    }
  }
  return ok(request);
}

function encode(type: Type, value: Record<string, unknown>): Buffer {
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}
