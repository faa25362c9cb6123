import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';

/** Whether a sender may post now, and if not, how long until it may. */
export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * INGEST_RATE_LIMIT: how much each sender (one ingest token, or one client address when there are no tokens)
 * may post per second to the HTTP ingest routes, so one noisy sender cannot starve the others.
 *
 * It counts body bytes after decompression, not requests or records. Requests are unfair: one request may hold
 * one record or 100,000. Records are fairer, but a record may be 20 bytes or 64 KiB, and counting them needs a
 * parse first. Bytes are known before any parse, measure what the service spends (inflating, parsing,
 * publishing, storing), and are what Loki limits too (`ingestion_rate_mb`).
 *
 * A sender is admitted while its budget is not spent, before its body is read, so a refused sender costs
 * nothing; the body it sends is charged once read. A body larger than what is left still passes (a sender
 * must never be stuck behind one large body), and the overdraft is paid back by a longer wait: over time no
 * sender gets more than INGEST_RATE_LIMIT, and at once no more than INGEST_RATE_BURST plus one body.
 */
@Injectable()
export class IngestRateLimiter {
  private readonly limiter: RateLimiterMemory | undefined;
  private readonly bytesPerSecond: number;

  constructor(@Inject(LOGYARD_CONFIG) config: LogyardConfig) {
    const { bytesPerSecond, burstBytes } = config.collector.ingestRate;
    this.bytesPerSecond = bytesPerSecond;
    // A fixed window of burst / rate seconds holding `burst` bytes averages to `rate` bytes per second.
    this.limiter =
      bytesPerSecond > 0
        ? new RateLimiterMemory({ points: burstBytes, duration: burstBytes / bytesPerSecond })
        : undefined;
  }

  /** Admits `sender` unless it spent its budget; a refusal says when to retry (whole seconds, at least 1). */
  async admit(sender: string): Promise<Admission> {
    if (!this.limiter) return { ok: true };
    const state = await this.limiter.get(sender);
    if (state === null || state.remainingPoints > 0) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(state.msBeforeNext / 1000)) };
  }

  /** Charges `bytes` to `sender`; an overdraft closes its window until the overdraft is paid at the rate. */
  async charge(sender: string, bytes: number): Promise<void> {
    if (!this.limiter || bytes <= 0) return;
    const state = await this.limiter.penalty(sender, bytes);
    const overdraft = state.consumedPoints - this.limiter.points;
    if (overdraft <= 0) return;
    await this.limiter.block(sender, (state.msBeforeNext + (overdraft / this.bytesPerSecond) * 1000) / 1000);
  }
}
