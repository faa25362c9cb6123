import { LogFilters } from '@logyard/contracts';
import { logQuery } from '@logyard/testing';
import {
  buildFacetQuery,
  buildHistogramQuery,
  buildLogQuery,
  countSegments,
  fullTextWindows,
} from './log-query';

/** The SQL holds every fragment, and its parameters are exactly these, in order. */
function expectSql(sut: { text: string; values: unknown[] }, fragments: string[], values: unknown[]) {
  for (const fragment of fragments) expect(sut.text).toContain(fragment);
  expect(sut.values).toEqual(values);
}

describe(buildLogQuery.name, () => {
  it('orders newest first and fetches one extra row to detect a next page', () => {
    const sut = buildLogQuery(logQuery());
    expect(sut.text).toMatch(/ORDER BY logs.ts DESC, logs.id DESC LIMIT \$1$/);
    expect(sut.values).toEqual([101]);
  });

  it('parameterises every filter in order', () => {
    const sut = buildLogQuery(
      logQuery({
        from: '2026-11-24T00:00:00.000000Z',
        to: '2026-11-25T00:00:00.000000Z',
        hosts: ['web-1.prod'],
        services: ['checkout', 'cart'],
        severities: ['error', 'fatal'],
        text: '"payment failed" -retry',
        attributes: { region: 'eu' },
        traceId: '0af7651916cd43dd8448eb211c80319c',
      }),
    );
    expectSql(
      sut,
      [
        'ts >= $1::timestamptz AND ts < $2::timestamptz',
        'host = $3 AND service = ANY($4::text[])',
        'severity = ANY($5::smallint[])',
        "websearch_to_tsquery('simple', $6)",
        'attributes @> $7::jsonb',
        'trace_id = $8',
      ],
      [
        '2026-11-24T00:00:00.000000Z',
        '2026-11-25T00:00:00.000000Z',
        'web-1.prod',
        ['checkout', 'cart'],
        [17, 21],
        '"payment failed" -retry',
        '{"region":"eu"}',
        '0af7651916cd43dd8448eb211c80319c',
        101,
      ],
    );
  });

  it('walks the table in key order without full text, so an index can end the walk early', () => {
    const sut = buildLogQuery(logQuery({ services: ['checkout'] }));
    expect(sut.text).toMatch(/FROM logs WHERE service = \$1 ORDER BY logs.ts DESC, logs.id DESC LIMIT \$2$/);
  });

  it('collects full-text matches behind a fence before sorting them', () => {
    const sut = buildLogQuery(logQuery({ text: 'declined' }));
    expect(sut.text).toMatch(
      /^SELECT \* FROM \(SELECT .* FROM logs WHERE .*websearch_to_tsquery\('simple', \$1\) OFFSET 0\) matches ORDER BY ts DESC, id DESC LIMIT \$2$/,
    );
  });

  it('continues strictly after the keyset position', () => {
    const sut = buildLogQuery(logQuery({ after: { ts: '2026-11-24T10:00:00.000001Z', id: 'abc' } }));
    expect(sut.text).toContain('(ts, id) < ($1::timestamptz, $2::uuid)');
    expect(sut.values.slice(0, 2)).toEqual(['2026-11-24T10:00:00.000001Z', 'abc']);
  });

  it('never splices a value into the SQL text', () => {
    const hostile = "x'); DROP TABLE logs; --";
    const sut = buildLogQuery(
      logQuery({
        hosts: [hostile],
        text: hostile,
        attributes: { [hostile]: hostile },
      }),
    );
    expect(sut.text).not.toContain('DROP');
  });
});

const filters: LogFilters = {
  from: '2026-11-23T12:00:00.000000Z',
  to: '2026-11-24T12:00:00.000000Z',
  hosts: [],
  services: ['checkout'],
  severities: ['error'],
  attributes: {},
};

describe(countSegments.name, () => {
  const range = (from?: string, to?: string): LogFilters => ({ ...filters, from, to });

  it('takes whole hours from the hourly rollup, whole minutes beside them, and only the partial minutes from rows', () => {
    expect(countSegments(range('2026-11-23T10:58:30.500000Z', '2026-11-23T13:01:59.000000Z'))).toEqual([
      { source: 'logs', from: '2026-11-23T10:58:30.500000Z', to: '2026-11-23T10:59:00.000000Z' },
      { source: 'log_counts_minute', from: '2026-11-23T10:59:00.000000Z', to: '2026-11-23T11:00:00.000000Z' },
      { source: 'log_counts_hour', from: '2026-11-23T11:00:00.000000Z', to: '2026-11-23T13:00:00.000000Z' },
      { source: 'log_counts_minute', from: '2026-11-23T13:00:00.000000Z', to: '2026-11-23T13:01:00.000000Z' },
      { source: 'logs', from: '2026-11-23T13:01:00.000000Z', to: '2026-11-23T13:01:59.000000Z' },
    ]);
  });

  it('needs no rows for a range on the grid, and leaves a missing bound open', () => {
    expect(countSegments(range('2026-11-23T10:00:00.000000Z', '2026-11-23T11:00:00.000000Z'))).toEqual([
      { source: 'log_counts_hour', from: '2026-11-23T10:00:00.000000Z', to: '2026-11-23T11:00:00.000000Z' },
    ]);
    expect(countSegments(range('2026-11-23T10:30:00.000000Z'))).toEqual([
      { source: 'log_counts_minute', from: '2026-11-23T10:30:00.000000Z', to: '2026-11-23T11:00:00.000000Z' },
      { source: 'log_counts_hour', from: '2026-11-23T11:00:00.000000Z' },
    ]);
    expect(countSegments(range())).toEqual([{ source: 'log_counts_hour' }]);
  });

  it('uses the minute rollup alone within an hour, and the rows alone within a minute', () => {
    expect(countSegments(range('2026-11-23T10:10:00.000000Z', '2026-11-23T10:20:30.000000Z'))).toEqual([
      { source: 'log_counts_minute', from: '2026-11-23T10:10:00.000000Z', to: '2026-11-23T10:20:00.000000Z' },
      { source: 'logs', from: '2026-11-23T10:20:00.000000Z', to: '2026-11-23T10:20:30.000000Z' },
    ]);
    expect(countSegments(range('2026-11-23T10:10:01.000000Z', '2026-11-23T10:10:59.000000Z'))).toEqual([
      { source: 'logs', from: '2026-11-23T10:10:01.000000Z', to: '2026-11-23T10:10:59.000000Z' },
    ]);
    expect(countSegments(range('2026-11-23T10:00:00.000000Z', '2026-11-23T10:00:00.000000Z'))).toEqual([]);
  });

  it('uses only rollups whose buckets divide the histogram interval', () => {
    const day = range('2026-11-23T00:00:00.000000Z', '2026-11-24T00:00:00.000000Z');
    expect(countSegments(day, 900).map((s) => s.source)).toEqual(['log_counts_minute']);
    expect(countSegments(day, 10_800).map((s) => s.source)).toEqual(['log_counts_hour']);
    expect(countSegments(day, 30).map((s) => s.source)).toEqual(['logs']);
  });

  it.each<[string, Partial<LogFilters>]>([
    ['full text', { text: 'declined' }],
    ['an attribute', { attributes: { region: 'eu' } }],
    ['a trace id', { traceId: 'a'.repeat(32) }],
    ['a substring', { contains: ['time'] }],
  ])('counts from the rows alone when the filters name %s', (_, extra) => {
    expect(countSegments({ ...filters, ...extra })).toEqual([
      { source: 'logs', from: filters.from, to: filters.to },
    ]);
  });
});

describe(buildHistogramQuery.name, () => {
  it('bins rollup buckets with date_bin on the epoch grid, filtered like rows, all parameterised', () => {
    expectSql(
      buildHistogramQuery(filters, 900),
      [
        'date_bin($5::interval, ts, $6::timestamptz)',
        'GROUP BY bucket, severity',
        'FROM log_counts_minute WHERE bucket >= $1::timestamptz AND bucket < $2::timestamptz AND service = $3 AND severity = ANY($4::smallint[])',
      ],
      [
        '2026-11-23T12:00:00.000000Z',
        '2026-11-24T12:00:00.000000Z',
        'checkout',
        [17],
        '900 seconds',
        '1970-01-01T00:00:00Z',
      ],
    );
  });

  it('counts the rows themselves when the rollups cannot answer', () => {
    const sut = buildHistogramQuery({ ...filters, text: 'declined' }, 900);
    expect(sut.text).not.toContain('log_counts');
    expect(sut.text).toContain(
      'SELECT ts, severity, 1::bigint AS count FROM logs WHERE ts >= $1::timestamptz',
    );
  });

  it('never splices a value into the SQL text', () => {
    const sut = buildHistogramQuery({ ...filters, text: "'); DROP TABLE logs; --" }, 60);
    expect(sut.text).not.toContain('DROP');
  });
});

describe(buildFacetQuery.name, () => {
  it('counts hosts, services and severities in one pass and keeps the top N of each', () => {
    expectSql(
      buildFacetQuery(filters, 50),
      [
        'GROUP BY GROUPING SETS ((host), (service), (severity))',
        'WHERE rank <= $5',
        'FROM log_counts_hour WHERE bucket >= $1::timestamptz',
      ],
      ['2026-11-23T12:00:00.000000Z', '2026-11-24T12:00:00.000000Z', 'checkout', [17], 50],
    );
  });

  it('never splices a value into the SQL text', () => {
    const sut = buildFacetQuery({ ...filters, hosts: ["x'); DROP TABLE logs; --"] }, 50);
    expect(sut.text).not.toContain('DROP');
  });
});

describe(fullTextWindows.name, () => {
  const textQuery = logQuery({ text: 'declined' });
  const now = new Date('2026-11-24T12:00:00.000Z');

  it('searches back from now in growing windows, the first one open-ended, then the rest', () => {
    expect(fullTextWindows(textQuery, now)).toEqual([
      { from: '2026-11-24T11:00:00.000000Z', to: undefined },
      { from: '2026-11-24T08:00:00.000000Z', to: '2026-11-24T11:00:00.000000Z' },
      { from: '2026-11-23T20:00:00.000000Z', to: '2026-11-24T08:00:00.000000Z' },
      { from: '2026-11-21T20:00:00.000000Z', to: '2026-11-23T20:00:00.000000Z' },
      { from: '2026-11-13T20:00:00.000000Z', to: '2026-11-21T20:00:00.000000Z' },
      { from: undefined, to: '2026-11-13T20:00:00.000000Z' },
    ]);
  });

  it('starts from the earlier of to and the cursor, and stops at from', () => {
    const sut = fullTextWindows(
      {
        ...textQuery,
        from: '2026-11-24T00:00:00.000000Z',
        to: '2026-11-24T10:00:00.000000Z',
        after: { ts: '2026-11-24T09:00:00.000000Z', id: 'x' },
      },
      now,
    );
    expect(sut).toEqual([
      { from: '2026-11-24T08:00:00.000000Z', to: '2026-11-24T10:00:00.000000Z' },
      { from: '2026-11-24T05:00:00.000000Z', to: '2026-11-24T08:00:00.000000Z' },
      { from: '2026-11-24T00:00:00.000000Z', to: '2026-11-24T05:00:00.000000Z' },
    ]);
  });
});
