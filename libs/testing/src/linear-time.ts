/**
 * Whether `run` costs linear time in its input: it runs on inputs of size n
 * and 10n and returns the ratio of their times, which a linear function keeps
 * near 10 and a quadratic one near 100. Each size is timed as the fastest of
 * several runs, so a loaded machine (a context switch, a GC pause) can only
 * slow a run down, never make the ratio look better than it is; callers allow
 * about 20.
 */
export function linearTimeRatio<T>(
  makeInput: (size: number) => T,
  run: (input: T) => unknown,
  size: number,
): number {
  const fastest = (input: T) => {
    let best = Infinity;
    for (let attempt = 0; attempt < 7; attempt++) {
      const started = process.hrtime.bigint();
      run(input);
      best = Math.min(best, Number(process.hrtime.bigint() - started));
    }
    return best;
  };
  const small = makeInput(size);
  const large = makeInput(size * 10);
  fastest(small); // warm-up: the first runs include compiling `run`
  // The best of three ratios: load can spoil one measurement, but never makes quadratic look linear.
  let ratio = Infinity;
  for (let round = 0; round < 3 && ratio >= 10; round++) {
    ratio = Math.min(ratio, fastest(large) / Math.max(fastest(small), 1));
  }
  return ratio;
}
