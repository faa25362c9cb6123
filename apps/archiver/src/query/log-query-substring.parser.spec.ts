import { MAX_CONTAINS, MAX_CONTAINS_LENGTH } from '@logyard/contracts';
import { parseFacetField, parseFacetQuery, parseLogQuery } from './log-query.parser';

// contains=, the -host/-service/-severity exclusions and facets' field=attr.<key>, beside log-query.parser.spec.ts.
const NOW = new Date('2026-11-24T12:00:00.000Z');

describe('contains and exclusions', () => {
  it('reads repeated substrings and exclusions, canonicalising excluded severities', () => {
    const sut = parseLogQuery(
      {
        contains: ['Timeout', '50%'],
        '-host': 'web-1',
        '-service': ['cron', 'health'],
        '-severity': ['DEBUG', 'debug', 'err'],
      },
      NOW,
    );
    expect(sut).toEqual({
      ok: true,
      value: expect.objectContaining({
        contains: ['Timeout', '50%'],
        excludedHosts: ['web-1'],
        excludedServices: ['cron', 'health'],
        excludedSeverities: ['debug', 'error'],
      }),
    });
  });

  it('adds nothing when none is given', () => {
    const sut = parseLogQuery({}, NOW);
    expect(sut.ok && Object.keys(sut.value).sort()).toEqual([
      'attributes',
      'hosts',
      'limit',
      'services',
      'severities',
    ]);
  });

  it.each([
    [{ contains: '' }, 'contains', 'contains: must not be empty'],
    [
      { contains: Array(MAX_CONTAINS + 1).fill('x') },
      'contains',
      `may be given at most ${MAX_CONTAINS} times`,
    ],
    [
      { contains: 'x'.repeat(MAX_CONTAINS_LENGTH + 1) },
      'contains',
      `must be at most ${MAX_CONTAINS_LENGTH} characters`,
    ],
    [{ '-host': '' }, '-host', 'must not be empty'],
    [{ '-service': ['a', ''] }, '-service', 'must not be empty'],
    [{ '-severity': 'loud' }, '-severity', 'loud'],
  ])('refuses %j, naming %s', (params, field, message) => {
    const sut = parseLogQuery(params, NOW);
    expect(sut.ok).toBe(false);
    if (sut.ok) return;
    expect(sut.error.field).toBe(field);
    expect(sut.error.message).toContain(message.replace(/^contains: /, ''));
  });

  it('applies to facets and histograms too', () => {
    const sut = parseFacetQuery(
      { contains: 'timeout', '-service': 'cron', field: 'attr.region' },
      31 * 86_400_000,
      NOW,
    );
    expect(sut.ok && [sut.value.contains, sut.value.excludedServices]).toEqual([['timeout'], ['cron']]);
  });
});

describe(parseFacetField.name, () => {
  it.each([
    [{}, undefined],
    [{ field: 'attr.region' }, 'region'],
    [{ field: 'attr.http.status' }, 'http.status'],
  ])('reads %j', (params, key) => {
    expect(parseFacetField(params)).toEqual({ ok: true, value: key });
  });

  it.each([[{ field: 'host' }], [{ field: 'attr.' }], [{ field: ['attr.a', 'attr.b'] }]])(
    'refuses %j',
    (params) => {
      expect(parseFacetField(params)).toMatchObject({ ok: false, error: { field: 'field' } });
    },
  );
});
