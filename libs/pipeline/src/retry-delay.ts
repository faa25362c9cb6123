/**
 * The pause between retries of a stage whose downstream is away, which a
 * shutdown can cut short: a drain must not wait out a backoff it no longer
 * needs (its deadline is 10 s). Several batches may be waiting at once.
 */
export class RetryDelay {
  private readonly wakers = new Set<() => void>();

  /** Resolves after `ms`, or at once when interrupted. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /** Ends every current wait. */
  interrupt(): void {
    for (const wake of [...this.wakers]) wake();
  }
}

/** Capped exponential backoff: retry n waits at most min(maxMs, baseMs·2ⁿ). */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * The one retry-delay policy of Logyard: the pause before retry `attempt`
 * (0 for the first) is drawn uniformly from [0, min(maxMs, baseMs·2^attempt))
 * — exponential backoff with "full jitter". The jitter matters at scale:
 * every process that lost the same broker node or database retries at a
 * different moment instead of all at once.
 */
export function backoffDelayMs(
  attempt: number,
  backoff: Backoff,
  random: () => number = Math.random,
): number {
  // 2^30 already exceeds any cap; the exponent stops there so a long outage cannot overflow to Infinity.
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
