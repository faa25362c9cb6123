import { backoffDelayMs, RetryDelay } from './retry-delay';

describe(RetryDelay.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the delay', async () => {
    const sut = new RetryDelay();
    let done = false;
    void sut.wait(1000).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('resolves at once when interrupted', async () => {
    const sut = new RetryDelay();
    const waiting = sut.wait(10_000);
    sut.interrupt();
    await expect(waiting).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ends every wait when interrupted, however many there are', async () => {
    const sut = new RetryDelay();
    const waits = [sut.wait(10_000), sut.wait(20_000)];
    sut.interrupt();
    await expect(Promise.all(waits)).resolves.toEqual([undefined, undefined]);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe(backoffDelayMs.name, () => {
  const backoff = { baseMs: 100, maxMs: 5_000 };

  it('doubles the ceiling with every attempt, up to the cap', () => {
    const ceiling = (attempt: number) => backoffDelayMs(attempt, backoff, () => 0.999999);
    expect([0, 1, 2, 3, 5, 6, 60, 10_000].map(ceiling)).toEqual([99, 199, 399, 799, 3199, 4999, 4999, 4999]);
  });

  it('draws each delay from zero up to the ceiling (full jitter)', () => {
    expect(backoffDelayMs(4, backoff, () => 0)).toBe(0);
    expect(backoffDelayMs(4, backoff, () => 0.5)).toBe(800);
  });

  it('spreads the retries of processes that failed at the same moment', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5, backoff)));
    expect(delays.size).toBeGreaterThan(40);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(0);
    for (const delay of delays) expect(delay).toBeLessThan(3_200);
  });
});
