import { waitForConfirmsWithin } from './confirm-publish';

describe(waitForConfirmsWithin.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves with the confirms, and leaves no timer behind', async () => {
    await waitForConfirmsWithin({ waitForConfirms: async () => undefined }, 10_000);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('fails once the timeout passes without a confirm, saying why the broker blocks publishers', async () => {
    const never = { waitForConfirms: () => new Promise<void>(() => undefined) };
    const waiting = waitForConfirmsWithin(never, 10_000, () => 'low on memory');
    const failed = expect(waiting).rejects.toThrow(
      'the broker did not confirm within 10000 ms (it blocks publishers: low on memory)',
    );
    await jest.advanceTimersByTimeAsync(10_000);
    await failed;
  });

  it('passes on a confirm failure as it is', async () => {
    const nacked = new Error('message nacked');
    await expect(
      waitForConfirmsWithin({ waitForConfirms: () => Promise.reject(nacked) }, 10_000),
    ).rejects.toBe(nacked);
  });
});
