import {
  buildFacetQuery,
  buildHistogramQuery,
  buildLogQuery,
  fullTextWindows,
  LogFilters,
  LogQuery,
} from './log-query';

const base: LogQuery = { hosts: [], services: [], severities: [], attributes: {}, limit: 100 };

describe(buildLogQuery.name, () => {
  it('orders newest first and fetches one extra row to detect a next page', () => {
    const sut = buildLogQuery(base);
    expect(sut.text).toMatch(/ORDER BY logs.ts DESC, logs.id DESC LIMIT \$1$/);
    expect(sut.values).toEqual([101]);
  });

  it('parameterises every filter in order', () => {
    const sut = buildLogQuery({
      ...base,
      from: '2026-11-24T00:00:00.000000Z',
      to: '2026-11-25T00:00:00.000000Z',
      hosts: ['web-1.prod'],
      services: ['checkout', 'cart'],
      severities: ['error', 'fatal'],
      text: '"payment failed" -retry',
      attributes: { region: 'eu' },
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
    expect(sut.text).toContain('ts >= $1::timestamptz AND ts < $2::timestamptz');
    expect(sut.text).toContain('host = $3 AND service = ANY($4::text[])');
    expect(sut.text).toContain('severity = ANY($5::smallint[])');
    expect(sut.text).toContain("websearch_to_tsquery('simple', $6)");
    expect(sut.text).toContain('attributes @> $7::jsonb');
    expect(sut.text).toContain('trace_id = $8');
    expect(sut.values).toEqual([
      '2026-11-24T00:00:00.000000Z',
      '2026-11-25T00:00:00.000000Z',
      'web-1.prod',
      ['checkout', 'cart'],
      [17, 21],
      '"payment failed" -retry',
      '{"region":"eu"}',
      '0af7651916cd43dd8448eb211c80319c',
      101,
    ]);
  });

  it('walks the table in key order without full text, so an index can end the walk early', () => {
    const sut = buildLogQuery({ ...base, services: ['checkout'] });
    expect(sut.text).toMatch(/FROM logs WHERE service = \$1 ORDER BY logs.ts DESC, logs.id DESC LIMIT \$2$/);
  });

  it('collects full-text matches behind a fence before sorting them', () => {
    const sut = buildLogQuery({ ...base, text: 'declined' });
    expect(sut.text).toMatch(
      /^SELECT \* FROM \(SELECT .* FROM logs WHERE .*websearch_to_tsquery\('simple', \$1\) OFFSET 0\) matches ORDER BY ts DESC, id DESC LIMIT \$2$/,
    );
  });

  it('continues strictly after the keyset position', () => {
    const sut = buildLogQuery({ ...base, after: { ts: '2026-11-24T10:00:00.000001Z', id: 'abc' } });
    expect(sut.text).toContain('(ts, id) < ($1::timestamptz, $2::uuid)');
    expect(sut.values.slice(0, 2)).toEqual(['2026-11-24T10:00:00.000001Z', 'abc']);
  });

  it('never splices a value into the SQL text', () => {
    const hostile = "x'); DROP TABLE logs; --";
    const sut = buildLogQuery({
      ...base,
      hosts: [hostile],
      text: hostile,
      attributes: { [hostile]: hostile },
    });
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

describe(buildHistogramQuery.name, () => {
  it('bins with date_bin on the epoch grid and counts per bucket and severity, all parameterised', () => {
    const sut = buildHistogramQuery(filters, 900);
    expect(sut.text).toContain('date_bin($5::interval, ts, $6::timestamptz)');
    expect(sut.text).toContain('GROUP BY bucket, severity');
    expect(sut.text).toContain('ts >= $1::timestamptz AND ts < $2::timestamptz AND service = $3');
    expect(sut.values).toEqual([
      '2026-11-23T12:00:00.000000Z',
      '2026-11-24T12:00:00.000000Z',
      'checkout',
      [17],
      '900 seconds',
      '1970-01-01T00:00:00Z',
    ]);
  });

  it('never splices a value into the SQL text', () => {
    const sut = buildHistogramQuery({ ...filters, text: "'); DROP TABLE logs; --" }, 60);
    expect(sut.text).not.toContain('DROP');
  });
});

describe(buildFacetQuery.name, () => {
  it('counts hosts, services and severities in one pass and keeps the top N of each', () => {
    const sut = buildFacetQuery(filters, 50);
    expect(sut.text).toContain('GROUP BY GROUPING SETS ((host), (service), (severity))');
    expect(sut.text).toContain('WHERE rank <= $5');
    expect(sut.values).toEqual([
      '2026-11-23T12:00:00.000000Z',
      '2026-11-24T12:00:00.000000Z',
      'checkout',
      [17],
      50,
    ]);
  });

  it('never splices a value into the SQL text', () => {
    const sut = buildFacetQuery({ ...filters, hosts: ["x'); DROP TABLE logs; --"] }, 50);
    expect(sut.text).not.toContain('DROP');
  });
});

describe(fullTextWindows.name, () => {
  const textQuery: LogQuery = { ...base, text: 'declined' };
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
