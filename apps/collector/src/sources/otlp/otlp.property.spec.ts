import fc from 'fast-check';
import { INamespace, Message, Root, Type } from 'protobufjs';
import { DEFAULT_BODY_LIMIT_BYTES } from '@logyard/contracts';
import { LINEAR_TIME_RATIO, propertyRuns, timeGrowth, timeRatio } from '@logyard/testing';
import { OtlpCodec, OtlpLogsRequest } from './otlp-codec';
import { OTLP_JSON_CODEC } from './otlp-json.codec';
import { mapOtlpLogs } from './otlp-logs.mapper';
import { OTLP_PROTOBUF_CODEC } from './otlp-protobuf.codec';
import { countProtobufMessages } from '../protobuf-messages';
import { OUTPUT_BYTES_PER_BODY_LIMIT } from '../request-mapping';
import { REFUSALS_KEPT } from '../../source-runner';
import descriptor from './proto/otlp-logs.descriptor.json';

const RUNS = propertyRuns(200);
/** Each timing case measures for about a second, so these stay few even under FUZZ_RUNS. */
const TIMING_RUNS = 3;
const OBSERVED = '2026-11-24T23:49:27.123000Z';
const ExportLogsServiceRequest = Root.fromJSON(descriptor as INamespace).lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);

/** Any JSON at all, standing in wherever a sender may put the wrong thing. */
const junk = fc.jsonValue({ maxDepth: 2 });
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((id) => Buffer.from(id).toString('hex'));

/** AnyValue and KeyValue as the protobuf schema allows them (`valid`) or as anyone may send them in JSON. */
function otlpShapes(valid: boolean) {
  const or = <T>(arbitrary: fc.Arbitrary<T>) => (valid ? arbitrary : fc.oneof(arbitrary, junk));
  const { value, keyValue } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.record({ stringValue: or(fc.string({ unit: 'binary' })) }),
      fc.record({ boolValue: or(fc.boolean()) }),
      fc.record({ intValue: or(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)) }),
      fc.record({ doubleValue: or(fc.double({ noNaN: valid })) }),
      fc.record({ bytesValue: or(fc.base64String()) }),
      fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 3 }) }) }),
      fc.record({ kvlistValue: fc.record({ values: fc.array(tie('keyValue'), { maxLength: 3 }) }) }),
      or(fc.constant({})),
    ),
    keyValue: or(fc.record({ key: fc.string({ unit: 'binary' }), value: tie('value') })),
  }));
  const attributes = fc.array(keyValue, { maxLength: 4 });
  const logRecord = fc.record(
    {
      timeUnixNano: or(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String)),
      observedTimeUnixNano: or(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String)),
      severityNumber: or(fc.integer({ min: 0, max: 24 })),
      severityText: or(fc.constantFrom('', 'ERROR', 'warn', 'Information', 'nope')),
      body: value,
      attributes,
      traceId: valid ? hex(16) : fc.oneof(hex(16), junk),
      spanId: valid ? hex(8) : fc.oneof(hex(8), junk),
      eventName: or(fc.string()),
    },
    { requiredKeys: [] },
  );
  const request = fc.record({
    resourceLogs: fc.array(
      fc.record(
        {
          resource: fc.record({ attributes }, { requiredKeys: [] }),
          scopeLogs: fc.array(
            fc.record(
              {
                scope: fc.record(
                  { name: or(fc.string()), version: or(fc.string()), attributes },
                  { requiredKeys: [] },
                ),
                logRecords: fc.array(logRecord, { maxLength: 4 }),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  });
  return { value, request };
}

/** The messages nested in a decoded `message` of `type`, as protobufjs built them: the count's model. */
function messagesIn(message: Message, type: Type): number {
  let count = 0;
  for (const field of type.fieldsArray) {
    const nested = field.resolve().resolvedType;
    const value = (message as unknown as Record<string, Message | Message[] | null | undefined>)[field.name];
    if (!(nested instanceof Type) || !value) continue;
    for (const element of Array.isArray(value) ? value : [value]) count += 1 + messagesIn(element, nested);
  }
  return count;
}

const anyJson = otlpShapes(false);
const protobufValid = otlpShapes(true);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
/** An OTLP/JSON body's ids are hex, a protobuf message's bytes: fromObject reads a string as base64. */
const toProtobuf = (request: unknown) =>
  Buffer.from(
    ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject(
        JSON.parse(JSON.stringify(request), (key, value) =>
          (key === 'traceId' || key === 'spanId') && typeof value === 'string'
            ? Buffer.from(value, 'hex').toString('base64')
            : value,
        ),
      ),
    ).finish(),
  );
const logRecordCount = (request: OtlpLogsRequest) =>
  request.resourceLogs.flatMap(({ scopeLogs }) => scopeLogs.flatMap(({ logRecords }) => logRecords)).length;

/** Decodes and maps a body as the OTLP source does; asserts every log record is accepted or refused. */
function ingest(codec: OtlpCodec, body: Buffer): void {
  const request = codec.decodeRequest(body, DEFAULT_BODY_LIMIT_BYTES);
  if (!request.ok) {
    expect(typeof request.error).toBe('string');
    return;
  }
  const { records, errors, refused } = mapOtlpLogs(request.value, {
    observedTs: OBSERVED,
    // The collector's output budget at a 1 MiB BODY_LIMIT.
    maxOutputBytes: OUTPUT_BYTES_PER_BODY_LIMIT * 1024 * 1024,
  });
  expect(records.length + refused).toBe(logRecordCount(request.value));
  expect(errors).toHaveLength(Math.min(refused, REFUSALS_KEPT));
}

// A request whose one log record has a body and an attribute nested `depth` levels deep, alternating
// arrays and key-value lists; built as text and bytes, since JSON.stringify and protobufjs recurse.

function nestedJson(depth: number): Buffer {
  let value = '{"stringValue":"bottom"}';
  for (let level = 0; level < depth; level++) {
    value =
      level % 2 === 0
        ? `{"arrayValue":{"values":[${value}]}}`
        : `{"kvlistValue":{"values":[{"key":"k","value":${value}}]}}`;
  }
  const logRecord = `{"body":${value},"attributes":[{"key":"deep","value":${value}}]}`;
  return Buffer.from(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[${logRecord}]}]}]}`);
}

function nestedProtobuf(depth: number): Buffer {
  const varint = (n: number) => {
    const bytes: number[] = [];
    for (; n > 0x7f; n >>>= 7) bytes.push((n & 0x7f) | 0x80);
    return Buffer.from([...bytes, n]);
  };
  const field = (number: number, ...payload: Buffer[]) => {
    const bytes = Buffer.concat(payload);
    return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
  };
  const keyValue = (key: string, value: Buffer) =>
    Buffer.concat([field(1, Buffer.from(key)), field(2, value)]);
  // AnyValue: string 1, array 5 (ArrayValue.values 1), kvlist 6 (KeyValueList.values 1, KeyValue key 1 value 2).
  let value = field(1, Buffer.from('bottom'));
  for (let level = 0; level < depth; level++) {
    value = level % 2 === 0 ? field(5, field(1, value)) : field(6, field(1, keyValue('k', value)));
  }
  // LogRecord body 5, attributes 6; ScopeLogs.logRecords 2; ResourceLogs.scopeLogs 2; request.resourceLogs 1.
  return field(1, field(2, field(2, field(5, value), field(6, keyValue('deep', value)))));
}

describe('OTLP decoding and mapping (property)', () => {
  describe.each([
    ['OTLP/JSON', OTLP_JSON_CODEC, (request: unknown) => json(request), anyJson.request, nestedJson],
    ['OTLP/protobuf', OTLP_PROTOBUF_CODEC, toProtobuf, protobufValid.request, nestedProtobuf],
  ])('%s', (_, codec, encode, request, nested) => {
    it('accepts or refuses any bytes as a whole, and never throws', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => ingest(codec, Buffer.from(bytes))),
        { numRuns: RUNS },
      );
    });

    it('accepts or refuses each log record of a request of any shape, and never throws', () => {
      fc.assert(
        fc.property(request, (value) => ingest(codec, encode(value))),
        { numRuns: RUNS },
      );
    });

    it.each([[100], [3_000]])('answers a log record nested %p deep without throwing', (depth) => {
      ingest(codec, nested(depth));
    });

    it('takes time linear in the number of log records', () => {
      fc.assert(
        fc.property(fc.array(protobufValid.request, { minLength: 1, maxLength: 3 }), (requests) => {
          const logRecords = requests
            .flatMap(({ resourceLogs }) => resourceLogs)
            .flatMap(({ scopeLogs }) => scopeLogs ?? [])
            .flatMap(({ logRecords }) => logRecords ?? []);
          fc.pre(logRecords.length > 0);
          const body = (count: number) =>
            encode({
              resourceLogs: [
                {
                  scopeLogs: [
                    {
                      logRecords: Array.from({ length: count }, (_, i) => logRecords[i % logRecords.length]),
                    },
                  ],
                },
              ],
            });
          expect(timeGrowth(body, (input) => ingest(codec, input), { size: 200 })).toBeLessThan(
            LINEAR_TIME_RATIO,
          );
        }),
        { numRuns: TIMING_RUNS },
      );
    }, 60_000);
  });

  it('protobuf: counts every message of a request without decoding it, as many as protobufjs decodes', () => {
    fc.assert(
      fc.property(protobufValid.request, (value) => {
        const body = toProtobuf(value);
        const decoded = ExportLogsServiceRequest.decode(body);
        expect(countProtobufMessages(body, ExportLogsServiceRequest, Infinity)).toBe(
          messagesIn(decoded, ExportLogsServiceRequest),
        );
      }),
      { numRuns: RUNS },
    );
  });

  // Bytes built from pieces where a reader that trusted wire types or lengths would part from protobufjs's.
  it('protobuf: counts at least as many messages as protobufjs decodes from any bytes it accepts', () => {
    const piece = fc.constantFrom(
      '0a00',
      '0800',
      '1200',
      '2a00',
      '7b7c',
      `78${'80'.repeat(10)}00`,
      '0a8080808010',
      '8a8080801000',
      '0a02',
      '1202',
      '0a041202',
      '1001',
      '19',
      '2d',
      '0a0a',
      'ff',
      '00',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const body = Buffer.from(pieces.join(''), 'hex');
        let decoded: Message;
        try {
          decoded = ExportLogsServiceRequest.decode(body);
        } catch {
          return;
        }
        expect(countProtobufMessages(body, ExportLogsServiceRequest, Infinity)).toBeGreaterThanOrEqual(
          messagesIn(decoded, ExportLogsServiceRequest),
        );
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('JSON: refuses a timestamp of a million digits as cheaply as a body of a million characters', () => {
    const body = (logRecord: object) =>
      json({ resourceLogs: [{ scopeLogs: [{ logRecords: [logRecord] }] }] });
    const longBody = body({ body: { stringValue: 'x'.repeat(1_000_000) } });
    const longTimestamp = body({ timeUnixNano: '9'.repeat(1_000_000) });
    expect(
      timeRatio(
        () => ingest(OTLP_JSON_CODEC, longBody),
        () => ingest(OTLP_JSON_CODEC, longTimestamp),
      ),
    ).toBeLessThan(5);
  });

  // Each log record copies its resource's attributes: without a bound, 10× the attributes and 10× the records
  // is 100× the work, and an array of 20,000 values under 200,000 records ran the collector out of memory.
  it('JSON: takes time linear in a body whose resource attributes and log records grow together', () => {
    const body = (count: number) =>
      json({
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'list', value: { arrayValue: { values: Array(count).fill({ stringValue: 'v' }) } } },
              ],
            },
            scopeLogs: [{ logRecords: Array(count).fill({}) }],
          },
        ],
      });
    expect(timeGrowth(body, (input) => ingest(OTLP_JSON_CODEC, input), { size: 300 })).toBeLessThan(
      LINEAR_TIME_RATIO,
    );
  }, 60_000);

  // Every scope merged its resource's attributes, and protobuf states an empty scope in 2 bytes: 16,000
  // attributes over 16,000 empty scopes, 112 KB, held the collector for 13 s. Scopes with a record each copy
  // the attributes into it, which the output budget bounds once the body is large enough to reach it.
  it.each([
    ['OTLP/JSON', OTLP_JSON_CODEC, (request: unknown) => json(request), [], 100],
    ['OTLP/protobuf', OTLP_PROTOBUF_CODEC, toProtobuf, [], 100],
    ['OTLP/JSON', OTLP_JSON_CODEC, (request: unknown) => json(request), [{}], 300],
    ['OTLP/protobuf', OTLP_PROTOBUF_CODEC, toProtobuf, [{}], 300],
  ])(
    '%s: takes time linear in a body whose resource attributes and scopes of %j grow together',
    (_, codec, encode, logRecords, size) => {
      const body = (count: number) =>
        encode({
          resourceLogs: [
            {
              resource: {
                attributes: Array.from({ length: count }, (_, i) => ({
                  key: `a${i}`,
                  value: { stringValue: 'v' },
                })),
              },
              scopeLogs: Array.from({ length: count }, () => ({ scope: { name: 's' }, logRecords })),
            },
          ],
        });
      expect(timeGrowth(body, (input) => ingest(codec, input), { size })).toBeLessThan(LINEAR_TIME_RATIO);
    },
    60_000,
  );

  it('JSON: answers a log record nested 20,000 deep without throwing', () => {
    ingest(OTLP_JSON_CODEC, nestedJson(20_000));
  });

  it('JSON: accepts or refuses any JSON text, and never throws', () => {
    fc.assert(
      fc.property(fc.json(), (text) => ingest(OTLP_JSON_CODEC, Buffer.from(text))),
      { numRuns: RUNS },
    );
  });
});
