import { parseSeverity } from '@logyard/contracts';
import { LINEAR_TIME_RATIO, timeGrowth } from '@logyard/testing';
import { toSyslogRecord } from './syslog-record.mapper';

const OBSERVED = '2026-11-24T23:49:27.123000Z';

function record(text: string, options: Parameters<typeof toSyslogRecord>[1] = {}) {
  const result = toSyslogRecord(text, { observedTs: OBSERVED, ...options });
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe(toSyslogRecord.name, () => {
  it('maps an RFC 5424 message as DESIGN §6 says', () => {
    expect(
      record(
        '<165>1 2026-11-24T10:00:00.123456+01:00 web-1.prod checkout 4242 PAY ' +
          '[order@32473 id="42" tag="a" tag="b"][meta k="v"] payment declined',
      ),
    ).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ts: '2026-11-24T09:00:00.123456Z',
      observedTs: OBSERVED,
      host: 'web-1.prod',
      service: 'checkout',
      severity: 'info',
      message: 'payment declined',
      attributes: {
        'syslog.facility': 'local4',
        'syslog.procid': '4242',
        'syslog.msgid': 'PAY',
        'syslog.sd.order@32473.id': '42',
        'syslog.sd.order@32473.tag': ['a', 'b'],
        'syslog.sd.meta.k': 'v',
      },
    });
  });

  it('maps an RFC 3164 message', () => {
    expect(
      record('<155>Nov 25 00:33:31 vm myapp[7]: disk full', { now: new Date(2026, 10, 25) }),
    ).toMatchObject({
      host: 'vm',
      service: 'myapp',
      severity: 'error',
      message: 'disk full',
      attributes: { 'syslog.facility': 'local3', 'syslog.procid': '7' },
    });
  });

  // The table itself is parseSeverity's, specified in libs/contracts; here: the PRI is read on that scale.
  it.each([0, 1, 2, 3, 4, 5, 6, 7])('reads syslog severity %p on the syslog scale', (severity) => {
    const expected = parseSeverity(severity, 'syslog');
    if (!expected.ok) throw new Error(expected.error);
    expect(record(`<${8 + severity}>1 - h a - - - m`).severity).toBe(expected.value);
  });

  it('takes the host from the peer when the message names none, and defaults the rest', () => {
    expect(record('<14>1 - - - - - - hi', { peer: '10.0.0.7' })).toMatchObject({
      ts: OBSERVED,
      host: '10.0.0.7',
      service: 'unknown',
      attributes: { 'syslog.facility': 'user' },
    });
  });

  it('refuses an RFC 5424 timestamp that is no time rather than filing it under now', () => {
    expect(toSyslogRecord('<14>1 2026-13-45T99:00:00Z h a - - - m', { observedTs: OBSERVED })).toEqual({
      ok: false,
      error: expect.stringMatching(/^ts: "2026-13-45T99:00:00Z" is not a valid timestamp/),
    });
  });

  it('truncates a long message like every other source', () => {
    expect(record(`<14>1 - h a - - - ${'x'.repeat(50)}`, { maxMessageBytes: 10 })).toMatchObject({
      message: 'x'.repeat(10),
      attributes: { 'logyard.truncated_bytes': 50 },
    });
  });

  it('keeps 8,000 values of one repeated parameter, in time linear in their number (issue 11, finding 1)', () => {
    const repeated = (count: number) => `<14>1 - h a - - [x${' a=""'.repeat(count)}] m`;
    expect(record(repeated(8_000)).attributes['syslog.sd.x.a']).toEqual(Array(8_000).fill(''));
    expect(timeGrowth(repeated, toSyslogRecord, { size: 800 })).toBeLessThan(LINEAR_TIME_RATIO);
  });
});
