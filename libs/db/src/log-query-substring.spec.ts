import { logQuery } from '@logyard/testing';
import {
  buildAttributeFacetQuery,
  buildLogQuery,
  buildSketchSpanQuery,
  likePattern,
  sketchWindows,
} from './log-query';

// Substring search, exclusions and attribute facets, in their own file beside log-query.spec.ts.

describe(likePattern.name, () => {
  it.each([
    ['timeout', '%timeout%'],
    ['100%', '%100\\%%'],
    ['a_b', '%a\\_b%'],
    ['C:\\temp', '%C:\\\\temp%'],
  ])('matches %j as itself anywhere', (substring, pattern) => {
    expect(likePattern(substring)).toBe(pattern);
  });
});

describe('substrings and exclusions in buildLogQuery', () => {
  it('needs every substring, case-insensitively, with backslash as the escape', () => {
    const sut = buildLogQuery(logQuery({ contains: ['Timeout', '50%'] }));
    expect(sut.text).toContain("message ILIKE $1 ESCAPE '\\' AND message ILIKE $2 ESCAPE '\\'");
    expect(sut.values).toEqual(['%Timeout%', '%50\\%%', 101]);
  });

  it('leaves out excluded hosts, services and severities', () => {
    const sut = buildLogQuery(
      logQuery({
        excludedHosts: ['web-1'],
        excludedServices: ['cron', 'health'],
        excludedSeverities: ['debug', 'trace'],
      }),
    );
    expect(sut.text).toContain(
      'host <> ALL($1::text[]) AND service <> ALL($2::text[]) AND severity <> ALL($3::smallint[])',
    );
    expect(sut.values).toEqual([['web-1'], ['cron', 'health'], [5, 1], 101]);
  });

  it('never splices a value into the SQL text', () => {
    const hostile = "'); DROP TABLE logs; --";
    const sut = buildLogQuery(logQuery({ contains: [hostile], excludedHosts: [hostile] }));
    expect(sut.text).not.toContain('DROP');
  });
});

describe(buildAttributeFacetQuery.name, () => {
  it('counts the values of one attribute among the records that have it, the top N', () => {
    const sut = buildAttributeFacetQuery(logQuery({ services: ['shop'] }), 'region', 50);
    expect(sut.text).toBe(
      'SELECT attributes->>$2 AS value, count(*) AS count FROM logs WHERE service = $1 AND attributes ? $2 ' +
        'GROUP BY 1 ORDER BY count DESC, value LIMIT $3',
    );
    expect(sut.values).toEqual(['shop', 'region', 50]);
  });
});

describe(buildSketchSpanQuery.name, () => {
  it('asks for the spans of the range whose sketch has every probed bit, or that have none, newest first', () => {
    const sut = buildSketchSpanQuery(logQuery({ from: '2026-01-01T00:00:00.000000Z', to: 'T' }), [7, 9]);
    expect(sut.text).toContain('WHERE last_ts >= $1::timestamptz AND first_ts < $2::timestamptz AND ');
    expect(sut.text).toContain(
      '(grams IS NULL OR NOT EXISTS (SELECT 1 FROM unnest($3::bigint[]) AS gram ' +
        'WHERE get_byte(substring(grams FROM ((gram >> 3) & (length(grams) - 1))::int + 1 FOR 1), 0) ' +
        '& (1 << (gram & 7)::int) = 0))',
    );
    expect(sut.text).toMatch(/ORDER BY last_ts DESC LIMIT 65$/);
    expect(sut.values).toEqual(['2026-01-01T00:00:00.000000Z', 'T', [7, 9]]);
  });
});

describe(sketchWindows.name, () => {
  const span = (from: number, to: number) => ({ from: `t${from}`, to: `t${to}` });

  it('merges overlapping and touching spans into disjoint windows, newest first', () => {
    expect(sketchWindows(logQuery(), [span(1, 3), span(5, 7), span(2, 4), span(7, 8)])).toEqual([
      span(5, 8),
      span(1, 4),
    ]);
  });

  it("clips the windows to the query's range and drops the spans outside it", () => {
    expect(sketchWindows(logQuery({ from: 't2', to: 't6' }), [span(1, 3), span(5, 7), span(6, 8)])).toEqual([
      span(5, 6),
      span(2, 3),
    ]);
  });

  it('has no window without a span: nothing can match', () => {
    expect(sketchWindows(logQuery(), [])).toEqual([]);
  });
});
