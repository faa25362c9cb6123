import fc from 'fast-check';
import { propertyRuns } from '@logyard/testing';
import { WindowCounter } from './window-counter';

describe(WindowCounter.name, () => {
  const t0 = 1_700_000_000_000;

  it('counts records in the window ending with the current second, and forgets them as it slides', () => {
    const sut = new WindowCounter(1, 30, t0);
    sut.add(sut.bucketOf(t0 - 29_000));
    sut.add(sut.bucketOf(t0));
    sut.add(sut.bucketOf(t0 - 30_000)); // one second too old
    expect(sut.count(t0)).toBe(2);
    expect(sut.range()).toEqual({ fromMs: t0 - 29_000, toMs: t0 + 1000 });
    expect(sut.count(t0 + 1000)).toBe(1);
    expect(sut.count(t0 + 30_000)).toBe(0);
  });

  it('keeps a record dated slightly ahead until its second comes', () => {
    const sut = new WindowCounter(1, 30, t0);
    expect(sut.add(sut.bucketOf(t0 + 5000))).toBe(true);
    expect(sut.count(t0)).toBe(0);
    expect(sut.count(t0 + 5000)).toBe(1);
    expect(sut.add(sut.bucketOf(t0 + 3_600_000))).toBe(false);
  });

  it('survives an idle gap longer than its ring', () => {
    const sut = new WindowCounter(1, 30, t0);
    sut.add(sut.bucketOf(t0));
    expect(sut.count(t0 + 86_400_000)).toBe(0);
    sut.add(sut.bucketOf(t0 + 86_400_000));
    expect(sut.count(t0 + 86_400_000)).toBe(1);
  });

  it('property: always equals a brute-force count of the records in its range', () => {
    const event = fc.record({
      advanceMs: fc.integer({ min: 0, max: 20_000 }),
      offsetMs: fc.integer({ min: -70_000, max: 70_000 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 5),
        fc.integer({ min: 6, max: 40 }),
        fc.array(event, { maxLength: 200 }),
        (width, buckets, events) => {
          const sut = new WindowCounter(width, buckets, t0);
          const kept: number[] = [];
          let now = t0;
          for (const { advanceMs, offsetMs } of events) {
            now += advanceMs;
            const ts = now + offsetMs;
            sut.count(now);
            if (sut.add(sut.bucketOf(ts))) kept.push(ts);
            const count = sut.count(now);
            const { fromMs, toMs } = sut.range();
            expect(count).toBe(kept.filter((k) => k >= fromMs && k < toMs).length);
          }
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });
});
