import {
  apiParams,
  EMPTY_STATE,
  parseState,
  severitiesOf,
  stateToSearch,
  toggleExclusion,
  toggleFilter,
} from './url-state';

describe('explorer URL state', () => {
  it('reads every filter under the API parameter names', () => {
    const sut = parseState(
      '?q=payment+declined&host=web-1&host=web-2&service=shop&minSeverity=warn&traceId=abc&attr.region=eu&from=now-24h&to=2026-11-30T10:00:00Z&id=r1',
    );
    expect(sut).toEqual({
      ...EMPTY_STATE,
      q: 'payment declined',
      from: 'now-24h',
      to: '2026-11-30T10:00:00Z',
      hosts: ['web-1', 'web-2'],
      services: ['shop'],
      severities: [],
      minSeverity: 'warn',
      traceId: 'abc',
      attributes: [['region', 'eu']],
      id: 'r1',
    });
  });

  it('defaults to the last hour and drops what the API would refuse', () => {
    expect(parseState('?severity=loud&minSeverity=&host=&attr.=x&from=')).toEqual(EMPTY_STATE);
  });

  it('writes the API query without the open record, and the page URL with it', () => {
    const state = parseState('?service=shop&minSeverity=warn&from=now-1h&q=a%26b&id=r1');
    expect(apiParams(state).toString()).toBe('q=a%26b&service=shop&minSeverity=warn&from=now-1h');
    expect(stateToSearch(state)).toBe('?q=a%26b&service=shop&minSeverity=warn&from=now-1h&id=r1');
  });

  it('round-trips through the URL', () => {
    const search =
      '?q=%22a+phrase%22+-not&contains=50%25&contains=Timeout&host=h.1&service=s&severity=error&severity=fatal' +
      '&-host=h.2&-service=cron&-severity=error&traceId=t&attr.k=v&from=now-7d&to=now-1d&id=x';
    expect(stateToSearch(parseState(search))).toBe(search);
  });

  it('never sends severity and minSeverity together, which the API refuses', () => {
    const state = { ...EMPTY_STATE, severities: ['error' as const], minSeverity: 'warn' as const };
    expect(apiParams(state).getAll('severity')).toEqual(['error']);
    expect(apiParams(state).has('minSeverity')).toBe(false);
  });

  it('toggles a facet value on and off; a severity replaces the minimum', () => {
    const on = toggleFilter({ ...EMPTY_STATE, minSeverity: 'warn' }, 'severities', 'error');
    expect(on).toMatchObject({ severities: ['error'], minSeverity: '' });
    expect(toggleFilter(on, 'severities', 'error').severities).toEqual([]);
    expect(toggleFilter(toggleFilter(EMPTY_STATE, 'hosts', 'web-1'), 'hosts', 'web-2').hosts).toEqual([
      'web-1',
      'web-2',
    ]);
    expect(toggleFilter(EMPTY_STATE, 'severities', 'loud')).toBe(EMPTY_STATE);
  });

  it('leaves a value out with a modifier-click, dropping it from the positive filter', () => {
    const shown = toggleFilter(EMPTY_STATE, 'hosts', 'web-1');
    const left = toggleExclusion(shown, 'hosts', 'web-1');
    expect(left).toMatchObject({ hosts: [], excludedHosts: ['web-1'] });
    expect(toggleExclusion(left, 'hosts', 'web-1').excludedHosts).toEqual([]);
    expect(apiParams(toggleExclusion(EMPTY_STATE, 'services', 'cron')).getAll('-service')).toEqual(['cron']);
    const severities = toggleExclusion(
      toggleFilter(EMPTY_STATE, 'severities', 'debug'),
      'severities',
      'debug',
    );
    expect(severities).toMatchObject({ severities: [], excludedSeverities: ['debug'] });
  });

  it('lists the severities a state lets through, lowest first', () => {
    expect(severitiesOf({ ...EMPTY_STATE, minSeverity: 'warn', excludedSeverities: ['error'] })).toEqual([
      'warn',
      'fatal',
    ]);
    expect(severitiesOf({ ...EMPTY_STATE, minSeverity: 'error' })).toEqual(['error', 'fatal']);
    expect(severitiesOf({ ...EMPTY_STATE, severities: ['fatal', 'debug'] })).toEqual(['debug', 'fatal']);
    expect(severitiesOf(EMPTY_STATE)).toHaveLength(6);
  });
});
