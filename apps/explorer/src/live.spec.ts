import type { LogRecord } from '@logyard/contracts';
import { LiveTail, liveFilter, nextTail, RateMeter, tailPatterns } from './live';

import { EMPTY_STATE } from './url-state';

const record = (fields: Partial<LogRecord> = {}): LogRecord => ({
  id: '0190f0f0-0000-7000-8000-000000000000',
  ts: '2026-11-30T10:00:00.000000Z',
  observedTs: '2026-11-30T10:00:00.000000Z',
  host: 'web-1.prod',
  service: 'shop',
  severity: 'info',
  message: 'payment declined',
  attributes: {},
  ...fields,
});

describe(tailPatterns.name, () => {
  it('subscribes to everything without filters', () => {
    expect(tailPatterns(EMPTY_STATE)).toEqual(['*.*.*']);
  });

  it('builds host × service × severity from routing tokens', () => {
    expect(
      tailPatterns({
        ...EMPTY_STATE,
        hosts: ['Web-1.prod'],
        services: ['shop', 'cart'],
        minSeverity: 'error',
      }),
    ).toEqual([
      'web-1_prod.shop.error',
      'web-1_prod.shop.fatal',
      'web-1_prod.cart.error',
      'web-1_prod.cart.fatal',
    ]);
  });

  it('leaves excluded severities out of the patterns', () => {
    expect(tailPatterns({ ...EMPTY_STATE, minSeverity: 'warn', excludedSeverities: ['error'] })).toEqual([
      '*.*.warn',
      '*.*.fatal',
    ]);
  });

  it("takes everything past the router's 32 patterns, leaving the filtering to the page", () => {
    const hosts = Array.from({ length: 11 }, (_, i) => `h${i}`);
    expect(tailPatterns({ ...EMPTY_STATE, hosts, minSeverity: 'error' })).toHaveLength(22);
    expect(tailPatterns({ ...EMPTY_STATE, hosts, minSeverity: 'warn' })).toEqual(['#']);
  });
});

describe(liveFilter.name, () => {
  it('checks the names a routing token cannot tell apart, and every other filter', () => {
    const state = {
      ...EMPTY_STATE,
      hosts: ['web-1.prod'],
      q: 'declined',
      attributes: [['region', 'eu']] as [string, string][],
    };
    expect(liveFilter(state)(record({ attributes: { region: 'eu' } }))).toBe(true);
    expect(liveFilter(state)(record({ host: 'web-1_prod', attributes: { region: 'eu' } }))).toBe(false);
    expect(liveFilter(state)(record({ attributes: { region: 'us' } }))).toBe(false);
    expect(liveFilter(state)(record({ message: 'paid', attributes: { region: 'eu' } }))).toBe(false);
    expect(liveFilter({ ...EMPTY_STATE, minSeverity: 'warn' })(record())).toBe(false);
    expect(liveFilter({ ...EMPTY_STATE, traceId: 'abc' })(record({ traceId: 'ABC' }))).toBe(true);
    expect(liveFilter({ ...EMPTY_STATE, excludedHosts: ['web-1.prod'] })(record())).toBe(false);
    expect(liveFilter({ ...EMPTY_STATE, contains: ['MENT DECL'] })(record())).toBe(true);
    expect(liveFilter({ ...EMPTY_STATE, contains: ['ment', 'refund'] })(record())).toBe(false);
  });

  // Live compared String(value), so it showed records the archive's search (jsonb @>) and the alerts leave out.
  it('matches an attribute as the archive does: present, own, and exactly that string', () => {
    const attr = (key: string, value: string) => liveFilter({ ...EMPTY_STATE, attributes: [[key, value]] });
    expect(attr('n', '5')(record({ attributes: { n: 5 } }))).toBe(false);
    expect(attr('n', '5')(record({ attributes: { n: '5' } }))).toBe(true);
    expect(attr('k', '')(record({ attributes: {} }))).toBe(false);
    expect(attr('toString', '')(record({ attributes: {} }))).toBe(false);
  });

  // The words, phrases, `-word` and `or` themselves are the archive's full-text semantics: text-query.spec.
  it('finds by q as the archive does, and takes every record while q is blank', () => {
    expect(
      liveFilter({ ...EMPTY_STATE, q: 'payment -declined' })(record({ message: 'payment declined' })),
    ).toBe(false);
    expect(
      liveFilter({ ...EMPTY_STATE, q: 'payment -declined' })(record({ message: 'payment accepted' })),
    ).toBe(true);
    expect(liveFilter({ ...EMPTY_STATE, q: ' ' })(record({ message: 'anything' }))).toBe(true);
  });
});

describe(RateMeter.name, () => {
  it('averages arrivals over its window', () => {
    const sut = new RateMeter(1_000);
    sut.record(3, 0);
    sut.record(2, 500);
    expect(sut.perSecond(900)).toBe(5);
    expect(sut.perSecond(1_200)).toBe(2);
    expect(sut.perSecond(2_000)).toBe(0);
  });
});

describe(nextTail.name, () => {
  const shown: LiveTail = { records: [record()], rate: 2.5, dropped: 0, waiting: 0, status: 'live' };
  const counters = { rate: 2.5, dropped: 0, waiting: 0, status: 'live' as const };

  it('is the tail shown, unchanged, after a tick with nothing new, so that nothing is drawn', () => {
    expect(nextTail(shown, [], { ...counters, rate: 2.51 })).toBe(shown);
  });

  it('puts a batch in front and keeps at most 1,000 records', () => {
    const batch = Array.from({ length: 1_000 }, (_, i) => record({ message: `new ${i}` }));
    const next = nextTail(shown, batch, counters);
    expect(next.records).toHaveLength(1_000);
    expect(next.records[0].message).toBe('new 0');
  });

  it('is a new tail when a counter changed', () => {
    expect(nextTail(shown, [], { ...counters, waiting: 1 })).toEqual({ ...shown, waiting: 1 });
    expect(nextTail(shown, [], { ...counters, rate: 3 })).toEqual({ ...shown, rate: 3 });
  });
});
