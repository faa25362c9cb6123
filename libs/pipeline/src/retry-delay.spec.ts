import { RetryDelay } from './retry-delay';

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
