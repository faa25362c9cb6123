/**
 * The pause between retries of a stage whose downstream is away, which a
 * shutdown can cut short: a drain must not wait out a backoff it no longer
 * needs (its deadline is 10 s).
 */
export class RetryDelay {
  private wake?: () => void;

  /** Resolves after `ms`, or at once when interrupted. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Ends the current wait, if any. */
  interrupt(): void {
    this.wake?.();
  }
}
