import { Logger } from '@nestjs/common';

/**
 * A warning that may recur thousands of times a second (a flood of bad datagrams, a broker outage under
 * load): logged at once the first time, then at most once per interval with how often it happened since.
 */
export class ThrottledWarning {
  private unreported = 0;
  private lastLoggedAt = -Infinity;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  /** Counts `occurrences` more; logs `describe(total since the last log)` when the interval allows. */
  report(occurrences: number, describe: (count: number) => string): void {
    this.unreported += occurrences;
    if (Date.now() - this.lastLoggedAt < this.intervalMs) return;
    this.logger.warn(describe(this.unreported));
    this.unreported = 0;
    this.lastLoggedAt = Date.now();
  }

  /** Logs what is still unreported, e.g. at shutdown. */
  flush(describe: (count: number) => string): void {
    if (this.unreported > 0) this.logger.warn(describe(this.unreported));
    this.unreported = 0;
  }
}
