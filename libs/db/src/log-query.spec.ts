import { buildLogQuery, LogQuery } from './log-query';

const base: LogQuery = { hosts: [], services: [], severities: [], attributes: {}, limit: 100 };

describe(buildLogQuery.name, () => {
  it('orders newest first and fetches one extra row to detect a next page', () => {
    const sut = buildLogQuery(base);
    expect(sut.text).toMatch(/ORDER BY ts DESC, id DESC LIMIT \$1$/);
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
    expect(sut.text).toContain('host = ANY($3::text[])');
    expect(sut.text).toContain('severity = ANY($5::smallint[])');
    expect(sut.text).toContain("websearch_to_tsquery('simple', $6)");
    expect(sut.text).toContain('attributes @> $7::jsonb');
    expect(sut.text).toContain('trace_id = $8');
    expect(sut.values).toEqual([
      '2026-11-24T00:00:00.000000Z',
      '2026-11-25T00:00:00.000000Z',
      ['web-1.prod'],
      ['checkout', 'cart'],
      [17, 21],
      '"payment failed" -retry',
      '{"region":"eu"}',
      '0af7651916cd43dd8448eb211c80319c',
      101,
    ]);
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
