import { DEFAULT_BODY_LIMIT_BYTES } from '@logyard/contracts';
import { OTLP_JSON_CODEC } from './otlp-json.codec';

const decodeJson = (body: Buffer) => OTLP_JSON_CODEC.decodeRequest(body, DEFAULT_BODY_LIMIT_BYTES);
const json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('OTLP_JSON_CODEC', () => {
  it('decodes an export request, treating missing and null lists as empty', () => {
    const logRecord = { body: { stringValue: 'a' } };
    expect(
      decodeJson(
        json({
          resourceLogs: [
            { resource: { attributes: [] }, scopeLogs: [{ scope: { name: 's' }, logRecords: [logRecord] }] },
            { scopeLogs: null },
            { scopeLogs: [{ logRecords: null }] },
          ],
        }),
      ),
    ).toEqual({
      ok: true,
      value: {
        resourceLogs: [
          { resource: { attributes: [] }, scopeLogs: [{ scope: { name: 's' }, logRecords: [logRecord] }] },
          { resource: undefined, scopeLogs: [] },
          { resource: undefined, scopeLogs: [{ scope: undefined, logRecords: [] }] },
        ],
      },
    });
  });

  it('accepts a leading byte-order mark', () => {
    expect(decodeJson(json('\uFEFF{"resourceLogs":[]}'))).toEqual({
      ok: true,
      value: { resourceLogs: [] },
    });
  });

  it.each([
    ['{"resourceLogs": [', /^body is not valid JSON: /],
    ['{}', /^body: expected an OTLP ExportLogsServiceRequest, a JSON object with a "resourceLogs" array$/],
    ['{"resource_logs": []}', /"resourceLogs" array/],
    ['[]', /"resourceLogs" array/],
    ['{"resourceLogs": [7]}', /^resourceLogs\[0\]: must be an object$/],
    ['{"resourceLogs": [{"resource": "x"}]}', /^resourceLogs\[0\]\.resource: must be an object$/],
    ['{"resourceLogs": [{"scopeLogs": {}}]}', /^resourceLogs\[0\]\.scopeLogs: must be an array$/],
    [
      '{"resourceLogs": [{"scopeLogs": [{"logRecords": [{}, "x"]}]}]}',
      /^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[1\]: must be an object$/,
    ],
  ])('refuses %s', (body, message) => {
    expect(decodeJson(json(body))).toEqual({
      ok: false,
      error: expect.stringMatching(message),
    });
  });

  it('answers {} on success and a partial success with the count as a string', () => {
    expect(JSON.parse(OTLP_JSON_CODEC.encodeResponse().toString())).toEqual({});
    expect(
      JSON.parse(
        OTLP_JSON_CODEC.encodeResponse({ rejectedLogRecords: 2, errorMessage: 'two refused' }).toString(),
      ),
    ).toEqual({ partialSuccess: { rejectedLogRecords: '2', errorMessage: 'two refused' } });
  });

  it('answers a bad request like the rest of the API', () => {
    expect(JSON.parse(OTLP_JSON_CODEC.encodeBadRequest('no resourceLogs').toString())).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'no resourceLogs',
    });
  });
});
