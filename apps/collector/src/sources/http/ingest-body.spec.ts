import { ParseOptions } from '@logyard/contracts';
import { REFUSALS_KEPT } from '../../source-runner';
import { RECORD_STAMP_BYTES } from '../request-mapping';
import { parseIngestBody } from './ingest-body';

const OBSERVED = '2026-11-24T23:49:27.123456Z';
const OPTIONS: ParseOptions = { observedTs: OBSERVED };
const RECORD_ID = '0193a3b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b';

function body(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

describe(parseIngestBody.name, () => {
  describe('JSON', () => {
    it('turns one object into one record', () => {
      const sut = parseIngestBody(
        body(
          JSON.stringify({
            id: RECORD_ID,
            ts: 1_764_000_000_000,
            host: 'web-1',
            service: 'checkout',
            level: 'ERR',
            msg: 'payment failed',
            orderId: 42,
          }),
        ),
        'application/json',
        OPTIONS,
      );
      expect(sut).toEqual({
        records: [
          {
            id: RECORD_ID,
            ts: '2025-11-24T16:00:00.000000Z',
            observedTs: OBSERVED,
            host: 'web-1',
            service: 'checkout',
            severity: 'error',
            message: 'payment failed',
            attributes: { orderId: 42 },
          },
        ],
        errors: [],
        refused: 0,
      });
    });

    it('reports the bad items of an array by their index and keeps the rest', () => {
      const sut = parseIngestBody(
        body(JSON.stringify([{ message: 'a' }, { severity: 'info' }, { message: 'c' }, 7])),
        'application/json',
        OPTIONS,
      );
      expect(sut.records.map((record) => record.message)).toEqual(['a', 'c']);
      expect(sut.errors).toEqual([
        { index: 1, error: 'message is required' },
        { index: 3, error: 'record must be a JSON object' },
      ]);
    });

    it('shares one observation time across the records of a request', () => {
      const sut = parseIngestBody(body('[{"message":"a"},{"message":"b"}]'), 'application/json', {});
      expect(sut.records).toHaveLength(2);
      expect(sut.records[0].observedTs).toBe(sut.records[1].observedTs);
    });

    it.each([['application/json'], ['application/json; charset=utf-8'], ['Application/JSON']])(
      'reads the body as JSON when the content type is %p',
      (contentType) => {
        const sut = parseIngestBody(body('{"message":"a"}'), contentType, OPTIONS);
        expect(sut.records.map((record) => record.message)).toEqual(['a']);
        expect(sut.errors).toEqual([]);
      },
    );

    it('reports a body that is not JSON as one error at index 0', () => {
      const sut = parseIngestBody(body('{"message":"a"}\n{"message":"b"}'), 'application/json', OPTIONS);
      expect(sut).toEqual({
        records: [],
        errors: [{ index: 0, error: expect.stringMatching(/^body is not valid JSON: /) }],
        refused: 1,
      });
    });

    it('reports a JSON body that is not an object or array as one error at index 0', () => {
      expect(parseIngestBody(body('"hello"'), 'application/json', OPTIONS)).toEqual({
        records: [],
        errors: [{ index: 0, error: 'body must be a JSON object or an array of objects' }],
        refused: 1,
      });
    });

    it("refuses the items of an array past the request's output budget, as the push formats do", () => {
      const sut = parseIngestBody(body(JSON.stringify(Array(5).fill({ message: 'm' }))), 'application/json', {
        ...OPTIONS,
        maxOutputBytes: 2 * RECORD_STAMP_BYTES,
      });
      expect([sut.records.length, sut.refused]).toEqual([2, 3]);
      expect(sut.errors[0]).toEqual({
        index: 2,
        error: expect.stringMatching(/send fewer records per request$/),
      });
    });

    it('accepts an empty array as nothing at all', () => {
      expect(parseIngestBody(body('[]'), 'application/json', OPTIONS)).toEqual({
        records: [],
        errors: [],
        refused: 0,
      });
    });
  });

  describe('NDJSON', () => {
    it.each([
      ['LF', '\n'],
      ['CRLF', '\r\n'],
    ])('reads one record per line, lines ending in %s', (_, eol) => {
      const sut = parseIngestBody(
        body(`{"message":"a"}${eol}{"message":"b"}${eol}`),
        'application/x-ndjson',
        OPTIONS,
      );
      expect(sut.records.map((record) => record.message)).toEqual(['a', 'b']);
      expect(sut.errors).toEqual([]);
    });

    it('reports bad lines by their index among non-blank lines, in order, and ignores blank lines', () => {
      const text = [
        '{"message":"zero"}',
        '',
        '{"severity":"info"}',
        '   ',
        'not json',
        '{"message":"three","ts":"yesterday"}',
        '',
        '{"message":"four"}',
      ].join('\n');
      const sut = parseIngestBody(body(text), 'application/x-ndjson', OPTIONS);
      expect(sut.records.map((record) => record.message)).toEqual(['zero', 'four']);
      expect(sut.errors).toEqual([
        { index: 1, error: 'message is required' },
        { index: 2, error: expect.stringMatching(/^line is not valid JSON: /) },
        { index: 3, error: expect.stringMatching(/^ts: "yesterday" is not a valid timestamp/) },
      ]);
    });

    it('keeps the first REFUSALS_KEPT refusals in index order, and counts them all', () => {
      // Unparsable lines and invalid records alike: the kept ones are the first.
      const lines = Array.from({ length: REFUSALS_KEPT + 10 }, (_, i) => (i % 2 ? '{"ts":1}' : 'junk'));
      const sut = parseIngestBody(
        body(['{"message":"a"}', ...lines].join('\n')),
        'application/x-ndjson',
        OPTIONS,
      );
      expect(sut.records).toHaveLength(1);
      expect(sut.refused).toBe(REFUSALS_KEPT + 10);
      expect(sut.errors.map(({ index }) => index)).toEqual(
        Array.from({ length: REFUSALS_KEPT }, (_, i) => i + 1),
      );
    });

    // A gzipped body of 5 million such lines was 5 million thrown SyntaxErrors: 34 s of one event loop.
    it('pays for every line, JSON or not, and refuses the lines past the output budget unparsed', () => {
      const parse = jest.spyOn(JSON, 'parse');
      const sut = parseIngestBody(body('{\n'.repeat(100_000)), 'application/x-ndjson', {
        ...OPTIONS,
        maxOutputBytes: 1_000 * RECORD_STAMP_BYTES,
      });
      expect(parse).toHaveBeenCalledTimes(1_000);
      parse.mockRestore();
      expect([sut.records.length, sut.refused, sut.errors.length]).toEqual([0, 100_000, REFUSALS_KEPT]);
    });

    it.each([
      ['application/x-ndjson; charset=utf-8'],
      ['Application/X-NDJSON'],
      ['application/ndjson'],
      ['application/jsonl'],
      ['application/x-jsonlines'],
    ])('recognises the content type %p', (contentType) => {
      const sut = parseIngestBody(body('{"message":"a"}\n{"message":"b"}'), contentType, OPTIONS);
      expect(sut.records.map((record) => record.message)).toEqual(['a', 'b']);
      expect(sut.errors).toEqual([]);
    });

    it('refuses a line holding an array', () => {
      expect(parseIngestBody(body('[{"message":"a"}]'), 'application/x-ndjson', OPTIONS)).toEqual({
        records: [],
        errors: [{ index: 0, error: 'record must be a JSON object' }],
        refused: 1,
      });
    });
  });
});
