/**
 * Cases per fast-check property: a fixed number in CI, so every run costs the
 * same and stays well inside the suite's time; `FUZZ_RUNS` (set by
 * `npm run test:fuzz`) asks for a longer search when hunting for bugs.
 */
export function propertyRuns(ciDefault: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : ciDefault;
}
