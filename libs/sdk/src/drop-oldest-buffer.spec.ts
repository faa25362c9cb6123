import { DropOldestBuffer } from './drop-oldest-buffer';

describe(DropOldestBuffer.name, () => {
  it('hands items out oldest first, in batches', () => {
    const sut = new DropOldestBuffer<number>(10);
    [1, 2, 3, 4, 5].forEach((n) => sut.push(n));
    expect(sut.take(2)).toEqual([1, 2]);
    expect(sut.take(10)).toEqual([3, 4, 5]);
    expect(sut.take(10)).toEqual([]);
    expect(sut.size).toBe(0);
  });

  it('drops the oldest when full and counts each drop', () => {
    const sut = new DropOldestBuffer<number>(3);
    const dropped = [1, 2, 3, 4, 5, 6, 7].map((n) => sut.push(n));
    expect(dropped).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(sut.size).toBe(3);
    expect(sut.take(3)).toEqual([5, 6, 7]);
  });

  it('wraps around its ring without losing order', () => {
    const sut = new DropOldestBuffer<number>(4);
    for (let n = 1; n <= 50; n++) {
      sut.push(n);
      if (n % 3 === 0) sut.take(2);
    }
    expect(sut.take(4)).toEqual([47, 48, 49, 50]);
  });

  it('puts an unsent batch back in front of what arrived meanwhile', () => {
    const sut = new DropOldestBuffer<number>(10);
    [1, 2, 3, 4].forEach((n) => sut.push(n));
    const batch = sut.take(3);
    sut.push(5);
    expect(sut.restore(batch)).toBe(0);
    expect(sut.take(10)).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops the oldest of a restored batch that no longer fits, and counts them', () => {
    const sut = new DropOldestBuffer<number>(4);
    [1, 2, 3].forEach((n) => sut.push(n));
    const batch = sut.take(3);
    [4, 5].forEach((n) => sut.push(n));
    expect(sut.restore(batch)).toBe(1);
    expect(sut.size).toBe(4);
    expect(sut.take(4)).toEqual([2, 3, 4, 5]);
  });

  it('refuses a capacity that can hold nothing', () => {
    expect(() => new DropOldestBuffer(0)).toThrow(RangeError);
    expect(() => new DropOldestBuffer(1.5)).toThrow(RangeError);
  });
});
