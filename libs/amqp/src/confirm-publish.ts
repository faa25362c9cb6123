import type { Options } from 'amqplib';

/** How long a publisher waits for the broker's confirm unless configured (COLLECTOR_CONFIRM_TIMEOUT_MS). */
export const DEFAULT_CONFIRM_TIMEOUT_MS = 10_000;

/** One message as a Logyard publisher hands it over. */
export interface ConfirmedMessage {
  headers?: Record<string, unknown>;
  messageId?: string;
  contentType?: string;
  /** Returned by the broker, rather than dropped, when no queue is bound for it. */
  mandatory?: boolean;
}

/**
 * The properties of every message Logyard publishes on a confirm channel — the server's ConfirmPublisher,
 * the SDK and `logyard send` alike (docs/design.md §4): persistent, so a confirm means it is on disk in its
 * queues; a send time; and `timeout`, how long amqp-connection-manager waits for the confirm before the
 * publish rejects (a plain amqplib channel ignores it and its caller waits with waitForConfirms). Plain data,
 * free of NestJS, so the SDK and the CLI share it.
 */
export function confirmPublishOptions(
  message: ConfirmedMessage,
  confirmTimeoutMs: number,
): Options.Publish & { timeout: number } {
  return {
    persistent: true,
    mandatory: message.mandatory ?? false,
    contentType: message.contentType ?? 'application/json',
    headers: message.headers,
    messageId: message.messageId,
    timestamp: Math.floor(Date.now() / 1000),
    timeout: confirmTimeoutMs,
  };
}

/**
 * Waits for a plain amqplib confirm channel's confirms, at most `timeoutMs`: amqplib itself waits for ever,
 * and a broker may never confirm (a quorum queue without its majority; a memory alarm, which blocks
 * publishers while heartbeats keep the connection alive). `blocked` says why, when the broker told.
 */
export async function waitForConfirmsWithin(
  channel: { waitForConfirms(): Promise<void> },
  timeoutMs: number,
  blocked: () => string | undefined = () => undefined,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = blocked();
      reject(
        new Error(
          `the broker did not confirm within ${timeoutMs} ms` +
            (reason === undefined ? '' : ` (it blocks publishers: ${reason})`),
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([channel.waitForConfirms(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
