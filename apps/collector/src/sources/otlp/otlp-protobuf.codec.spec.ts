import { join } from 'node:path';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { Field, INamespace, Root, Type } from 'protobufjs';
import { DEFAULT_BODY_LIMIT_BYTES } from '@logyard/contracts';
import { countProtobufMessages } from '../protobuf-messages';
import { OtlpLogsRequest } from './otlp-codec';
import { OTLP_JSON_CODEC } from './otlp-json.codec';
import { mapOtlpLogs } from './otlp-logs.mapper';
import { OTLP_PROTOBUF_CODEC } from './otlp-protobuf.codec';
import descriptor from './proto/otlp-logs.descriptor.json';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const OBSERVED = '2026-11-24T23:49:27.123000Z';
const ExportLogsServiceRequest = Root.fromJSON(descriptor as INamespace).lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);
const decodeProtobuf = (body: Buffer) => OTLP_PROTOBUF_CODEC.decodeRequest(body, DEFAULT_BODY_LIMIT_BYTES);
const decodeJson = (body: Buffer) => OTLP_JSON_CODEC.decodeRequest(body, DEFAULT_BODY_LIMIT_BYTES);

/** Log records as the OpenTelemetry JS SDK hands them to an exporter. */
async function sdkLogRecords(): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'web-1.prod' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('orders', '1.2.3');
  const inSpan = trace.setSpanContext(context.active(), {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });
  logger.emit({
    timestamp: new Date('2026-11-24T10:00:00.123Z'),
    severityNumber: SeverityNumber.ERROR2,
    severityText: 'ERROR',
    body: 'payment declined',
    attributes: { 'order.id': 42, amount: 9.5, tags: ['a', 'b'], ok: false },
    context: inSpan,
  });
  logger.emit({ severityNumber: SeverityNumber.INFO, body: { event: 'login', user: 'ada' } });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

function unwrap(result: ReturnType<typeof OTLP_PROTOBUF_CODEC.decodeRequest>): OtlpLogsRequest {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe('OTLP_PROTOBUF_CODEC', () => {
  it('runs on a descriptor generated from the vendored opentelemetry-proto files', () => {
    const protoDir = join(__dirname, 'proto', 'vendor');
    const root = new Root();
    root.resolvePath = (_origin, target) => join(protoDir, target);
    root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
    // If this fails after updating the .proto files, regenerate the descriptor as README "Sources" says.
    expect(root.toJSON()).toEqual(descriptor);
  });

  it('decodes what the OpenTelemetry SDK encodes into the same records as its JSON encoding', async () => {
    const records = await sdkLogRecords();
    const fromProtobuf = mapOtlpLogs(
      unwrap(decodeProtobuf(Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!))),
      { observedTs: OBSERVED },
    );
    const fromJson = mapOtlpLogs(
      unwrap(decodeJson(Buffer.from(JsonLogsSerializer.serializeRequest(records)!))),
      { observedTs: OBSERVED },
    );
    const withoutIds = (mapping: typeof fromJson) => mapping.records.map(({ id: _id, ...rest }) => rest);

    expect(fromProtobuf.errors).toEqual([]);
    expect(withoutIds(fromProtobuf)).toEqual(withoutIds(fromJson));
    expect(fromProtobuf.records[0]).toMatchObject({
      ts: '2026-11-24T10:00:00.123000Z',
      host: 'web-1.prod',
      service: 'checkout',
      severity: 'error',
      message: 'payment declined',
      attributes: {
        'otel.scope.name': 'orders',
        'otel.scope.version': '1.2.3',
        'order.id': 42,
        amount: 9.5,
        tags: ['a', 'b'],
        ok: false,
      },
      traceId: TRACE_ID,
      spanId: SPAN_ID,
    });
    expect(fromProtobuf.records[1]).toMatchObject({
      severity: 'info',
      message: '{"event":"login","user":"ada"}',
    });
    expect(fromProtobuf.records[1]).not.toHaveProperty('traceId');
  });

  it('decodes an empty body as an empty request', () => {
    expect(decodeProtobuf(Buffer.alloc(0))).toEqual({
      ok: true,
      value: { resourceLogs: [] },
    });
  });

  it('refuses a truncated body, saying what it expected', async () => {
    const body = Buffer.from(ProtobufLogsSerializer.serializeRequest(await sdkLogRecords())!);
    expect(decodeProtobuf(body.subarray(0, body.length - 7))).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^body is not an OTLP ExportLogsServiceRequest in protobuf: index out of range/,
      ),
    });
  });

  it('refuses, unread, a body of more messages than BODY_LIMIT pays for', async () => {
    const body = Buffer.from(ProtobufLogsSerializer.serializeRequest(await sdkLogRecords())!);
    const messages = countProtobufMessages(body, ExportLogsServiceRequest, Infinity);
    // The containers, the resource and scope, two records, and every attribute and value of theirs.
    expect(messages).toBe(28);
    expect(OTLP_PROTOBUF_CODEC.decodeRequest(body, messages * 8).ok).toBe(true);
    expect(OTLP_PROTOBUF_CODEC.decodeRequest(body, messages * 8 - 1)).toEqual({
      ok: false,
      error: `body holds over ${messages - 1} protobuf messages (one per 8 bytes of BODY_LIMIT); send fewer records per request`,
    });
  });

  it('encodes responses the SDK reads back', () => {
    expect(OTLP_PROTOBUF_CODEC.encodeResponse()).toEqual(Buffer.alloc(0));
    expect(
      ProtobufLogsSerializer.deserializeResponse(
        OTLP_PROTOBUF_CODEC.encodeResponse({
          rejectedLogRecords: 2,
          errorMessage: '2 of 5 log records refused',
        }),
      ),
    ).toEqual({ partialSuccess: { rejectedLogRecords: 2, errorMessage: '2 of 5 log records refused' } });
  });

  it('encodes a bad request as a google.rpc.Status with INVALID_ARGUMENT', () => {
    const status = new Type('Status')
      .add(new Field('code', 1, 'int32'))
      .add(new Field('message', 2, 'string'));
    new Root().add(status);
    expect(status.toObject(status.decode(OTLP_PROTOBUF_CODEC.encodeBadRequest('truncated')))).toEqual({
      code: 3,
      message: 'truncated',
    });
  });
});
