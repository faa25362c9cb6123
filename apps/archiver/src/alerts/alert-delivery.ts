import { Injectable, Logger } from '@nestjs/common';
import { AmqpConnection, ConfirmPublisher } from '@logyard/amqp';
import { ALERT_SIGNATURE_HEADER } from '@logyard/contracts';
import { AlertOutboxRepository, PendingNotification } from '@logyard/db';
import { backoffDelayMs } from '@logyard/pipeline';
import { alertmanagerAlertsUrl, alertmanagerPayload, signature } from './alert-notification';

/** A webhook or Alertmanager that has not answered by then has failed this attempt. */
export const DELIVERY_TIMEOUT_MS = 5_000;
/** Attempts per notification before it is given up (the rule shows the last error). */
export const MAX_DELIVERY_ATTEMPTS = 12;
/** Retries: the project's one policy (libs/pipeline), from 1 s up to 5 min. */
export const DELIVERY_BACKOFF = { baseMs: 1_000, maxMs: 300_000 };
/** Deliveries in flight at once, so a burst of transitions or a slow target cannot pile up requests. */
const MAX_IN_FLIGHT = 16;
const POLL_MS = 1_000;
/** Settled notifications are kept this long for inspection, then pruned hourly. */
export const OUTBOX_KEEP_DAYS = 7;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Sends what the outbox holds (docs/design.md §12): each notification to its
 * target — webhook, Alertmanager, the `logyard.alerts` exchange — in order per
 * (rule, target), retried with full-jitter backoff, outcomes recorded on the
 * rule. Runs only in the process holding the evaluator lock. Every request is
 * bounded (timeout, no redirects, the answer's body never read), so a slow or
 * hostile receiver costs one of MAX_IN_FLIGHT slots for at most
 * DELIVERY_TIMEOUT_MS and never holds up evaluation, which does not wait for it.
 */
@Injectable()
export class AlertDelivery {
  private readonly logger = new Logger(AlertDelivery.name);
  /**
   * The (rule, target) pairs with a notification in flight: one at a time each, in order, even when the
   * one in flight was dropped from the outbox (MAX_UNDELIVERED_NOTIFICATIONS) and the next is read as due.
   */
  private readonly inFlight = new Set<string>();
  /**
   * Notifications settled (delivered or failed) since the running poll read the outbox: that read may
   * predate their outcome's commit, and must not send them again.
   */
  private readonly settledSinceRead = new Set<string>();
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private running = false;
  private polling = false;
  private pollAgain = false;

  constructor(
    private readonly outbox: AlertOutboxRepository,
    private readonly publisher: ConfirmPublisher,
    private readonly connection: AmqpConnection,
  ) {}

  start(): void {
    this.running = true;
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.kick();
    void this.prune();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
  }

  private async prune(): Promise<void> {
    try {
      const pruned = await this.outbox.prune(OUTBOX_KEEP_DAYS, MAX_DELIVERY_ATTEMPTS);
      if (pruned > 0)
        this.logger.log(`pruned ${pruned} alert notifications settled over ${OUTBOX_KEEP_DAYS} days ago`);
    } catch (error) {
      this.logger.warn(`alert outbox not pruned: ${(error as Error).message}`);
    }
  }

  /** Looks for due notifications now (a transition was just committed). */
  kick(): void {
    if (!this.running) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    void this.poll()
      .catch((error: Error) => this.logger.warn(`alert outbox not read: ${error.message}`))
      .finally(() => {
        this.polling = false;
        if (this.pollAgain) {
          this.pollAgain = false;
          this.kick();
        }
      });
  }

  private async poll(): Promise<void> {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free <= 0) return;
    this.settledSinceRead.clear();
    const due = await this.outbox.due(free + this.inFlight.size, MAX_DELIVERY_ATTEMPTS);
    for (const notification of due) {
      const { id } = notification;
      const pair = `${notification.ruleId} ${notification.target}`;
      if (this.inFlight.has(pair) || this.settledSinceRead.has(id) || this.inFlight.size >= MAX_IN_FLIGHT)
        continue;
      this.inFlight.add(pair);
      void this.deliver(notification).finally(() => {
        this.inFlight.delete(pair);
        // The kick below polls again once this poll is done, and that read sees the outcome.
        if (this.polling) this.settledSinceRead.add(id);
        this.kick();
      });
    }
  }

  private async deliver(notification: PendingNotification): Promise<void> {
    const error = await this.send(notification).then(
      () => undefined,
      (failure: Error) => failure.message,
    );
    try {
      if (error === undefined) await this.outbox.delivered(notification);
      else {
        const retryInMs = backoffDelayMs(notification.attempts, DELIVERY_BACKOFF);
        this.logger.warn(`alert ${notification.body.rule.slug} to ${notification.target} failed: ${error}`);
        await this.outbox.failed(notification, error, retryInMs);
      }
    } catch (failure) {
      this.logger.warn(`alert delivery outcome not recorded: ${(failure as Error).message}`);
    }
  }

  private async send({ target, body, spec }: PendingNotification): Promise<void> {
    if (target === 'amqp') {
      const key = `${body.rule.slug}.${body.state}`;
      await this.publisher.publish(
        this.connection.topology.names.alerts,
        key,
        Buffer.from(JSON.stringify(body)),
        {
          messageId: body.id,
        },
      );
      return;
    }
    if (target === 'webhook') {
      if (!spec.webhook) throw new Error('the rule has no webhook any more');
      const payload = Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (spec.secret) headers[ALERT_SIGNATURE_HEADER] = signature(spec.secret, payload);
      await post(spec.webhook, payload, headers);
      return;
    }
    if (!spec.alertmanager) throw new Error('the rule has no alertmanager any more');
    await post(
      alertmanagerAlertsUrl(spec.alertmanager),
      Buffer.from(JSON.stringify(alertmanagerPayload(body))),
      {
        'content-type': 'application/json',
      },
    );
  }
}

/** One bounded POST: a timeout, no redirect followed, and only the status read. */
async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { ...headers, 'user-agent': 'logyard-alerts' },
    redirect: 'manual',
    signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
  }).catch((error: Error) => {
    throw new Error(
      error.name === 'TimeoutError'
        ? `no answer within ${DELIVERY_TIMEOUT_MS} ms`
        : describeFetchError(error),
    );
  });
  await response.body?.cancel().catch(() => undefined);
  if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
}

function describeFetchError(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
