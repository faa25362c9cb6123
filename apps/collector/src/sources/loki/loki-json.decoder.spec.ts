import { decodeLokiJson } from './loki-json.decoder';

const json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe(decodeLokiJson.name, () => {
  it('decodes streams with their labels and [ts, line, metadata] values', () => {
    expect(
      decodeLokiJson(
        json({
          streams: [
            {
              stream: { job: 'api' },
              values: [
                ['1764028167000000000', 'a'],
                ['1764028168000000000', 'b', { user: 'ada' }],
              ],
            },
            { values: [] },
          ],
        }),
      ),
    ).toEqual({
      ok: true,
      value: {
        streams: [
          {
            labels: { job: 'api' },
            entries: [
              { ts: '1764028167000000000', line: 'a', metadata: undefined },
              { ts: '1764028168000000000', line: 'b', metadata: { user: 'ada' } },
            ],
          },
          { labels: {}, entries: [] },
        ],
      },
    });
  });

  it.each([
    ['{"streams": [', /^body is not valid JSON: /],
    ['{}', /^streams: a Loki push needs a non-empty "streams" array$/],
    ['{"streams": []}', /^streams: /],
    ['{"streams": {}}', /^streams: /],
    ['{"streams": [7]}', /^streams\[0\]: must be an object/],
    [
      '{"streams": [{"stream": {"job": 1}, "values": []}]}',
      /^streams\[0\]\.stream: must be an object of string labels$/,
    ],
    ['{"streams": [{"stream": {}}]}', /^streams\[0\]\.values: must be an array/],
    ['{"streams": [{"values": [["1", "a"], "b"]}]}', /^streams\[0\]\.values\[1\]: must be an array/],
  ])('refuses %s', (body, message) => {
    expect(decodeLokiJson(json(body))).toEqual({ ok: false, error: expect.stringMatching(message) });
  });
});
