import { SEVERITIES, Severity } from '@logyard/contracts';
import type { QueueType } from '@logyard/config';

/**
 * The whole AMQP topology of Logyard as plain data: the only place where
 * exchange and queue names are spelled. Renaming one is a migration for
 * every deployed broker (old queues keep their messages), and so is changing
 * a queue's arguments: RabbitMQ refuses to redeclare a queue with other
 * arguments, so a change means a new name, never delete-and-redeclare.
 */
export interface TopologyNames {
  /** Topic exchange every producer publishes `host.service.severity` messages to. */
  ingest: string;
  /** The router's input queue, bound `#` on ingest. */
  router: string;
  /**
   * Topic exchange of validated records; live subscribers and the archive bind here. Each message is routed
   * under `host.service.severity` and, by sender-selected distribution, `service.severity` and `severity`.
   */
  logs: string;
  /** Direct exchange fed by logs: the tutorial's direct subscriber binds a severity (`error`). */
  severity: string;
  /** Headers exchange fed by logs: bind with `x-match` all/any over headers host, service and severity. */
  headers: string;
  /** Fanout exchange fed by logs: every validated record. */
  all: string;
  /** One archive queue per severity, bound `*.*.<severity>` on logs. */
  archive: Record<Severity, string>;
  /** Fanout exchange and its queue for what could not become a valid record. */
  dead: string;
  deadQueue: string;
  /** The archiver's RPC queue: query requests with reply_to and correlation_id (classic RabbitMQ RPC). */
  rpc: string;
  /**
   * Topic exchange of alert transitions (issue 15), routed `<rule-slug>.<firing|resolved>`; subscribers
   * bind `#`, `*.firing` or `<slug>.*` as they would on logs.
   */
  alerts: string;
  /**
   * The alert evaluator's input: every validated record (`*.*.*` on logs, so each once). Single active
   * consumer: of all the processes subscribed, the broker delivers to one (docs/design.md §12).
   */
  alertEvaluator: string;
}

export function topologyNames(prefix: string): TopologyNames {
  return {
    ingest: `${prefix}.ingest`,
    router: `${prefix}.router`,
    logs: `${prefix}.logs`,
    severity: `${prefix}.severity`,
    headers: `${prefix}.headers`,
    all: `${prefix}.all`,
    archive: Object.fromEntries(SEVERITIES.map((s) => [s, `${prefix}.archive.${s}`])) as Record<
      Severity,
      string
    >,
    dead: `${prefix}.dead`,
    deadQueue: `${prefix}.dead`,
    rpc: `${prefix}.rpc`,
    alerts: `${prefix}.alerts`,
    alertEvaluator: `${prefix}.alert-evaluator`,
  };
}

export interface ExchangeSpec {
  name: string;
  type: 'topic' | 'direct' | 'headers' | 'fanout';
}
export interface QueueSpec {
  name: string;
  arguments: Record<string, unknown>;
}
export interface BindingSpec {
  queue: string;
  exchange: string;
  pattern: string;
}
/** An exchange-to-exchange binding: `destination` receives what `source` routes by `pattern`. */
export interface ExchangeBindingSpec {
  destination: string;
  source: string;
  pattern: string;
}
export interface Topology {
  names: TopologyNames;
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
  bindings: BindingSpec[];
  exchangeBindings: ExchangeBindingSpec[];
  /**
   * Every validated record (`*.*.*` on logs, so each once) for the alert
   * evaluator's queue. Not among `bindings`: the active evaluator binds it
   * while a rule exists and unbinds it while none does, as each bound queue
   * costs the broker another store and delivery of every message (~65 µs of
   * its CPU per persistent message, BENCHMARKS.md) that a deployment without
   * rules would pay for nothing.
   */
  alertEvaluatorBinding: BindingSpec;
}

/** Header naming why a message was dead-lettered. */
export const REASON_HEADER = 'x-logyard-reason';
/** Header carrying the number of records in a batch message. */
export const COUNT_HEADER = 'x-logyard-count';
/**
 * Headers of every logs-exchange message naming its routing tokens, for the headers exchange: the words of
 * its `host.service.severity` key.
 */
export const HOST_HEADER = 'host';
export const SERVICE_HEADER = 'service';
export const SEVERITY_HEADER = 'severity';
/** Headers a dead letter keeps about where it came from. */
export const ORIGINAL_ROUTING_KEY_HEADER = 'x-logyard-routing-key';
export const ORIGINAL_QUEUE_HEADER = 'x-logyard-queue';

/**
 * `deliveryLimit` applies to quorum queues (classic queues have none): how
 * often a message may return to its queue unacked — its consumer crashed, or
 * lost its connection — before the broker dead-letters it instead of
 * delivering it again, so a message that kills every process it reaches ends
 * in the dead queue (header `x-first-death-reason: delivery_limit`) rather than
 * killing them in turn forever. It is part of the queue's declaration: a queue
 * declared with another limit is refused (406), so changing it is a migration
 * like any other argument change.
 */
export function buildTopology(prefix: string, queueType: QueueType, deliveryLimit?: number): Topology {
  const names = topologyNames(prefix);
  const limit =
    queueType === 'quorum' && deliveryLimit !== undefined ? { 'x-delivery-limit': deliveryLimit } : {};
  // Work queues send what they reject (nack without requeue, quorum delivery
  // limit) to the dead exchange, so the broker itself never drops a message.
  const workQueueArguments = { 'x-queue-type': queueType, 'x-dead-letter-exchange': names.dead, ...limit };
  return {
    names,
    exchanges: [
      { name: names.ingest, type: 'topic' },
      { name: names.logs, type: 'topic' },
      { name: names.severity, type: 'direct' },
      { name: names.headers, type: 'headers' },
      { name: names.all, type: 'fanout' },
      { name: names.dead, type: 'fanout' },
      { name: names.alerts, type: 'topic' },
    ],
    queues: [
      { name: names.router, arguments: workQueueArguments },
      ...SEVERITIES.map((s) => ({ name: names.archive[s], arguments: workQueueArguments })),
      { name: names.deadQueue, arguments: { 'x-queue-type': queueType } },
      // Requests are worthless once their caller gave up: they expire rather than pile up, and one past
      // its delivery limit is dropped, not dead-lettered — the dead queue is for records.
      { name: names.rpc, arguments: { 'x-queue-type': queueType, 'x-message-ttl': 60_000, ...limit } },
      { name: names.alertEvaluator, arguments: alertEvaluatorArguments(queueType) },
    ],
    bindings: [
      { queue: names.router, exchange: names.ingest, pattern: '#' },
      // Only the host.service.severity key has three words, so each record reaches the archive once.
      ...SEVERITIES.map((s) => ({ queue: names.archive[s], exchange: names.logs, pattern: `*.*.${s}` })),
      { queue: names.deadQueue, exchange: names.dead, pattern: '' },
    ],
    // One publish to logs feeds the tutorial's other exchange types: `#` matches whichever of a message's keys
    // first, and the broker delivers a message to a destination (exchange or queue) at most once.
    exchangeBindings: [names.severity, names.headers, names.all].map((destination) => ({
      destination,
      source: names.logs,
      pattern: '#',
    })),
    alertEvaluatorBinding: { queue: names.alertEvaluator, exchange: names.logs, pattern: '*.*.*' },
  };
}

/**
 * Messages the alert evaluator's queue keeps while no evaluator reads it
 * (each a batch of up to 1,000 records). Every role declares the queue, so
 * without this bound a deployment whose evaluator is down would grow it
 * without end; past it the broker drops the oldest (drop-head), which only
 * costs alert counts, never an archived record.
 */
export const ALERT_EVALUATOR_MAX_MESSAGES = 100_000;

function alertEvaluatorArguments(queueType: QueueType): Record<string, unknown> {
  return {
    'x-queue-type': queueType,
    'x-single-active-consumer': true,
    'x-max-length': ALERT_EVALUATOR_MAX_MESSAGES,
    'x-overflow': 'drop-head',
  };
}

/** The channel operations topology assertion needs; amqplib's Channel and ConfirmChannel both fit. */
export interface TopologyChannel {
  assertExchange(name: string, type: string, options: { durable: boolean }): Promise<unknown>;
  assertQueue(
    name: string,
    options: { durable: boolean; arguments: Record<string, unknown> },
  ): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  bindExchange(destination: string, source: string, pattern: string): Promise<unknown>;
}

/**
 * Declares the whole topology, idempotently. Every role asserts all of it, not
 * just what it consumes: a collector started before any archiver must still
 * find the archive queues bound, or the broker would drop routed records.
 */
export async function assertTopology(channel: TopologyChannel, topology: Topology): Promise<void> {
  for (const exchange of topology.exchanges) {
    await channel.assertExchange(exchange.name, exchange.type, { durable: true });
  }
  for (const queue of topology.queues) {
    await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
  }
  for (const binding of topology.bindings) {
    await channel.bindQueue(binding.queue, binding.exchange, binding.pattern);
  }
  for (const binding of topology.exchangeBindings) {
    await channel.bindExchange(binding.destination, binding.source, binding.pattern);
  }
}
