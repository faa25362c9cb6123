import { encodeCursor } from './cursor';
import { LogQuery, ParamError, QueryParams } from '@logyard/contracts';
import {
  HistogramQuery,
  parseFacetQuery,
  parseHistogramQuery,
  parseLogQuery,
  RangeFilters,
  resolveTime,
} from './log-query.parser';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const RECORD_ID = '0193a3b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b';
const EMPTY_FILTERS = { hosts: [], services: [], severities: [], attributes: {} };
const EMPTY: LogQuery = { ...EMPTY_FILTERS, limit: 100 };
const DAY_MS = 86_400_000;
/** QUERY_MAX_RANGE far beyond every range below, for the tests that are not about it. */
const NO_RANGE_CAP = 100_000 * DAY_MS;

function parsed(params: QueryParams): LogQuery {
  const result = parseLogQuery(params, NOW);
  if (!result.ok) throw new Error(`expected a query, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function refusal(params: QueryParams): ParamError {
  const result = parseLogQuery(params, NOW);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe(parseLogQuery.name, () => {
  it('answers the newest 100 records of everything when given nothing', () => {
    expect(parsed({})).toEqual(EMPTY);
  });

  it('ignores parameters whose value is undefined', () => {
    expect(parsed({ host: undefined, limit: undefined })).toEqual(EMPTY);
  });

  describe('limit', () => {
    it.each([
      ['1', 1],
      ['250', 250],
      ['1000', 1000],
    ])('accepts %p', (limit, expected) => {
      expect(parsed({ limit }).limit).toBe(expected);
    });

    it.each([['0'], ['1001'], ['abc'], ['-5'], ['1.5'], ['1e2'], ['']])('refuses %p', (limit) => {
      expect(refusal({ limit })).toEqual({ field: 'limit', message: 'must be an integer from 1 to 1000' });
    });
  });

  describe('from and to', () => {
    it.each([
      ['ISO-8601', '2026-11-24T10:30:00Z', '2026-11-24T10:30:00.000000Z'],
      ['ISO-8601 with an offset', '2026-11-24T11:30:00+01:00', '2026-11-24T10:30:00.000000Z'],
      ['epoch milliseconds', '1764000000000', '2025-11-24T16:00:00.000000Z'],
      ['now', 'now', '2026-11-24T12:00:00.000000Z'],
      ['now-30s', 'now-30s', '2026-11-24T11:59:30.000000Z'],
      ['now-15m', 'now-15m', '2026-11-24T11:45:00.000000Z'],
      ['now-2h', 'now-2h', '2026-11-24T10:00:00.000000Z'],
      ['now-1d', 'now-1d', '2026-11-23T12:00:00.000000Z'],
      ['now-1w', 'now-1w', '2026-11-17T12:00:00.000000Z'],
    ])('reads %s', (_kind, value, expected) => {
      expect(parsed({ from: value }).from).toBe(expected);
      expect(parsed({ to: value }).to).toBe(expected);
    });

    it('keeps a range whose from is earlier than its to', () => {
      expect(parsed({ from: 'now-15m', to: 'now' })).toEqual({
        ...EMPTY,
        from: '2026-11-24T11:45:00.000000Z',
        to: '2026-11-24T12:00:00.000000Z',
      });
    });

    it.each([
      ['later', '2026-11-24T12:00:00Z', 'now-1h'],
      ['equal', 'now', 'now'],
    ])('refuses a from %s than to, naming from', (_kind, from, to) => {
      expect(refusal({ from, to })).toEqual({ field: 'from', message: 'must be earlier than to' });
    });

    it.each([
      ['from', 'yesterday'],
      ['to', 'now-15'],
      ['from', 'now+15m'],
      ['to', 'now-15y'],
      ['from', '2026-13-01'],
    ])('refuses %s=%p', (field, value) => {
      expect(refusal({ [field]: value })).toEqual({
        field,
        message: 'must be ISO-8601, epoch milliseconds, or relative like now-15m',
      });
    });

    it.each([['from'], ['to']])('refuses %s given twice', (field) => {
      expect(refusal({ [field]: ['now-1h', 'now'] })).toEqual({ field, message: 'may be given only once' });
    });
  });

  describe('host and service', () => {
    it.each(['host', 'service'])('refuses an empty %s', (field) => {
      expect(parseLogQuery({ [field]: ['a', ''] })).toEqual({
        ok: false,
        error: { field, message: 'must not be empty' },
      });
    });

    it('accepts one value or many', () => {
      expect(parsed({ host: 'web-1.prod', service: ['checkout', 'cart'] })).toEqual({
        ...EMPTY,
        hosts: ['web-1.prod'],
        services: ['checkout', 'cart'],
      });
    });
  });

  describe('severity and minSeverity', () => {
    it('canonicalises repeated severities and their aliases, once each', () => {
      expect(parsed({ severity: ['WARNING', 'err', 'error', 'crit'] }).severities).toEqual([
        'warn',
        'error',
        'fatal',
      ]);
    });

    it('accepts a single severity', () => {
      expect(parsed({ severity: 'debug' }).severities).toEqual(['debug']);
    });

    it.each([
      ['warn', ['warn', 'error', 'fatal']],
      ['Warning', ['warn', 'error', 'fatal']],
      ['trace', ['trace', 'debug', 'info', 'warn', 'error', 'fatal']],
      ['fatal', ['fatal']],
    ])('expands minSeverity=%p to every severity at or above it', (minSeverity, expected) => {
      expect(parsed({ minSeverity }).severities).toEqual(expected);
    });

    it('refuses severity and minSeverity together, naming minSeverity', () => {
      expect(refusal({ severity: 'error', minSeverity: 'warn' })).toEqual({
        field: 'minSeverity',
        message: 'use either severity or minSeverity, not both',
      });
    });

    it('refuses an unknown severity, naming severity', () => {
      expect(refusal({ severity: ['info', 'loud'] })).toEqual({
        field: 'severity',
        message: expect.stringMatching(/^severity "loud" is not recognised; use trace, debug, info/),
      });
    });

    it.each([['loud'], ['constructor'], ['__proto__']])(
      'refuses the unknown minSeverity %p, naming minSeverity',
      (minSeverity) => {
        expect(refusal({ minSeverity })).toEqual({
          field: 'minSeverity',
          message: expect.stringMatching(/^severity ".*" is not recognised/),
        });
      },
    );

    it('refuses minSeverity given twice', () => {
      expect(refusal({ minSeverity: ['warn', 'error'] })).toEqual({
        field: 'minSeverity',
        message: 'may be given only once',
      });
    });
  });

  describe('q', () => {
    it('passes web-search text through unchanged', () => {
      expect(parsed({ q: '"payment failed" -retry or timeout' }).text).toBe(
        '"payment failed" -retry or timeout',
      );
    });

    it.each([[''], ['   ']])('refuses %p', (q) => {
      expect(refusal({ q })).toEqual({ field: 'q', message: 'must not be empty' });
    });

    it('refuses q given twice', () => {
      expect(refusal({ q: ['a', 'b'] })).toEqual({ field: 'q', message: 'may be given only once' });
    });
  });

  describe('attr.<key>', () => {
    it('keeps a __proto__ key as a filter instead of assigning a prototype', () => {
      const sut = parseLogQuery({ 'attr.__proto__': 'x' });
      expect(sut.ok && JSON.stringify(sut.value.attributes)).toBe('{"__proto__":"x"}');
    });

    it('collects each attribute filter under its key', () => {
      expect(parsed({ 'attr.region': 'eu', 'attr.http.status': '500' }).attributes).toEqual({
        region: 'eu',
        'http.status': '500',
      });
    });

    it('accepts an empty value', () => {
      expect(parsed({ 'attr.region': '' }).attributes).toEqual({ region: '' });
    });

    it('refuses attr. without a key', () => {
      expect(refusal({ 'attr.': 'eu' })).toEqual({
        field: 'attr.',
        message: 'needs a key, as in attr.region=eu',
      });
    });

    it('refuses one attribute given twice, naming it', () => {
      expect(refusal({ 'attr.region': ['eu', 'us'] })).toEqual({
        field: 'attr.region',
        message: 'may be given only once',
      });
    });
  });

  describe('traceId', () => {
    it('lower-cases a valid trace id', () => {
      expect(parsed({ traceId: TRACE_ID.toUpperCase() }).traceId).toBe(TRACE_ID);
    });

    it.each([[TRACE_ID.slice(1)], [`${TRACE_ID}0`], ['g'.repeat(32)], ['']])('refuses %p', (traceId) => {
      expect(refusal({ traceId })).toEqual({
        field: 'traceId',
        message: 'must be 32 hexadecimal characters',
      });
    });
  });

  describe('cursor', () => {
    it('continues after the position a previous page encoded', () => {
      const position = { ts: '2026-11-24T10:00:00.000001Z', id: RECORD_ID };
      expect(parsed({ cursor: encodeCursor(position) }).after).toEqual(position);
    });

    it('refuses a cursor it did not make', () => {
      expect(refusal({ cursor: 'garbage' })).toEqual({
        field: 'cursor',
        message: 'is not a cursor returned by this API',
      });
    });
  });

  describe('unknown parameters', () => {
    it.each([['hostname'], ['severities'], ['attr'], ['Limit']])('refuses %p, naming it', (name) => {
      expect(refusal({ [name]: 'x' })).toEqual({
        field: name,
        message:
          'unknown parameter; use one of from, to, host, service, severity, minSeverity, q, traceId, limit, cursor, contains, -host, -service, -severity or attr.<key>',
      });
    });

    it('refuses an unknown parameter even beside valid ones', () => {
      expect(refusal({ host: 'web-1', serivce: 'checkout' }).field).toBe('serivce');
    });
  });

  it('combines every filter', () => {
    expect(
      parsed({
        from: 'now-1h',
        to: 'now',
        host: ['web-1', 'web-2'],
        service: 'checkout',
        minSeverity: 'error',
        q: 'timeout',
        'attr.region': 'eu',
        traceId: TRACE_ID,
        limit: '50',
      }),
    ).toEqual({
      from: '2026-11-24T11:00:00.000000Z',
      to: '2026-11-24T12:00:00.000000Z',
      hosts: ['web-1', 'web-2'],
      services: ['checkout'],
      severities: ['error', 'fatal'],
      text: 'timeout',
      attributes: { region: 'eu' },
      traceId: TRACE_ID,
      limit: 50,
    });
  });

  it('reads the clock when no now is given', () => {
    const before = Date.now();
    const result = parseLogQuery({ from: 'now' });
    const after = Date.now();
    if (!result.ok) throw new Error(result.error.message);
    const from = Date.parse(result.value.from ?? '');
    expect(from).toBeGreaterThanOrEqual(before);
    expect(from).toBeLessThanOrEqual(after);
  });
});

describe(resolveTime.name, () => {
  it('trims around a relative time', () => {
    expect(parsed({ from: ' now-15m ' }).from).toBe('2026-11-24T11:45:00.000000Z');
  });

  it('refuses a relative time reaching before year 0, naming the parameter', () => {
    expect(refusal({ from: 'now-99999999999999999999w' })).toMatchObject({ field: 'from' });
    expect(resolveTime({ beforeNowMs: 1e20 }, NOW).ok).toBe(false);
  });
});

describe(parseHistogramQuery.name, () => {
  const DAY_BEFORE_NOW: RangeFilters = {
    ...EMPTY_FILTERS,
    from: '2026-11-23T12:00:00.000000Z',
    to: '2026-11-24T12:00:00.000000Z',
  };

  function histogram(params: QueryParams): HistogramQuery {
    const result = parseHistogramQuery(params, NO_RANGE_CAP, NOW);
    if (!result.ok) throw new Error(`expected a query, got ${JSON.stringify(result.error)}`);
    return result.value;
  }

  it('counts over the last 24 hours in 15-minute buckets when given nothing', () => {
    expect(histogram({})).toEqual({ filters: DAY_BEFORE_NOW, interval: '15m' });
  });

  it('takes interval=auto as the default', () => {
    expect(histogram({ interval: 'auto' })).toEqual(histogram({}));
  });

  it('chooses the interval from the range it is given', () => {
    expect(histogram({ from: 'now-1h', to: 'now' }).interval).toBe('30s');
    expect(histogram({ from: 'now-7d' }).interval).toBe('3h');
  });

  it('defaults from to 24 hours before a given to, and to to now', () => {
    expect(histogram({ to: '2026-11-20T00:00:00Z' }).filters).toMatchObject({
      from: '2026-11-19T00:00:00.000000Z',
      to: '2026-11-20T00:00:00.000000Z',
    });
    expect(histogram({ from: 'now-2h' }).filters).toMatchObject({ to: '2026-11-24T12:00:00.000000Z' });
  });

  it('keeps a fixed interval and the filters of /api/logs', () => {
    expect(
      histogram({ interval: '1m', service: 'checkout', minSeverity: 'error', 'attr.region': 'eu' }),
    ).toEqual({
      filters: {
        ...DAY_BEFORE_NOW,
        services: ['checkout'],
        severities: ['error', 'fatal'],
        attributes: { region: 'eu' },
      },
      interval: '1m',
    });
  });

  it.each([['limit'], ['cursor']])('refuses %s, naming it', (name) => {
    expect(parseHistogramQuery({ [name]: '10' }, NO_RANGE_CAP, NOW)).toEqual({
      ok: false,
      error: {
        field: name,
        message:
          'unknown parameter; use one of from, to, host, service, severity, minSeverity, q, traceId, interval, contains, -host, -service, -severity or attr.<key>',
      },
    });
  });

  it.each([['2m'], ['1h30m'], [''], ['toString']])('refuses interval=%p', (interval) => {
    expect(parseHistogramQuery({ interval }, NO_RANGE_CAP, NOW)).toEqual({
      ok: false,
      error: {
        field: 'interval',
        message: 'must be auto or one of 1s, 10s, 30s, 1m, 5m, 15m, 30m, 1h, 3h, 6h, 12h, 1d',
      },
    });
  });

  it('refuses an interval making more than 2,000 buckets', () => {
    expect(parseHistogramQuery({ interval: '1s' }, NO_RANGE_CAP, NOW)).toEqual({
      ok: false,
      error: { field: 'interval', message: '1s makes 86400 buckets over this range; at most 2000' },
    });
  });

  it('refuses a range too long even for 1d buckets, naming from', () => {
    expect(parseHistogramQuery({ from: '2000-01-01T00:00:00Z' }, NO_RANGE_CAP, NOW)).toEqual({
      ok: false,
      error: { field: 'from', message: 'the range is too long for a histogram: at most 2000 days' },
    });
  });

  it('starts the default range no earlier than the epoch', () => {
    expect(histogram({ to: '1970-01-01T01:00:00Z' }).filters).toMatchObject({
      from: '1970-01-01T00:00:00.000000Z',
      to: '1970-01-01T01:00:00.000000Z',
    });
    expect(parseHistogramQuery({ to: '1970-01-01T00:00:00Z' }, NO_RANGE_CAP, NOW)).toMatchObject({
      ok: false,
      error: { field: 'from' },
    });
  });

  it('refuses a from later than the default to', () => {
    expect(parseHistogramQuery({ from: '2026-11-25T00:00:00Z' }, NO_RANGE_CAP, NOW)).toEqual({
      ok: false,
      error: { field: 'from', message: 'must be earlier than to' },
    });
  });
});

describe('QUERY_MAX_RANGE: the range cap of histograms and facets', () => {
  const parsers = [
    ['parseHistogramQuery', parseHistogramQuery],
    ['parseFacetQuery', parseFacetQuery],
  ] as const;

  it.each(parsers)('%s refuses a range wider than the cap, naming from and the setting', (_, parse) => {
    expect(parse({ from: 'now-15d' }, 14 * DAY_MS, NOW)).toEqual({
      ok: false,
      error: {
        field: 'from',
        message:
          'the range spans more than 14d, the most a histogram or facets cover (QUERY_MAX_RANGE); narrow from or to',
      },
    });
  });

  it.each(parsers)('%s accepts a range of exactly the cap', (_, parse) => {
    expect(parse({ from: 'now-14d' }, 14 * DAY_MS, NOW).ok).toBe(true);
  });

  it.each(parsers)('%s refuses a default range wider than a cap under a day', (_, parse) => {
    expect(parse({}, 3_600_000, NOW)).toMatchObject({ ok: false, error: { field: 'from' } });
  });
});

describe(parseFacetQuery.name, () => {
  it('counts over the last 24 hours by default, with the filters of /api/logs', () => {
    expect(parseFacetQuery({ host: 'web-1', q: 'timeout' }, NO_RANGE_CAP, NOW)).toEqual({
      ok: true,
      value: {
        ...EMPTY_FILTERS,
        from: '2026-11-23T12:00:00.000000Z',
        to: '2026-11-24T12:00:00.000000Z',
        hosts: ['web-1'],
        text: 'timeout',
      },
    });
  });

  it.each([['limit'], ['cursor'], ['interval']])('refuses %s', (name) => {
    const result = parseFacetQuery({ [name]: '1' }, NO_RANGE_CAP, NOW);
    expect(result.ok || result.error.field).toBe(name);
  });
});
