/**
 * timeRatio for a parser and its inputs: how many times more CPU `run` takes on an input `factor` (10) times
 * larger than on one of `size`, built by `build`, measured as lowestTimeRatio does.
 */
export function timeGrowth<T>(
  build: (size: number) => T,
  run: (input: T) => unknown,
  options: { size: number; factor?: number; attempts?: number },
): number {
  const { size, factor = 10, attempts } = options;
  const smallInput = build(size);
  const largeInput = build(size * factor);
  return lowestTimeRatio(
    () => run(smallInput),
    () => run(largeInput),
    { factor, attempts },
  );
}

/**
 * timeRatio of `large`, doing `factor` (10) times the work of `small`. Linear code answers about `factor`,
 * quadratic `factor`², every time; so a ratio over twice linear is measured again, up to `attempts` (5)
 * times, and the lowest counts: a shared machine's noise can inflate one measurement, never every one.
 */
export function lowestTimeRatio(
  small: () => unknown,
  large: () => unknown,
  { factor = 10, attempts = 5 }: { factor?: number; attempts?: number } = {},
): number {
  let lowest = Infinity;
  for (let attempt = 0; attempt < attempts && lowest > 2 * factor; attempt++) {
    lowest = Math.min(lowest, timeRatio(small, large));
  }
  return lowest;
}

/**
 * The bound `timeRatio` is held to for input 10× larger: three times linear, under a third of quadratic.
 * Not tighter: V8's own JSON.parse grows 13–18× from 100 to 1,000 levels of nesting on a quiet machine,
 * and a neighbour's load on 2 cores pushed linear parsers to 21–29× against the old bound of 20.
 */
export const LINEAR_TIME_RATIO = 30;

/** Each measurement runs `small` often enough to take this much CPU, so the clock's resolution is no matter. */
const MIN_MEASURED_MS = 5;

/**
 * How many times more CPU `large` takes than `small`: the ratio of their median CPU times over interleaved
 * repetitions, after a warm-up. With `large` doing 10× the work of `small`, linear code answers about 10
 * and quadratic code about 100, so asserting "below LINEAR_TIME_RATIO" tells them apart.
 *
 * CPU time, not wall time: on a loaded machine a long run is preempted where a short one is not, which
 * made linear code look 30× slower. Medians of interleaved runs keep one garbage collection from deciding
 * the outcome. A fast `small` is repeated until it takes MIN_MEASURED_MS, and `large` as often.
 */
export function timeRatio(small: () => unknown, large: () => unknown, repetitions = 9): number {
  large();
  let times = 1;
  while (cpuMs(() => repeat(small, times)) < MIN_MEASURED_MS) times *= 2;
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    smallTimes.push(cpuMs(() => repeat(small, times)));
    largeTimes.push(cpuMs(() => repeat(large, times)));
  }
  return median(largeTimes) / median(smallTimes);
}

/** The CPU time `run` took, in milliseconds (this process's, garbage collection included). */
export function cpuMs(run: () => unknown): number {
  const start = process.cpuUsage();
  run();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

function repeat(run: () => unknown, times: number): void {
  for (let i = 0; i < times; i++) run();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
