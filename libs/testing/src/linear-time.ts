import { performance } from 'node:perf_hooks';

/** Below this a measurement is mostly timer noise: the small input's time counts as at least this. */
const NOISE_FLOOR_MS = 1;

/**
 * How many times longer `run` takes on an input `factor` times larger: the
 * fastest of `repeats` runs of each, and the lowest ratio of `attempts`
 * measurements, so a pause or a collection on a shared machine does not
 * count. Linear code gives about `factor`; quadratic code gives `factor`²,
 * every time. Properties assert at most about 2 × factor (10× the input,
 * 20× the time).
 */
export function timeGrowth<T>(
  build: (size: number) => T,
  run: (input: T) => unknown,
  options: { size: number; factor?: number; repeats?: number; attempts?: number },
): number {
  const { size, factor = 10, repeats = 5, attempts = 3 } = options;
  const smallInput = build(size);
  const largeInput = build(size * factor);
  let lowest = Infinity;
  for (let i = 0; i < attempts && lowest > 2 * factor; i++) {
    const small = fastest(smallInput, run, repeats);
    const large = fastest(largeInput, run, repeats);
    lowest = Math.min(lowest, large / Math.max(small, NOISE_FLOOR_MS));
  }
  return lowest;
}

function fastest<T>(input: T, run: (input: T) => unknown, repeats: number): number {
  // Untimed first: the first calls on a new shape of input run before the JIT has compiled for it.
  run(input);
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run(input);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}
