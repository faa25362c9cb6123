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
