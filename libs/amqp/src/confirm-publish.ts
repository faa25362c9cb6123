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
