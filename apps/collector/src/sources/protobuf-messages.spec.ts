import fc from 'fast-check';
import { INamespace, Root, Writer } from 'protobufjs';
import { LINEAR_TIME_RATIO, propertyRuns, timeGrowth } from '@logyard/testing';
import { countProtobufMessages, withinMessageLimit } from './protobuf-messages';
import descriptor from './otlp/proto/otlp-logs.descriptor.json';

const root = Root.fromJSON(descriptor as INamespace);
const ExportLogsServiceRequest = root.lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);
const AnyValue = root.lookupType('opentelemetry.proto.common.v1.AnyValue');
const encode = (request: object) =>
  ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request)).finish();
/** `count` empty log records in one scope: 2 bytes each on the wire. */
const emptyRecords = (count: number) =>
  encode({ resourceLogs: [{ scopeLogs: [{ logRecords: Array(count).fill({}) }] }] });

describe(countProtobufMessages.name, () => {
  it('counts the messages at every level of nesting', () => {
    const body = encode({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'host.name', value: { stringValue: 'web-1' } }] },
          scopeLogs: [{ scope: { name: 's' }, logRecords: [{ body: { stringValue: 'x' } }, {}] }],
        },
      ],
    });
    // ResourceLogs, Resource, KeyValue, AnyValue; ScopeLogs, InstrumentationScope; two LogRecords, one body.
    expect(countProtobufMessages(body, ExportLogsServiceRequest, 100)).toBe(9);
  });

  // Each reads as 1,000 ResourceLogs to protobufjs's decoder, which picks a field by its number alone.
  it.each([
    ['a message field sent as a varint', '0800'.repeat(1000)],
    ['after an unknown group', `7b7c${'0a00'.repeat(1000)}`],
    ['after an 11-byte varint', `78${'80'.repeat(10)}00${'0a00'.repeat(1000)}`],
    ['with a length whose fifth byte is over 4 bits', `0a8080808010${'0a00'.repeat(999)}`],
    ['with a tag over 32 bits', '8a8080801000'.repeat(1000)],
  ])('counts what protobufjs decodes from %s', (_, hex) => {
    const body = Buffer.from(hex, 'hex');
    expect(ExportLogsServiceRequest.decode(body).toJSON().resourceLogs).toHaveLength(1000);
    expect(countProtobufMessages(body, ExportLogsServiceRequest, Infinity)).toBe(1000);
  });

  it('counts no further than one past the limit', () => {
    expect(countProtobufMessages(emptyRecords(1000), ExportLogsServiceRequest, 10)).toBe(11);
  });

  // A message takes a tag and a length, a byte each at the least; a last one may be cut short after its tag.
  it('counts any bytes without throwing, at most one message per 2 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(50), (bytes, limit) => {
        const count = countProtobufMessages(bytes, ExportLogsServiceRequest, limit);
        expect(count).toBeLessThanOrEqual(Math.min(limit + 1, Math.ceil(bytes.length / 2)));
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('takes linear time in the number of messages', () => {
    const count = (bytes: Uint8Array) => countProtobufMessages(bytes, ExportLogsServiceRequest, Infinity);
    expect(timeGrowth(emptyRecords, count, { size: 10_000 })).toBeLessThanOrEqual(LINEAR_TIME_RATIO);
  });

  it('follows no more than 100 levels of nesting, as protobufjs decodes no more', () => {
    // An AnyValue holding an array holding an AnyValue…, 1,000 levels deep: two messages a level.
    let nested: Uint8Array = new Uint8Array(0);
    for (let level = 0; level < 1000; level++) {
      const array = Writer.create().uint32(0x0a).bytes(nested).finish();
      nested = Writer.create().uint32(0x2a).bytes(array).finish();
    }
    expect(countProtobufMessages(nested, AnyValue, Infinity)).toBe(101);
  });
});

describe(withinMessageLimit.name, () => {
  it('refuses a body of more than one message per 8 bytes of BODY_LIMIT, saying what to do', () => {
    const body = emptyRecords(1000);
    expect(withinMessageLimit(body, ExportLogsServiceRequest, 8 * 1002).ok).toBe(true);
    expect(withinMessageLimit(body, ExportLogsServiceRequest, 8 * 1001)).toEqual({
      ok: false,
      error:
        'body holds over 1001 protobuf messages (one per 8 bytes of BODY_LIMIT); send fewer records per request',
    });
  });
});
