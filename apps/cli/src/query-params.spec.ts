import { CliError, EXIT_USAGE } from './cli-error';
import { toQueryParams, toSearchParams } from './query-params';

describe(toQueryParams.name, () => {
  it('maps every option onto the parameter of GET /api/logs', () => {
    expect(
      toQueryParams({
        host: ['web-1.prod', 'db-2'],
        service: ['checkout'],
        minSeverity: 'warn',
        since: '1h',
        text: 'payment -declined',
        limit: '50',
        cursor: 'abc',
      }),
    ).toEqual({
      host: ['web-1.prod', 'db-2'],
      service: ['checkout'],
      minSeverity: 'warn',
      from: 'now-1h',
      q: 'payment -declined',
      limit: '50',
      cursor: 'abc',
    });
  });

  it('leaves out what was not given', () => {
    expect(toQueryParams({})).toEqual({});
    expect(toQueryParams({ severity: ['error', 'fatal'] })).toEqual({ severity: ['error', 'fatal'] });
  });

  it.each(['30s', '15m', '1h', '7d', '2w'])('reads --since %s as from=now-%s', (since) => {
    expect(toQueryParams({ since })).toEqual({ from: `now-${since}` });
  });

  it.each(['1', 'h', '1 h', '-1h', '1y', '2024-01-01'])('refuses --since %j as a usage error', (since) => {
    expect(() => toQueryParams({ since })).toThrow(CliError);
    expect(() => toQueryParams({ since })).toThrow(expect.objectContaining({ exitCode: EXIT_USAGE }));
  });
});

describe(toSearchParams.name, () => {
  it('repeats a list parameter and encodes values', () => {
    expect(
      toSearchParams({ service: ['checkout', 'Payments API'], q: '"card declined" or timeout' }).toString(),
    ).toBe('service=checkout&service=Payments+API&q=%22card+declined%22+or+timeout');
  });
});
