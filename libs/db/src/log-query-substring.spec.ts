import { buildAttributeFacetQuery, buildLogQuery, likePattern, LogQuery } from './log-query';

// Substring search, exclusions and attribute facets, in their own file beside log-query.spec.ts.
const base: LogQuery = { hosts: [], services: [], severities: [], attributes: {}, limit: 100 };

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
    const sut = buildLogQuery({ ...base, contains: ['Timeout', '50%'] });
    expect(sut.text).toContain("message ILIKE $1 ESCAPE '\\' AND message ILIKE $2 ESCAPE '\\'");
    expect(sut.values).toEqual(['%Timeout%', '%50\\%%', 101]);
  });

  it('leaves out excluded hosts, services and severities', () => {
    const sut = buildLogQuery({
      ...base,
      excludedHosts: ['web-1'],
      excludedServices: ['cron', 'health'],
      excludedSeverities: ['debug', 'trace'],
    });
    expect(sut.text).toContain(
      'host <> ALL($1::text[]) AND service <> ALL($2::text[]) AND severity <> ALL($3::smallint[])',
    );
    expect(sut.values).toEqual([['web-1'], ['cron', 'health'], [5, 1], 101]);
  });

  it('never splices a value into the SQL text', () => {
    const hostile = "'); DROP TABLE logs; --";
    const sut = buildLogQuery({ ...base, contains: [hostile], excludedHosts: [hostile] });
    expect(sut.text).not.toContain('DROP');
  });
});

describe(buildAttributeFacetQuery.name, () => {
  it('counts the values of one attribute among the records that have it, the top N', () => {
    const sut = buildAttributeFacetQuery({ ...base, services: ['shop'] }, 'region', 50);
    expect(sut.text).toBe(
      'SELECT attributes->>$2 AS value, count(*) AS count FROM logs WHERE service = $1 AND attributes ? $2 ' +
        'GROUP BY 1 ORDER BY count DESC, value LIMIT $3',
    );
    expect(sut.values).toEqual(['shop', 'region', 50]);
  });
});
