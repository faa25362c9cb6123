import fc from 'fast-check';
import { parse } from 'protobufjs';
import { compress } from 'snappyjs';
import { LINEAR_TIME_RATIO, propertyRuns, timeGrowth, timeRatio } from '@logyard/testing';
import { Result } from '@logyard/contracts';
import { decodeLokiJson } from './loki-json.decoder';
import { decodeLokiProtobuf, LOKI_PUSH_PROTO } from './loki-protobuf.decoder';
import { LokiPushRequest } from './loki-push';
import { mapLokiPush } from './loki-push.mapper';
import { OUTPUT_BYTES_PER_BODY_LIMIT } from '../request-mapping';
import { REFUSALS_KEPT } from '../../source-runner';

const RUNS = propertyRuns(200);
/** Each timing case measures for about a second, so these stay few even under FUZZ_RUNS. */
const TIMING_RUNS = 3;
const LIMIT = 10 * 1024 * 1024;
const OBSERVED = '2026-11-24T23:49:27.123000Z';
const PushRequest = parse(LOKI_PUSH_PROTO).root.lookupType('logproto.PushRequest');

const junk = fc.jsonValue({ maxDepth: 2 });
const nanos = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const labelName = fc.oneof(fc.constantFrom('host', 'job', 'app', 'level', 'service_name'), fc.string());
/** A line that is sometimes JSON with a message and a level, as pino and winston write them. */
const line = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc
    .record(
      { msg: fc.oneof(fc.string(), junk), level: fc.oneof(fc.integer(), fc.string()), extra: junk },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);
const metadata = fc.dictionary(labelName, fc.string());
/** A Loki JSON push, valid or with junk anywhere. */
const jsonPush = fc.record({
  streams: fc.oneof(
    fc.array(
      fc.record(
        {
          stream: fc.oneof(fc.dictionary(labelName, fc.string()), junk),
          values: fc.oneof(
            fc.array(
              fc.oneof(
                fc.tuple(fc.oneof(nanos, junk), fc.oneof(line, junk)),
                fc.tuple(nanos, line, fc.oneof(metadata, junk)),
                junk,
              ),
              { maxLength: 5 },
            ),
            junk,
          ),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 4 },
    ),
    junk,
  ),
});
/** Label strings as protobuf pushes carry them: well-formed from random pairs, or any text. */
const labels = fc.oneof(
  fc
    .array(fc.tuple(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/), fc.string({ unit: 'binary' })), {
      maxLength: 4,
    })
    .map((pairs) => `{${pairs.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ')}}`),
  fc.string({ unit: 'binary' }),
  fc
    .array(fc.constantFrom('{', '}', 'a', '=', '"', '\\', ',', ' ', '\n'), { maxLength: 30 })
    .map((pieces) => pieces.join('')),
);
const protobufPush = fc.record({
  streams: fc.array(
    fc.record({
      labels,
      entries: fc.array(
        fc.record(
          {
            timestamp: fc.record({
              seconds: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }).map(String),
              nanos: fc.integer({ min: 0, max: 999_999_999 }),
            }),
            line,
            structuredMetadata: fc.array(fc.record({ name: labelName, value: fc.string() }), {
              maxLength: 3,
            }),
          },
          { requiredKeys: ['line'] },
        ),
        { maxLength: 5 },
      ),
    }),
    { maxLength: 4 },
  ),
});
const snappy = (bytes: Uint8Array) => Buffer.from(compress(bytes));
const encodeProtobuf = (push: unknown) =>
  snappy(PushRequest.encode(PushRequest.fromObject(push as Record<string, unknown>)).finish());

/** The collector's output budget at a 1 MiB BODY_LIMIT. */
const OUTPUT_BUDGET = OUTPUT_BYTES_PER_BODY_LIMIT * 1024 * 1024;

/** Maps a decoded push as the Loki source does; asserts every entry is accepted or refused. */
function ingest(request: Result<LokiPushRequest>): void {
  if (!request.ok) {
    expect(typeof request.error).toBe('string');
    return;
  }
  const { records, errors, refused } = mapLokiPush(request.value, {
    observedTs: OBSERVED,
    maxOutputBytes: OUTPUT_BUDGET,
  });
  expect(records.length + refused).toBe(request.value.streams.flatMap(({ entries }) => entries).length);
  expect(errors).toHaveLength(Math.min(refused, REFUSALS_KEPT));
}

describe('Loki decoding and mapping (property)', () => {
  describe('JSON', () => {
    it.each([
      ['any bytes', fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes))],
      ['any JSON', fc.json().map((text) => Buffer.from(text))],
      ['a push of any shape', jsonPush.map((push) => Buffer.from(JSON.stringify(push)))],
    ])('accepts or refuses each entry of %s, and never throws', (_, body) => {
      fc.assert(
        fc.property(body, (bytes) => ingest(decodeLokiJson(bytes))),
        { numRuns: RUNS },
      );
    });

    it.each([[100], [3_000], [20_000]])('answers values nested %p deep without throwing', (depth) => {
      const deep = '['.repeat(depth) + ']'.repeat(depth);
      const object = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const body = `{"streams":[{"stream":{"job":"x"},"values":[[${deep},"l"],["1",${object}],["1","l",${object}],["1",${JSON.stringify(object.replace('1', '{"msg":"m"}'))}]]}]}`;
      ingest(decodeLokiJson(Buffer.from(body)));
    });
  });

  describe('snappy protobuf', () => {
    it.each([
      ['any bytes', fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes))],
      ['any bytes, snappy-compressed', fc.uint8Array({ maxLength: 2000 }).map(snappy)],
      ['a push of any shape', protobufPush.map(encodeProtobuf)],
    ])('accepts or refuses each entry of %s, and never throws', (_, body) => {
      fc.assert(
        fc.property(body, (bytes) => ingest(decodeLokiProtobuf(bytes, LIMIT))),
        { numRuns: RUNS },
      );
    });
  });

  describe.each([
    [
      'JSON',
      (push: { streams: { labels: string; entries: { line: string }[] }[] }) =>
        decodeLokiJson(
          Buffer.from(
            JSON.stringify({
              streams: push.streams.map(({ entries }) => ({
                stream: { job: 'x' },
                values: entries.map(({ line }, i) => [String(1764028167000000000n + BigInt(i)), line]),
              })),
            }),
          ),
        ),
    ],
    ['snappy protobuf', (push: unknown) => decodeLokiProtobuf(encodeProtobuf(push), LIMIT)],
  ])('%s', (_, decode) => {
    it('takes time linear in the number of entries', () => {
      fc.assert(
        fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), labels, (lines, streamLabels) => {
          const push = (count: number) => ({
            streams: [
              {
                labels: streamLabels,
                entries: Array.from({ length: count }, (_, i) => ({
                  timestamp: { seconds: String(1764028167 + i), nanos: 0 },
                  line: lines[i % lines.length],
                })),
              },
            ],
          });
          expect(timeGrowth(push, (input) => ingest(decode(input)), { size: 200 })).toBeLessThan(
            LINEAR_TIME_RATIO,
          );
        }),
        { numRuns: TIMING_RUNS },
      );
    }, 60_000);

    // Each entry copies its stream's labels: without a bound, 10× the labels and 10× the entries is 100× the work.
    it('takes time linear in a body whose labels and entries grow together', () => {
      const push = (count: number) => ({
        streams: [
          {
            labels: `{${Array.from({ length: count }, (_, i) => `label_${i}="value ${i}"`).join(', ')}}`,
            entries: Array.from({ length: count }, (_, i) => ({
              timestamp: { seconds: String(1764028167 + i), nanos: 0 },
              line: '',
            })),
          },
        ],
      });
      expect(timeGrowth(push, (input) => ingest(decode(input)), { size: 300 })).toBeLessThan(
        LINEAR_TIME_RATIO,
      );
    }, 60_000);
  });

  // V8's BigInt() of decimal text grows faster than its length: 2.2 s of CPU for the 10 MB a body may hold.
  it('refuses a timestamp of a million digits as cheaply as a message of a million characters', () => {
    const push = (ts: string, line: string) =>
      Buffer.from(JSON.stringify({ streams: [{ stream: { job: 'x' }, values: [[ts, line]] }] }));
    const longMessage = push('1764028167000000000', 'x'.repeat(1_000_000));
    const longTimestamp = push('9'.repeat(1_000_000), 'x');
    expect(
      timeRatio(
        () => ingest(decodeLokiJson(longMessage)),
        () => ingest(decodeLokiJson(longTimestamp)),
      ),
    ).toBeLessThan(5);
  });

  it('parses stream labels in time linear in their length', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a="x"', ', ', ' ', '\\"', '"', '=', '{', 'a'), {
          minLength: 1,
          maxLength: 8,
        }),
        (pieces) => {
          const unit = pieces.join('');
          const push = (length: number) => ({
            streams: [
              { labels: `{${unit.repeat(Math.ceil(length / unit.length))}`, entries: [{ line: 'l' }] },
            ],
          });
          const body = (length: number) => encodeProtobuf(push(length));
          expect(
            timeGrowth(body, (input) => ingest(decodeLokiProtobuf(input, LIMIT)), { size: 20_000 }),
          ).toBeLessThan(LINEAR_TIME_RATIO);
        },
      ),
      { numRuns: TIMING_RUNS },
    );
  }, 60_000);
});
