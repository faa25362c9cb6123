import { makeRecord } from '@logyard/contracts';
import { formatQueryLine, formatTailLine } from './format';

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

  it('keeps a multi-line message on one line', () => {
    expect(formatTailLine(makeRecord({ message: 'boom\n  at f()\r\n  at g()' }))).toMatch(
      /: boom\\n {2}at f\(\)\\n {2}at g\(\)$/,
    );
  });
});

describe(formatQueryLine.name, () => {
  it('prints ts host service severity message', () => {
    const record = makeRecord({
      ts: '2026-11-24T10:00:00.123456Z',
      host: 'web-1.prod',
      service: 'checkout',
      severity: 'warn',
      message: 'slow\npayment',
    });
    expect(formatQueryLine(record)).toBe(
      '2026-11-24T10:00:00.123456Z web-1.prod checkout warn slow\\npayment',
    );
  });
});
