import {
  AmqpConnectionManager,
  AmqpConnectionManagerClass,
  AmqpConnectionManagerOptions,
} from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import { Backoff, backoffDelayMs } from '@logyard/pipeline';

/** Pauses between connection attempts: the first within 200 ms, growing to at most 10 s. */
export const RECONNECT_BACKOFF: Backoff = { baseMs: 200, maxMs: 10_000 };

export interface FailoverOptions extends Omit<
  AmqpConnectionManagerOptions,
  'reconnectTimeInSeconds' | 'findServers'
> {
  /** Injected by tests; Math.random otherwise. */
  random?: () => number;
}

/**
 * A connection manager over the nodes of one RabbitMQ cluster (or one node).
 * It holds one connection at a time; when that connection is lost, or an
 * attempt fails, it tries the next URL of the list, round-robin — which is
 * what amqp-connection-manager does with a list of URLs.
 *
 * What it does not do is back off: before every attempt it waits a fixed
 * `reconnectTimeInSeconds`, so every process that lost the same node retries
 * in lockstep, and a cluster that is down is hit once a second by every
 * process for as long as it is down. It reads that property afresh before each
 * wait, so here it becomes a getter that draws the next delay from the one
 * retry policy (exponential, full jitter, capped); a successful connect starts
 * the growth over.
 *
 * Each process starts at a random node of the list, so the connections of many
 * processes spread over the cluster instead of all landing on the first node.
 * A failover fails the publishes the lost channel had sent but not had
 * confirmed: amqplib rejects their confirms before the channel reports its
 * close, so the manager's channel wrapper rejects them rather than send them
 * again. Their publisher answers 503 or retries its batch (a duplicate at
 * worst, which Logyard's record ids absorb). Messages not yet sent wait for
 * the next connection, or fail once their publish timeout passes.
 */
export function createFailoverManager(
  urls: readonly string[],
  options: FailoverOptions = {},
): AmqpConnectionManagerClass {
  if (urls.length === 0) throw new Error('createFailoverManager needs at least one broker URL');
  const { random = Math.random, ...managerOptions } = options;
  const start = Math.floor(random() * urls.length);
  const rotated = [...urls.slice(start), ...urls.slice(0, start)];
  const manager = new AmqpConnectionManagerClass(rotated, managerOptions);
  let attempt = 0;
  manager.on('connect', () => (attempt = 0));
  Object.defineProperty(manager, 'reconnectTimeInSeconds', {
    get: () => backoffDelayMs(attempt++, RECONNECT_BACKOFF, random) / 1000,
  });
  return manager;
}

/** How long after the broker closed a channel its connection is forced anew: a fault that recurs costs one reconnect a second. */
export const CHANNEL_FAULT_RECONNECT_MS = 1_000;

const reconnecting = new WeakSet<AmqpConnectionManager>();

/**
 * amqp-connection-manager reopens a channel only on a new connection. A channel the broker closes over a
 * fault while the connection lives (a publish to a deleted exchange, an ack of an unknown tag) stays closed
 * once its 'error' is handled, so every publish on it would time out; unhandled, the event is thrown inside
 * amqplib and takes the whole connection down with it, by accident. This handles it on purpose: `lost` gets
 * the broker's reason, and a new connection, whose setups declare the topology again, is forced once,
 * unhurried, however many channels fail together.
 */
export function reconnectOnChannelFault(
  manager: AmqpConnectionManager,
  channel: Channel,
  lost: (reason: string) => void,
): void {
  channel.on('error', (error: Error) => {
    lost(error.message);
    if (reconnecting.has(manager)) return;
    reconnecting.add(manager);
    setTimeout(() => {
      reconnecting.delete(manager);
      try {
        manager.reconnect();
      } catch {
        // Closed meanwhile (shutting down): nothing to reopen.
      }
    }, CHANNEL_FAULT_RECONNECT_MS).unref();
  });
}
