import { EXAMPLE_OBSERVED_TS, EXAMPLE_RECORD, EXAMPLE_TS_NANOS } from '../example-record.fixture';
import { OtlpLogRecord, OtlpLogsRequest } from './otlp-codec';
import { mapOtlpLogs } from './otlp-logs.mapper';
import { RECORD_STAMP_BYTES } from '../request-mapping';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const string = (stringValue: string) => ({ stringValue });

/** One resource, one scope, the given log records: the shape both codecs decode to. */
function request(
  logRecords: OtlpLogRecord[],
  resourceAttributes: unknown = [
    { key: 'host.name', value: string('web-1.prod') },
    { key: 'service.name', value: string('checkout') },
  ],
): OtlpLogsRequest {
  return {
    resourceLogs: [
      {
        resource: { attributes: resourceAttributes },
        scopeLogs: [{ scope: { name: 'orders', version: '1.2.3' }, logRecords }],
      },
    ],
  };
}

function mapOne(logRecord: OtlpLogRecord, resourceAttributes?: unknown) {
  const sut = mapOtlpLogs(request([logRecord], resourceAttributes), { observedTs: EXAMPLE_OBSERVED_TS });
  expect(sut.errors).toEqual([]);
  return sut.records[0];
}

describe(mapOtlpLogs.name, () => {
  it('maps a log record as DESIGN §6 says', () => {
    const sut = mapOne({
      timeUnixNano: EXAMPLE_TS_NANOS,
      observedTimeUnixNano: '1764028168000000000',
      severityNumber: 17,
      severityText: 'ERROR',
      body: string('payment declined'),
      attributes: [
        { key: 'order.id', value: { intValue: '42' } },
        { key: 'retry', value: { boolValue: true } },
      ],
      traceId: TRACE_ID.toUpperCase(),
      spanId: SPAN_ID,
    });
    expect(sut).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ...EXAMPLE_RECORD,
      attributes: { 'otel.scope.name': 'orders', 'otel.scope.version': '1.2.3', 'order.id': 42, retry: true },
      traceId: TRACE_ID,
      spanId: SPAN_ID,
    });
  });

  it('merges resource, scope and record attributes, the most specific winning', () => {
    const sut = mapOtlpLogs(
      {
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'host.name', value: string('from-resource') },
                { key: 'deployment.environment', value: string('prod') },
                { key: 'shared', value: string('resource') },
              ],
            },
            scopeLogs: [
              {
                scope: { name: 'lib', attributes: [{ key: 'shared', value: string('scope') }] },
                logRecords: [
                  {
                    body: string('a'),
                    attributes: [
                      { key: 'host.name', value: string('from-record') },
                      { key: 'service.name', value: string('api') },
                    ],
                  },
                  { body: string('b'), attributes: [{ key: 'shared', value: string('record') }] },
                ],
              },
            ],
          },
        ],
      },
      { observedTs: EXAMPLE_OBSERVED_TS },
    );
    expect(sut.errors).toEqual([]);
    expect(sut.records.map(({ host, service, attributes }) => ({ host, service, attributes }))).toEqual([
      {
        host: 'from-record',
        service: 'api',
        attributes: { 'deployment.environment': 'prod', shared: 'scope', 'otel.scope.name': 'lib' },
      },
      {
        host: 'from-resource',
        service: 'unknown',
        attributes: { 'deployment.environment': 'prod', shared: 'record', 'otel.scope.name': 'lib' },
      },
    ]);
  });

  it('keeps a host.name that is not a string as an attribute', () => {
    const sut = mapOne({ body: string('a') }, [{ key: 'host.name', value: { intValue: 7 } }]);
    expect(sut).toMatchObject({ host: 'unknown', attributes: { 'host.name': 7 } });
  });

  describe('severity', () => {
    it.each([
      [{ severityNumber: 1 }, 'trace'],
      [{ severityNumber: 8 }, 'debug'],
      [{ severityNumber: 10, severityText: 'whatever' }, 'info'],
      [{ severityNumber: 'SEVERITY_NUMBER_WARN3' }, 'warn'],
      [{ severityNumber: 'SEVERITY_NUMBER_FATAL' }, 'fatal'],
      [{ severityNumber: 0, severityText: 'Warning' }, 'warn'],
      [{ severityNumber: 'SEVERITY_NUMBER_UNSPECIFIED', severityText: 'CRITICAL' }, 'fatal'],
      [{ severityText: 'err' }, 'error'],
      [{}, 'info'],
    ])('reads %p as %p', (fields, severity) => {
      expect(mapOne({ body: string('a'), ...fields }).severity).toBe(severity);
    });
  });

  describe('timestamp', () => {
    it('falls back to observedTimeUnixNano when timeUnixNano is 0', () => {
      expect(
        mapOne({ body: string('a'), timeUnixNano: '0', observedTimeUnixNano: 1764028167123456800 }).ts,
      ).toBe(EXAMPLE_RECORD.ts);
    });

    it('reads small values as nanoseconds too, never as milliseconds', () => {
      expect(mapOne({ body: string('a'), timeUnixNano: '1000000' }).ts).toBe('1970-01-01T00:00:00.001000Z');
    });

    it('takes the observed time when neither is set', () => {
      expect(mapOne({ body: string('a') }).ts).toBe(EXAMPLE_OBSERVED_TS);
    });
  });

  describe('body', () => {
    it.each([
      [{ intValue: '7' }, '7'],
      [{ boolValue: false }, 'false'],
      [{ doubleValue: 2.5 }, '2.5'],
      [{ bytesValue: 'aGk=' }, '"aGk="'],
      [{ arrayValue: { values: [string('a'), { intValue: 1 }] } }, '["a",1]'],
      [
        {
          kvlistValue: {
            values: [
              { key: 'event', value: string('login') },
              { key: 'ok', value: { boolValue: true } },
            ],
          },
        },
        '{"event":"login","ok":true}',
      ],
      [{}, ''],
      [undefined, ''],
    ])('writes the AnyValue %p as %p', (body, message) => {
      expect(mapOne({ body }).message).toBe(message);
    });
  });

  it('turns attribute AnyValues into JSON without rounding or losing keys', () => {
    const sut = mapOne({
      body: string('a'),
      attributes: [
        { key: 'big', value: { intValue: '9007199254740993' } },
        { key: 'negative', value: { intValue: '-12' } },
        { key: 'nan', value: { doubleValue: 'NaN' } },
        { key: 'nested', value: { kvlistValue: { values: [{ key: 'list', value: { arrayValue: {} } }] } } },
        { key: 'empty', value: {} },
        { key: 'unset' },
        { key: '__proto__', value: string('plain key') },
      ],
    });
    expect(sut.attributes).toMatchObject({
      big: '9007199254740993',
      negative: -12,
      nan: 'NaN',
      nested: { list: [] },
      empty: null,
      unset: null,
    });
    expect(Object.getPrototypeOf(sut.attributes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(sut.attributes, '__proto__')?.value).toBe('plain key');
  });

  it('names the event of an event record', () => {
    expect(mapOne({ body: string('a'), eventName: 'session.start' }).attributes['event.name']).toBe(
      'session.start',
    );
  });

  it('treats empty and all-zero trace ids as no trace', () => {
    const sut = mapOne({ body: string('a'), traceId: '', spanId: '0000000000000000' });
    expect(sut).not.toHaveProperty('traceId');
    expect(sut).not.toHaveProperty('spanId');
  });

  it('refuses bad log records one by one, by their path, and keeps the rest', () => {
    const sut = mapOtlpLogs(
      request([
        { body: string('ok 0') },
        { body: string('bad severity'), severityNumber: 30 },
        { body: string('bad time'), timeUnixNano: 'yesterday' },
        { body: string('far future'), timeUnixNano: '99999999999999999999999' },
        { body: string('bad trace'), traceId: 'abc' },
        { body: string('bad attributes'), attributes: [{ value: string('no key') }] },
        { body: { stringValue: 5 } },
        { body: string('bad text'), severityText: 'LOUD' },
        { body: string('ok 8') },
      ]),
      { observedTs: EXAMPLE_OBSERVED_TS },
    );
    expect(sut.records.map((record) => record.message)).toEqual(['ok 0', 'ok 8']);
    const at = (i: number) => `resourceLogs[0].scopeLogs[0].logRecords[${i}]`;
    expect(sut.errors).toEqual([
      {
        path: at(1),
        error: expect.stringMatching(
          /^severityNumber: 30 is not recognised; .*OpenTelemetry severity number 1-24/,
        ),
      },
      { path: at(2), error: 'timeUnixNano: "yesterday" is not a count of nanoseconds since the Unix epoch' },
      { path: at(3), error: 'timeUnixNano: "99999999999999999999999" is after the year 9999' },
      { path: at(4), error: 'traceId: must be 32 hexadecimal characters, got "abc"' },
      { path: at(5), error: 'attributes[0]: must be a KeyValue object with a string "key"' },
      { path: at(6), error: 'body.stringValue: must be a string, got 5' },
      { path: at(7), error: expect.stringMatching(/^severityText: "LOUD" is not recognised/) },
    ]);
  });

  it('refuses every record of a resource whose attributes are malformed, naming them', () => {
    const sut = mapOtlpLogs(request([{ body: string('a') }, { body: string('b') }], 'not a list'), {
      observedTs: EXAMPLE_OBSERVED_TS,
    });
    expect(sut.records).toEqual([]);
    expect(sut.errors.map((e) => e.error)).toEqual([
      'resource.attributes: must be an array of KeyValue objects',
      'resource.attributes: must be an array of KeyValue objects',
    ]);
  });

  it('truncates long bodies like every other source', () => {
    const sut = mapOtlpLogs(request([{ body: string('x'.repeat(100)) }]), {
      observedTs: EXAMPLE_OBSERVED_TS,
      maxMessageBytes: 10,
    });
    expect(sut.records[0]).toMatchObject({
      message: 'x'.repeat(10),
      attributes: { 'logyard.truncated_bytes': 100 },
    });
  });

  // Finding 11 of issue 11: 3,000 levels of kvlistValue overflowed the stack, and the request answered 500.
  it('refuses attributes or a body nested past the attribute depth as that record’s error', () => {
    let nested: unknown = string('leaf');
    for (let level = 0; level < 3_000; level++)
      nested = { kvlistValue: { values: [{ key: 'a', value: nested }] } };
    const sut = mapOtlpLogs(
      request([{ attributes: [{ key: 'deep', value: nested }] }, { body: nested }, { body: string('ok') }]),
      { observedTs: EXAMPLE_OBSERVED_TS },
    );
    expect(sut.records.map((record) => record.message)).toEqual(['ok']);
    expect(sut.errors).toEqual([
      expect.objectContaining({
        error: expect.stringMatching(/^attributes\[0\]\.value.*: nested deeper than 32 levels$/),
      }),
      expect.objectContaining({ error: expect.stringMatching(/^body.*: nested deeper than 32 levels$/) }),
    ]);
  });

  it('keeps attributes exactly at the attribute depth', () => {
    let nested: unknown = string('leaf');
    for (let level = 0; level < 3; level++) nested = { arrayValue: { values: [nested] } };
    const sut = mapOtlpLogs(request([{ attributes: [{ key: 'deep', value: nested }] }]), {
      observedTs: EXAMPLE_OBSERVED_TS,
      maxAttributeDepth: 4,
    });
    expect(sut.errors).toEqual([]);
    expect(sut.records[0].attributes.deep).toEqual([[['leaf']]]);
  });

  it('names a nested value in an error rather than serialising it, however deep', () => {
    let timeUnixNano: unknown = 1;
    for (let level = 0; level < 20_000; level++) timeUnixNano = [timeUnixNano];
    const sut = mapOtlpLogs(request([{ timeUnixNano }]), { observedTs: EXAMPLE_OBSERVED_TS });
    expect(sut.errors.map((e) => e.error)).toEqual([
      'timeUnixNano: an array is not a count of nanoseconds since the Unix epoch',
    ]);
  });

  it("refuses the log records past the request's output budget, which each pays with its copy of the resource and scope attributes", () => {
    const shared = JSON.stringify({
      'otel.scope.name': 'orders',
      'otel.scope.version': '1.2.3',
      env: 'prod',
    }).length;
    const sut = mapOtlpLogs(request([{}, {}, {}], [{ key: 'env', value: string('prod') }]), {
      observedTs: EXAMPLE_OBSERVED_TS,
      maxOutputBytes: 2 * (RECORD_STAMP_BYTES + shared),
    });
    // The refusal's wording is RequestMapper's, checked in its spec; here, what each log record copies.
    expect(sut.records).toHaveLength(2);
    expect(sut.errors.map(({ path }) => path)).toEqual(['resourceLogs[0].scopeLogs[0].logRecords[2]']);
  });
});
