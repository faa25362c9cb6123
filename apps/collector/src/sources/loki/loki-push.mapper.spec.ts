import { EXAMPLE_OBSERVED_TS, EXAMPLE_RECORD, EXAMPLE_TS_NANOS } from '../example-record.fixture';
import { LokiEntry, LokiPushRequest } from './loki-push';
import { mapLokiPush } from './loki-push.mapper';
import { RECORD_STAMP_BYTES } from '../request-mapping';

function push(labels: Record<string, string>, ...entries: LokiEntry[]): LokiPushRequest {
  return { streams: [{ labels, entries }] };
}

function mapOne(labels: Record<string, string>, entry: Partial<LokiEntry>) {
  const sut = mapLokiPush(push(labels, { ts: EXAMPLE_TS_NANOS, line: 'a line', ...entry }), {
    observedTs: EXAMPLE_OBSERVED_TS,
  });
  expect(sut.errors).toEqual([]);
  return sut.records[0];
}

describe(mapLokiPush.name, () => {
  it('maps labels, the Loki timestamp and a plain line', () => {
    expect(
      mapOne(
        { host: 'web-1.prod', job: 'checkout', level: 'ERR', env: 'prod' },
        { line: 'payment declined' },
      ),
    ).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ...EXAMPLE_RECORD,
      attributes: { env: 'prod' },
    });
  });

  it.each([
    [{ hostname: 'h2', instance: 'h3' }, 'h2', { instance: 'h3' }],
    [{ instance: 'h3' }, 'h3', {}],
    [{ host: '', hostname: 'h2' }, 'h2', { host: '' }],
    [{}, 'unknown', {}],
  ])('takes the host from the first of host, hostname, instance: %p', (labels, host, attributes) => {
    expect(mapOne(labels, {})).toMatchObject({ host, attributes });
  });

  it.each([
    [{ service_name: 'a', service: 'b', app: 'c', job: 'd' }, 'a'],
    [{ service: 'b', app: 'c', job: 'd' }, 'b'],
    [{ app: 'c', job: 'd' }, 'c'],
    [{ job: 'd' }, 'd'],
  ])('takes the service from the first of service_name, service, app, job: %p', (labels, service) => {
    expect(mapOne(labels, {}).service).toBe(service);
  });

  it.each([
    [{ level: 'warning' }, 'warn'],
    [{ severity: 'critical' }, 'fatal'],
    [{ detected_level: 'debug' }, 'debug'],
    [{ level: 'warn', detected_level: 'error' }, 'warn'],
  ])('takes the severity from the labels %p', (labels, severity) => {
    expect(mapOne(labels, {})).toMatchObject({ severity, attributes: {} });
  });

  it("keeps a label that is no severity, such as Loki's detected_level=unknown, and falls back to info", () => {
    expect(mapOne({ detected_level: 'unknown' }, {})).toMatchObject({
      severity: 'info',
      attributes: { detected_level: 'unknown' },
    });
  });

  it('reads a pino line: msg as the message, the numeric level, the other fields as attributes, never its time', () => {
    const line = JSON.stringify({
      level: 50,
      time: 1764000000000,
      pid: 7,
      msg: 'boom',
      err: { type: 'Error' },
    });
    expect(mapOne({ app: 'api' }, { line })).toMatchObject({
      ts: EXAMPLE_RECORD.ts,
      severity: 'error',
      message: 'boom',
      attributes: { time: 1764000000000, pid: 7, err: { type: 'Error' } },
    });
  });

  it('lets a severity label win over the line, dropping the line level it recognises', () => {
    const line = JSON.stringify({ level: 30, msg: 'hello' });
    expect(mapOne({ level: 'warning' }, { line })).toMatchObject({ severity: 'warn', attributes: {} });
  });

  it.each([
    [{ level: 'warn', message: 'winston says' }, 'warn', 'winston says'],
    [{ level: 10, msg: 'bunyan trace' }, 'trace', 'bunyan trace'],
    [{ level: 'verbose', message: 'v' }, 'trace', 'v'],
    [{ msg: { nested: true } }, 'info', '{"nested":true}'],
  ])('reads the JSON line %p', (fields, severity, message) => {
    expect(mapOne({}, { line: JSON.stringify(fields) })).toMatchObject({ severity, message });
  });

  it('keeps a line level it does not recognise as an attribute', () => {
    expect(mapOne({}, { line: '{"level":"loud","msg":"x"}' })).toMatchObject({
      severity: 'info',
      attributes: { level: 'loud' },
    });
  });

  it.each([['{"no":"message"}'], ['{not json'], ['[1,2]'], ['  plain text {"msg":"x"}']])(
    'keeps %p as a plain line',
    (line) => {
      expect(mapOne({}, { line })).toMatchObject({ message: line, attributes: {} });
    },
  );

  it('adds structured metadata, winning over labels and line fields', () => {
    const line = JSON.stringify({ msg: 'm', user: 'from-line', region: 'eu' });
    expect(
      mapOne(
        { user: 'from-label', env: 'prod' },
        { line, metadata: { user: 'from-metadata', trace_id: 't' } },
      ),
    ).toMatchObject({ attributes: { user: 'from-metadata', region: 'eu', env: 'prod', trace_id: 't' } });
  });

  it('refuses bad entries one by one, by their place, and keeps the rest', () => {
    const sut = mapLokiPush(
      push(
        { job: 'api' },
        { ts: EXAMPLE_TS_NANOS, line: 'ok 0' },
        { ts: 1764028167, line: 'number ts' },
        { ts: '2026-11-24T10:00:00Z', line: 'iso ts' },
        { ts: EXAMPLE_TS_NANOS, line: 5 },
        { ts: EXAMPLE_TS_NANOS, line: 'bad metadata', metadata: 'x' },
        { ts: '99999999999999999999999', line: 'far future' },
        { ts: EXAMPLE_TS_NANOS, line: 'ok 6' },
      ),
      { observedTs: EXAMPLE_OBSERVED_TS },
    );
    expect(sut.records.map((r) => r.message)).toEqual(['ok 0', 'ok 6']);
    expect(sut.errors).toEqual([
      {
        path: 'streams[0].values[1]',
        error: 'timestamp: 1764028167 is not a string of nanoseconds since the Unix epoch',
      },
      {
        path: 'streams[0].values[2]',
        error: 'timestamp: "2026-11-24T10:00:00Z" is not a string of nanoseconds since the Unix epoch',
      },
      { path: 'streams[0].values[3]', error: 'line: must be a string, got 5' },
      { path: 'streams[0].values[4]', error: 'structured metadata: must be an object, got "x"' },
      { path: 'streams[0].values[5]', error: 'timestamp: "99999999999999999999999" is after the year 9999' },
    ]);
  });

  it("refuses the entries past the request's output budget, which each pays with its copy of the labels", () => {
    const labels = { job: 'checkout', region: 'eu-west-1' };
    const labelBytes = JSON.stringify({ region: 'eu-west-1' }).length;
    const entries = Array.from({ length: 5 }, () => ({ ts: EXAMPLE_TS_NANOS, line: 'x' }));
    const sut = mapLokiPush(push(labels, ...entries), {
      observedTs: EXAMPLE_OBSERVED_TS,
      maxOutputBytes: 3 * (RECORD_STAMP_BYTES + labelBytes),
    });
    // The refusal's wording is RequestMapper's, checked in its spec; here, which labels each entry copies.
    expect(sut.records).toHaveLength(3);
    expect(sut.errors.map(({ path }) => path)).toEqual(['streams[0].values[3]', 'streams[0].values[4]']);
  });
});
