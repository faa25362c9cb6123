import fc from 'fast-check';
import { LogRecord, makeRecord } from '@logyard/contracts';
import { propertyRuns } from '@logyard/testing';
import { escapeControls, escapeJson, formatQueryLine, formatTailLine } from './format';

/** What a terminal must never receive from a record: C0, DEL, C1, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex -- control characters are what it seeks
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe(formatTailLine.name, () => {
  it("prints the record's routing key and message like the RabbitMQ tutorial", () => {
    const record = makeRecord({
      host: 'Web-1.prod',
      service: 'checkout',
      severity: 'error',
      message: 'declined',
    });
    expect(formatTailLine(record)).toBe("[x] 'web-1_prod.checkout.error': declined");
  });

  it.each([
    [
      'keeps a multi-line message on one line',
      'boom\n  at f()\r\n  at g()',
      /: boom\\n {2}at f\(\)\\n {2}at g\(\)$/,
    ],
    [
      'escapes terminal escape sequences in the message',
      'a\u001b]0;pwned\u0007b\u001b[2J',
      /: a\\x1b\]0;pwned\\x07b\\x1b\[2J$/,
    ],
  ])('%s', (_case, message, expected) => {
    expect(formatTailLine(makeRecord({ message }))).toMatch(expected);
  });
});

describe(formatQueryLine.name, () => {
  it.each<[string, Partial<LogRecord>, string]>([
    [
      'prints ts host service severity message',
      { host: 'web-1.prod', service: 'checkout', severity: 'warn', message: 'slow\npayment' },
      '2026-11-24T10:00:00.123456Z web-1.prod checkout warn slow\\npayment',
    ],
    [
      'escapes controls in host and service too, so a record cannot forge a line of its own',
      {
        host: 'web-1\n2026-11-24T10:00:00.000000Z db-1',
        service: 'pg\u001b[2J\u202e',
        severity: 'info',
        message: 'x\u009b31m',
      },
      '2026-11-24T10:00:00.123456Z web-1\\n2026-11-24T10:00:00.000000Z db-1 pg\\x1b[2J\\u{202e} info x\\x9b31m',
    ],
  ])('%s', (_case, fields, expected) => {
    expect(formatQueryLine(makeRecord({ ts: '2026-11-24T10:00:00.123456Z', ...fields }))).toBe(expected);
  });
});

describe(`${escapeControls.name} (property)`, () => {
  const text = fc.string({ unit: 'binary', maxLength: 200 });

  it('lets no control character through, in any field', () => {
    fc.assert(
      fc.property(text, text, text, (host, service, message) => {
        const record = makeRecord({ host, service, message });
        for (const line of [formatQueryLine(record), formatTailLine(record)]) {
          expect(line).not.toMatch(CONTROL);
        }
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('leaves text without controls as it is', () => {
    fc.assert(
      fc.property(text, (value) => {
        const clean = value.replace(new RegExp(CONTROL, 'g'), '');
        expect(escapeControls(clean)).toBe(clean);
      }),
      { numRuns: propertyRuns(500) },
    );
  });
});

describe(`${escapeJson.name} (property)`, () => {
  it('keeps the JSON value and lets no control character through', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, message) => {
        const json = JSON.stringify({ value, message });
        const escaped = escapeJson(json);
        expect(escaped).not.toMatch(CONTROL);
        expect(JSON.parse(escaped)).toEqual(JSON.parse(json));
      }),
      { numRuns: propertyRuns(500) },
    );
  });
});
