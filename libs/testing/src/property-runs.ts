/**
 * How many cases a property test runs: `ciDefault` normally, so CI stays fast and fixed, or FUZZ_RUNS when
 * that is larger (`npm run test:fuzz` sets it to search longer for inputs that break a parser).
 */
export function propertyRuns(ciDefault: number): number {
  const fuzzRuns = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(fuzzRuns) && fuzzRuns > ciDefault ? fuzzRuns : ciDefault;
}
