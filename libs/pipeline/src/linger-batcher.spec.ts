import { LingerBatcher } from './linger-batcher';

function makeBatcher(
  maxWeight: number,
  lingerMs: number,
  flush: (items: number[]) => Promise<void>,
  maxConcurrentFlushes?: number,
) {
  return new LingerBatcher<number>({
    maxWeight,
    lingerMs,
    maxConcurrentFlushes,
    weigh: () => 1,
    flush,
    onError: () => undefined,
  });
}

describe(LingerBatcher.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('flushes at once when the weight is reached', async () => {
    const batches: number[][] = [];
    const sut = makeBatcher(3, 1000, async (items) => void batches.push(items));
    [1, 2, 3, 4].forEach((n) => sut.add(n));
    await sut.drain();
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('flushes a partial batch after the linger', async () => {
    const batches: number[][] = [];
    const sut = makeBatcher(100, 50, async (items) => void batches.push(items));
    sut.add(1);
    sut.add(2);
    expect(batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(50);
    expect(batches).toEqual([[1, 2]]);
  });

  it('runs one flush at a time, and what gathers meanwhile goes out in batches of at most maxWeight', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const sut = makeBatcher(2, 1000, (items) => {
      batches.push(items);
      return batches.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    });
    [1, 2, 3, 4, 5].forEach((n) => sut.add(n));
    expect(batches).toEqual([[1, 2]]);
    release();
    await sut.drain();
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('weighs each item: a batch ends with the item that reaches maxWeight, even after a stall', async () => {
    const batches: number[][] = [];
    const sut = new LingerBatcher<number>({
      maxWeight: 10,
      lingerMs: 1000,
      weigh: (item) => item,
      flush: async (items) => void batches.push(items),
      onError: () => undefined,
    });
    [4, 4, 3, 25, 2, 6, 5].forEach((n) => sut.add(n));
    await sut.drain();
    expect(batches).toEqual([[4, 4, 3], [25], [2, 6, 5]]);
  });

  it('runs up to maxConcurrentFlushes at once, and drain waits for all of them', async () => {
    const started: number[][] = [];
    const releases: (() => void)[] = [];
    const sut = makeBatcher(
      2,
      1000,
      (items) => {
        started.push(items);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
      2,
    );
    [1, 2, 3, 4, 5, 6, 7].forEach((n) => sut.add(n));
    expect(started).toEqual([
      [1, 2],
      [3, 4],
    ]);
    let drained = false;
    const draining = sut.drain().then(() => (drained = true));
    releases[1]();
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    releases[2]();
    await jest.advanceTimersByTimeAsync(0);
    expect(started[3]).toEqual([7]);
    releases[3]();
    await jest.advanceTimersByTimeAsync(0);
    expect(drained).toBe(false);
    releases[0]();
    await draining;
    expect(sut.size).toBe(0);
  });

  it('reports a failed flush and keeps going', async () => {
    const errors: unknown[] = [];
    const sut = new LingerBatcher<number>({
      maxWeight: 1,
      lingerMs: 10,
      weigh: () => 1,
      flush: async (items) => {
        if (items[0] === 1) throw new Error('boom');
      },
      onError: (error) => errors.push(error),
    });
    sut.add(1);
    sut.add(2);
    await sut.drain();
    expect(errors).toHaveLength(1);
    expect(sut.size).toBe(0);
  });
});
