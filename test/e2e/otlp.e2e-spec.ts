import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { Field, Root, Type } from 'protobufjs';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { metricValue } from '@logyard/observability';
import { postWhileBrokerAway } from '../support/broker-away';
import { request } from '../support/http';

/**
 * An instrumented service in miniature: the OpenTelemetry JS SDK and its OTLP exporter, in a Node process of
 * its own because the 0.223 exporters load node:http with import(), which jest's module sandbox refuses
 * (it would need --experimental-vm-modules). Emits the logs given as JSON in argv[1] through a batch
 * processor, and exits 0 only once the exporter reported success.
 */
const SDK_SERVICE = `
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { context, trace } = require('@opentelemetry/api');
const { url, encoding, compression, resource, logs } = JSON.parse(process.argv[1]);
const { OTLPLogExporter } = require(
  encoding === 'protobuf' ? '@opentelemetry/exporter-logs-otlp-proto' : '@opentelemetry/exporter-logs-otlp-http',
);
const exporter = new OTLPLogExporter({ url, compression });
const send = exporter.export.bind(exporter);
let failure;
exporter.export = (records, done) => send(records, (result) => {
  if (result.code !== 0) failure = result.error ?? new Error('export failed');
  done(result);
});
const provider = new LoggerProvider({
  resource: resourceFromAttributes(resource),
  processors: [new BatchLogRecordProcessor({ exporter })],
});
const logger = provider.getLogger('checkout-lib', '2.0.1');
for (const { timestamp, spanContext, ...log } of logs) {
  const inSpan = spanContext && trace.setSpanContext(context.active(), spanContext);
  logger.emit({ ...log, timestamp: timestamp && new Date(timestamp), context: inSpan });
}
provider.shutdown().then(() => {
  if (failure) {
    console.error(String(failure));
    process.exit(1);
  }
});
`;
const REPOSITORY = join(__dirname, '../..');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

interface SdkLog {
  timestamp?: string;
  severityNumber?: number;
  severityText?: string;
  body?: unknown;
  attributes?: Record<string, unknown>;
  spanContext?: { traceId: string; spanId: string; traceFlags: number };
}

/** Runs SDK_SERVICE; rejects, with its output, when the export failed. */
async function exportWithSdk(options: {
  url: string;
  encoding: 'json' | 'protobuf';
  compression: 'gzip' | 'none';
  resource: Record<string, string>;
  logs: SdkLog[];
}): Promise<void> {
  await promisify(execFile)(process.execPath, ['-e', SDK_SERVICE, JSON.stringify(options)], {
    cwd: REPOSITORY,
    timeout: 30_000,
  });
}

/** The same log records the SDK would export, for requests built by hand. */
async function sdkRecords(
  count: number,
  severityNumber: number,
  service: string,
): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('bench');
  for (let i = 0; i < count; i++) logger.emit({ severityNumber, body: `line ${i}`, attributes: { i } });
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

describe('OTLP/HTTP logs: POST /v1/logs → router → archiver → PostgreSQL', () => {
  let logyard: IsolatedLogyard;
  const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
  const countOf = (service: string) =>
    logyard.db.scalar('SELECT count(*) FROM logs WHERE service = $1', [service]);

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
  });

  afterAll(() => logyard?.close());

  it.each([
    ['JSON, gzip-compressed', 'json', 'gzip'],
    ['protobuf', 'protobuf', 'none'],
  ] as const)(
    'archives what the OpenTelemetry SDK exports as %s, with host, service, severity, attributes and trace ids',
    async (_, encoding, compression) => {
      const service = unique('otel-sdk');
      await exportWithSdk({
        url: `${logyard.url}/v1/logs`,
        encoding,
        compression,
        resource: { 'service.name': service, 'host.name': 'web-1.prod.example.com' },
        logs: [
          {
            timestamp: '2026-11-24T10:00:00.123Z',
            severityNumber: SeverityNumber.ERROR,
            severityText: 'ERROR',
            body: 'payment declined',
            attributes: { 'order.id': 42, 'http.route': '/pay', retried: true },
            spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 },
          },
          { timestamp: '2026-11-24T10:00:01Z', severityText: 'Warning', body: { event: 'slow', ms: 1500 } },
        ],
      });

      const stored = await logyard.db.archived(service, 2);
      expect(stored[0]).toMatchObject({
        ts: new Date('2026-11-24T10:00:00.123Z'),
        host: 'web-1.prod.example.com',
        service,
        severity: 17,
        message: 'payment declined',
        attributes: {
          'order.id': 42,
          'http.route': '/pay',
          retried: true,
          'otel.scope.name': 'checkout-lib',
          'otel.scope.version': '2.0.1',
        },
        trace_id: TRACE_ID,
        span_id: SPAN_ID,
      });
      expect(stored[1]).toMatchObject({
        severity: 13,
        message: '{"event":"slow","ms":1500}',
        trace_id: null,
      });
    },
  );

  it('accepts a gzip-compressed JSON body and answers {}', async () => {
    const service = unique('otel-gzip');
    const body = gzipSync(
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
            scopeLogs: [
              { logRecords: [{ timeUnixNano: '1764000000000000000', body: { stringValue: 'zipped' } }] },
            ],
          },
        ],
      }),
    );
    const response = await request(`${logyard.url}/v1/logs`, {
      body,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(response).toMatchObject({ status: 200, body: {} });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    await waitFor('the zipped record', async () => (await countOf(service)) === 1);
  });

  it('keeps the valid records and reports the refused ones as a partial success, in JSON and in protobuf', async () => {
    const service = unique('otel-partial');
    const json = await request(`${logyard.url}/v1/logs`, {
      body: {
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
            scopeLogs: [
              {
                logRecords: [
                  { body: { stringValue: 'fine' } },
                  { body: { stringValue: 'loud' }, severityNumber: 30 },
                  { body: { stringValue: 'late' }, timeUnixNano: 'yesterday' },
                ],
              },
            ],
          },
        ],
      },
    });
    expect(json).toMatchObject({
      status: 200,
      body: {
        partialSuccess: {
          rejectedLogRecords: '2',
          errorMessage: expect.stringMatching(
            /^2 of 3 log records refused: resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[1\]: severityNumber: 30 .*; .*logRecords\[2\]: timeUnixNano: "yesterday"/,
          ),
        },
      },
    });

    const records = [
      ...(await sdkRecords(2, SeverityNumber.INFO, service)),
      ...(await sdkRecords(1, 99, service)),
    ];
    const protobuf = await fetch(`${logyard.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!),
    });
    expect(protobuf.status).toBe(200);
    expect(protobuf.headers.get('content-type')).toBe('application/x-protobuf');
    expect(ProtobufLogsSerializer.deserializeResponse(new Uint8Array(await protobuf.arrayBuffer()))).toEqual({
      partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringContaining('severityNumber: 99') },
    });
    await waitFor('the three valid records', async () => (await countOf(service)) === 3);
  });

  it('answers an undecodable body with a clear 400 in the request encoding, and stays ready', async () => {
    const body = Buffer.from(ProtobufLogsSerializer.serializeRequest(await sdkRecords(3, 9, 'x'))!);
    const truncated = await fetch(`${logyard.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: body.subarray(0, body.length - 5),
    });
    expect(truncated.status).toBe(400);
    expect(truncated.headers.get('content-type')).toBe('application/x-protobuf');
    const Status = new Type('Status')
      .add(new Field('code', 1, 'int32'))
      .add(new Field('message', 2, 'string'));
    new Root().add(Status);
    expect(Status.toObject(Status.decode(new Uint8Array(await truncated.arrayBuffer())))).toEqual({
      code: 3,
      message: expect.stringMatching(
        /^body is not an OTLP ExportLogsServiceRequest in protobuf: index out of range/,
      ),
    });

    await expect(request(`${logyard.url}/v1/logs`, { body: { logs: [] } })).resolves.toMatchObject({
      status: 400,
      body: {
        message: 'body: expected an OTLP ExportLogsServiceRequest, a JSON object with a "resourceLogs" array',
      },
    });
    await expect(
      request(`${logyard.url}/v1/logs`, { body: 'hello', contentType: 'text/plain' }),
    ).resolves.toMatchObject({
      status: 415,
      body: { message: expect.stringContaining('application/x-protobuf') },
    });
    await expect(request(`${logyard.url}/health/ready`)).resolves.toMatchObject({ status: 200 });
  });

  it('measures OTLP/protobuf ingest until every record is in PostgreSQL', async () => {
    const service = unique('otel-rate');
    const total = 20_000;
    const perRequest = 1_000;
    const body = Buffer.from(
      ProtobufLogsSerializer.serializeRequest(await sdkRecords(perRequest, 9, service))!,
    );
    const started = process.hrtime.bigint();
    // Four concurrent senders, each posting its share of 1,000-record requests one after another.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < total / perRequest / 4; i++) {
          const response = await fetch(`${logyard.url}/v1/logs`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf' },
            body,
          });
          expect(response.status).toBe(200);
        }
      }),
    );
    const accepted = Number(process.hrtime.bigint() - started) / 1e9;
    await waitFor('every record archived', async () => (await countOf(service)) === total, {
      timeoutMs: 90_000,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(
      `OTLP/protobuf: ${total} records accepted in ${accepted.toFixed(2)} s ` +
        `(${Math.round(total / accepted)} records/s), all in PostgreSQL after ${seconds.toFixed(2)} s ` +
        `(${Math.round(total / seconds)} records/s)\n`,
    );
    await expect(
      metricValue(logyard.url, 'logyard_records_accepted_total', 'source="otlp"'),
    ).resolves.toBeGreaterThanOrEqual(total);
  });
});

describe('OTLP/HTTP logs while the broker is away', () => {
  it('answers 503 with Retry-After, so the exporter retries', async () => {
    const response = await postWhileBrokerAway('/v1/logs', {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'lost?' } }] }] }],
    });
    expect(response).toMatchObject({
      status: 503,
      body: { message: expect.stringContaining('RabbitMQ is unavailable') },
    });
    expect(response.headers.get('retry-after')).toBe('5');
  });
});
