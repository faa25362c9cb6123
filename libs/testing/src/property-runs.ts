/**
 * How many cases a property test runs: `ciDefault` in CI, so a run stays fast
 * and reproducible in time, or FUZZ_RUNS (`npm run test:fuzz`) to search longer
 * for the rare input a fixed budget misses.
 */
export function propertyRuns(ciDefault: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : ciDefault;
}
