import { compileLogFilters, MatchableRecord } from './log-filter.matcher';
import { LogFilters } from './log-filters';
import { makeRecord } from './record.factory';

const none: LogFilters = { hosts: [], services: [], severities: [], attributes: {} };
const matches = (filters: Partial<LogFilters>, overrides: Parameters<typeof makeRecord>[0]) =>
  compileLogFilters({ ...none, ...filters })(new MatchableRecord(makeRecord(overrides)));

describe(compileLogFilters.name, () => {
  it('matches everything without filters', () => {
    expect(matches({}, {})).toBe(true);
  });

  it('selects by host, service and severity, each one of its values', () => {
    expect(matches({ services: ['a', 'b'] }, { service: 'b' })).toBe(true);
    expect(matches({ services: ['a'] }, { service: 'b' })).toBe(false);
    expect(matches({ hosts: ['h'], severities: ['error', 'fatal'] }, { host: 'h', severity: 'fatal' })).toBe(
      true,
    );
    expect(matches({ severities: ['error'] }, { severity: 'warn' })).toBe(false);
    expect(matches({ excludedServices: ['b'] }, { service: 'b' })).toBe(false);
  });

  it('compares attributes as jsonb containment does: a string value, exactly', () => {
    expect(matches({ attributes: { region: 'eu' } }, { attributes: { region: 'eu', x: 1 } })).toBe(true);
    expect(matches({ attributes: { n: '5' } }, { attributes: { n: 5 } })).toBe(false);
    expect(matches({ attributes: { region: 'eu' } }, { attributes: {} })).toBe(false);
    expect(matches({ attributes: { toString: '' } }, { attributes: {} })).toBe(false);
  });

  it('finds contains= case-insensitively, every one of them', () => {
    expect(matches({ contains: ['TIME', 'out'] }, { message: 'request timeout' })).toBe(true);
    expect(matches({ contains: ['100%'] }, { message: 'at 100 percent' })).toBe(false);
  });

  it('applies q with web-search syntax', () => {
    expect(matches({ text: 'payment failed' }, { message: 'Payment of 5 EUR failed' })).toBe(true);
    expect(matches({ text: '"payment failed"' }, { message: 'Payment of 5 EUR failed' })).toBe(false);
    expect(matches({ text: '"payment failed"' }, { message: 'the payment failed.' })).toBe(true);
  });
});
