import { parse } from 'protobufjs';
import { compress } from 'snappyjs';
import { decodeLokiProtobuf, LOKI_PUSH_PROTO } from './loki-protobuf.decoder';

const PushRequest = parse(LOKI_PUSH_PROTO).root.lookupType('logproto.PushRequest');
const LIMIT = 1024 * 1024;

/** A push as Promtail sends it: protobuf, then snappy's block format. */
function encode(push: Record<string, unknown>): Buffer {
  return Buffer.from(compress(PushRequest.encode(PushRequest.fromObject(push)).finish()));
}

describe(decodeLokiProtobuf.name, () => {
  it('decodes labels, nanosecond timestamps, lines and structured metadata', () => {
    const body = encode({
      streams: [
        {
          labels: '{job="api", host="web-1"}',
          entries: [
            { timestamp: { seconds: 1764028167, nanos: 123456789 }, line: 'one' },
            {
              timestamp: { seconds: 1764028168 },
              line: 'two',
              structuredMetadata: [{ name: 'trace_id', value: 'abc' }],
            },
          ],
        },
      ],
    });
    expect(decodeLokiProtobuf(body, LIMIT)).toEqual({
      ok: true,
      value: {
        streams: [
          {
            labels: { job: 'api', host: 'web-1' },
            entries: [
              { ts: '1764028167123456789', line: 'one', metadata: {} },
              { ts: '1764028168000000000', line: 'two', metadata: { trace_id: 'abc' } },
            ],
          },
        ],
      },
    });
  });

  it('leaves an entry without a timestamp for the mapper to refuse', () => {
    const sut = decodeLokiProtobuf(encode({ streams: [{ labels: '{}', entries: [{ line: 'x' }] }] }), LIMIT);
    expect(sut.ok && sut.value.streams[0].entries[0].ts).toBeUndefined();
  });

  it.each([
    ['no streams', encode({}), /^streams: a Loki push needs at least one stream$/],
    ['bad labels', encode({ streams: [{ labels: 'job=api' }] }), /^streams\[0\]\.labels: expected/],
    [
      'uncompressed protobuf',
      Buffer.from(PushRequest.encode(PushRequest.fromObject({ streams: [{ labels: '{}' }] })).finish()),
      /^body is not a snappy-compressed Loki PushRequest: /,
    ],
    ['JSON', Buffer.from('{"streams":[]}'), /^body is not a snappy-compressed Loki PushRequest: /],
  ])('refuses %s', (_, body, message) => {
    expect(decodeLokiProtobuf(body, LIMIT)).toEqual({ ok: false, error: expect.stringMatching(message) });
  });

  it('refuses a body that would inflate past the limit before inflating it', () => {
    const body = encode({ streams: [{ labels: '{}', entries: [{ line: 'x'.repeat(5000) }] }] });
    expect(decodeLokiProtobuf(body, 1000)).toEqual({
      ok: false,
      error: expect.stringMatching(/: snappy: declares \d+ bytes uncompressed, over the limit of 1000$/),
    });
  });

  it('refuses, unread, a push of more messages than the limit pays for: one per 8 bytes', () => {
    const body = encode({ streams: [{ labels: '{}', entries: Array(1000).fill({}) }] });
    expect(decodeLokiProtobuf(body, 8 * 1001).ok).toBe(true);
    expect(decodeLokiProtobuf(body, 8 * 1000)).toEqual({
      ok: false,
      error: expect.stringMatching(/^body holds over 1000 protobuf messages/),
    });
  });

  it('still inflates the densest snappy blocks, which write 64 bytes for 3', () => {
    const line = 'x'.repeat(100_000);
    const body = encode({ streams: [{ labels: '{}', entries: [{ line }] }] });
    expect(body.length * 21).toBeLessThan(line.length);
    const sut = decodeLokiProtobuf(body, LIMIT);
    expect(sut.ok && sut.value.streams[0].entries[0].line).toBe(line);
  });
});
