import {
  formatEpochMicros,
  Histogram,
  Interval,
  INTERVALS,
  Severity,
  SEVERITIES,
  toEpochMicros,
} from '@logyard/contracts';
import { BucketCount } from '@logyard/db';

/** `auto` picks the finest interval giving at most this many buckets (so at least ~24, mostly 50–120). */
export const MAX_AUTO_BUCKETS = 120;
/** Beyond this many buckets a histogram is refused: the answer would be huge and unreadable. */
export const MAX_BUCKETS = 2_000;

export function isInterval(value: string): value is Interval {
  return Object.hasOwn(INTERVALS, value);
}

/**
 * Buckets are aligned to the interval in UTC from the Unix epoch (as the SQL's
 * date_bin origin), so the first bucket may start before `from` and only
 * counts records from `from` on; `to` is exclusive.
 */
export function bucketCount(from: string, to: string, interval: Interval): number {
  const [first, last] = bucketBounds(from, to, interval);
  return Number((last - first) / micros(interval)) + 1;
}

/** The finest interval whose bucket count over [from, to) stays within {@link MAX_AUTO_BUCKETS}; else 1d. */
export function chooseInterval(from: string, to: string): Interval {
  const intervals = Object.keys(INTERVALS) as Interval[];
  return intervals.find((interval) => bucketCount(from, to, interval) <= MAX_AUTO_BUCKETS) ?? '1d';
}

/** Lays the non-empty counts onto every bucket of the range, with a zero for each covered severity missing. */
export function toHistogram(
  from: string,
  to: string,
  interval: Interval,
  severities: readonly Severity[],
  counts: readonly BucketCount[],
): Histogram {
  const covered = SEVERITIES.filter((severity) => !severities.length || severities.includes(severity));
  const [first, last] = bucketBounds(from, to, interval);
  const step = micros(interval);
  const buckets: Histogram['buckets'] = [];
  const byStart = new Map<string, Partial<Record<Severity, number>>>();
  for (let start = first; start <= last; start += step) {
    const bucket = { ts: formatEpochMicros(start), counts: Object.fromEntries(covered.map((s) => [s, 0])) };
    buckets.push(bucket);
    byStart.set(bucket.ts, bucket.counts);
  }
  for (const { bucket, severity, count } of counts) {
    // Counted rows all lie in [from, to), so the bucket each names is one of ours.
    const bucketCounts = byStart.get(bucket);
    if (bucketCounts) bucketCounts[severity] = count;
  }
  return { interval, buckets };
}

function micros(interval: Interval): bigint {
  return BigInt(INTERVALS[interval]) * 1_000_000n;
}

/** Starts of the first and last bucket touching [from, to), in epoch microseconds. */
function bucketBounds(from: string, to: string, interval: Interval): [bigint, bigint] {
  const step = micros(interval);
  const floor = (value: bigint) => value - (((value % step) + step) % step);
  return [floor(toEpochMicros(from)), floor(toEpochMicros(to) - 1n)];
}
