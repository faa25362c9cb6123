import { Interval, INTERVALS } from '@logyard/contracts';
import { BucketCount } from '@logyard/db';
import { bucketCount, chooseInterval, isInterval, MAX_AUTO_BUCKETS, toHistogram } from './histogram';

const TO = '2026-11-24T12:00:00.000000Z';
const before = (ms: number) => new Date(Date.parse(TO) - ms).toISOString().replace('Z', '000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe(chooseInterval.name, () => {
  it.each<[string, Interval, number, number]>([
    ['5 minutes', '10s', 30, 5 * MINUTE],
    ['15 minutes', '10s', 90, 15 * MINUTE],
    ['1 hour', '30s', 120, HOUR],
    ['6 hours', '5m', 72, 6 * HOUR],
    ['24 hours', '15m', 96, DAY],
    ['7 days', '3h', 56, 7 * DAY],
    ['14 days', '3h', 112, 14 * DAY],
    ['30 days', '6h', 120, 30 * DAY],
    ['90 days', '1d', 91, 90 * DAY],
  ])('gives %s %s, the finest interval within 120 buckets (%s)', (_range, interval, buckets, ms) => {
    expect(chooseInterval(before(ms), TO)).toBe(interval);
    expect(bucketCount(before(ms), TO, interval)).toBe(buckets);
  });

  it('counts the extra bucket an unaligned range touches', () => {
    // 12:00:10 back one hour touches 121 half-minute buckets, so one step coarser.
    const from = '2026-11-24T11:00:10.000000Z';
    const to = '2026-11-24T12:00:10.000000Z';
    expect(bucketCount(from, to, '30s')).toBe(MAX_AUTO_BUCKETS + 1);
    expect(chooseInterval(from, to)).toBe('1m');
  });

  it('falls back to 1d for ranges longer than 120 days', () => {
    expect(chooseInterval(before(400 * DAY), TO)).toBe('1d');
  });
});

describe(bucketCount.name, () => {
  it('treats to as exclusive', () => {
    expect(bucketCount('2026-11-24T10:00:00.000000Z', '2026-11-24T11:00:00.000000Z', '1h')).toBe(1);
    expect(bucketCount('2026-11-24T10:00:00.000000Z', '2026-11-24T11:00:00.000001Z', '1h')).toBe(2);
  });
});

describe(isInterval.name, () => {
  it('knows every interval and nothing inherited', () => {
    expect(Object.keys(INTERVALS).every(isInterval)).toBe(true);
    expect(isInterval('2m')).toBe(false);
    expect(isInterval('toString')).toBe(false);
  });
});

describe(toHistogram.name, () => {
  const from = '2026-11-24T10:20:00.000000Z';
  const to = '2026-11-24T12:10:00.000000Z';

  it('lays counts onto every aligned bucket, with a zero for each severity missing', () => {
    const counts: BucketCount[] = [
      { bucket: '2026-11-24T10:00:00.000000Z', severity: 'error', count: 3 },
      { bucket: '2026-11-24T12:00:00.000000Z', severity: 'debug', count: 1 },
      { bucket: '2026-11-24T12:00:00.000000Z', severity: 'error', count: 2 },
    ];
    const zero = { trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0 };
    expect(toHistogram(from, to, '1h', [], counts)).toEqual({
      interval: '1h',
      buckets: [
        { ts: '2026-11-24T10:00:00.000000Z', counts: { ...zero, error: 3 } },
        { ts: '2026-11-24T11:00:00.000000Z', counts: zero },
        { ts: '2026-11-24T12:00:00.000000Z', counts: { ...zero, debug: 1, error: 2 } },
      ],
    });
  });

  it('keys counts by the severities the query covers, lowest first', () => {
    const sut = toHistogram(from, to, '1d', ['fatal', 'error'], []);
    expect(sut.buckets).toEqual([{ ts: '2026-11-24T00:00:00.000000Z', counts: { error: 0, fatal: 0 } }]);
  });
});
