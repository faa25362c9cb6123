import { Inject, Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AmqpConnection, decodeTailMessage, Delivery, QueueConsumer } from '@logyard/amqp';
import type { ChannelWrapper } from 'amqp-connection-manager';
import { DEFAULT_PORTS, LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import {
  AlertRuleSpec,
  AlertState,
  AlertTarget,
  compileLogFilters,
  LogFilterMatcher,
  LogRecord,
  MatchableRecord,
  MAX_ALERT_SAMPLES,
  windowBucketSeconds,
} from '@logyard/contracts';
import { AlertEvaluationStore, AlertTransition, BucketDelta, StoredAlertRule } from '@logyard/db';
import { settleWithin } from '@logyard/pipeline';
import { BackgroundWorker } from '@logyard/runtime';
import { loadExplorerBuild } from '../explorer/explorer-build';
import { AlertDelivery } from './alert-delivery';
import { notificationBody } from './alert-notification';
import { ruleFilters } from './alert-rules.service';
import { WindowCounter } from './window-counter';

/** How often a process without the lock tries to take it; also the longest a takeover waits. */
const CAMPAIGN_MS = 1_000;
/** How often windows slide and resolutions are looked for. */
const TICK_MS = 1_000;
/** Counted records wait at most this long to be committed and acked; a transition waits as long to be sent. */
const FLUSH_MS = 100;
const PRUNE_EVERY_TICKS = 60;
/** Deliveries held unacked until their counts commit; bounds this process's memory. */
const PREFETCH = 64;

/** One rule as the evaluator holds it. */
interface LiveRule {
  stored: StoredAlertRule;
  /** The services the rule names (none: any). */
  services: string[];
  matcher: LogFilterMatcher;
  counter: WindowCounter;
  state: AlertState;
  /** When the current episode (or quiet spell) began. */
  since: Date;
  lastCount: number;
  /** The last matching records, newest last, for a notification's samples. */
  recent: LogRecord[];
}

/** How long stepping down waits for a connection to close: a half-dead one may never answer the close. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The alert evaluator (docs/design.md §12). Every archiver process runs one;
 * exactly one acts, the one holding a PostgreSQL advisory lock on its own
 * connection. It alone consumes the evaluator queue (single active consumer
 * besides), counts each record against every rule (one linear pass per rule),
 * and decides transitions: firing when a window's count reaches the threshold,
 * resolved when it falls below.
 *
 * Exactly once across a takeover: counts, states and the notifications a
 * transition owes are committed in one transaction on the lock's connection,
 * and only then are the records behind them acked. A process that dies leaves
 * its uncommitted records unacked — the broker hands them to the next
 * evaluator, which starts from what was committed: nothing is counted twice,
 * no transition is decided twice, and none is lost. Notifications leave from
 * the outbox (AlertDelivery), at least once; their `id` lets a receiver drop
 * a repeat after a crash between sending and recording it.
 */
@Injectable()
export class AlertEvaluator implements BackgroundWorker {
  private readonly logger = new Logger(AlertEvaluator.name);
  private readonly baseUrl: string;
  private readonly explorerBuilt: boolean;
  private store?: AlertEvaluationStore;
  private consumer?: QueueConsumer;
  /** Binds and unbinds the evaluator queue (topology.alertEvaluatorBinding) while this process leads. */
  private bindingChannel?: ChannelWrapper;
  private leading = false;
  private stopped = false;
  private rules = new Map<string, LiveRule>();
  /** Per named service, the rules naming it; a record is tried against these and then anyService. */
  private byService = new Map<string, LiveRule[]>();
  /** The rules naming no service, which every record is tried against. */
  private anyService: LiveRule[] = [];
  private deltas = new Map<string, BucketDelta>();
  private transitions: AlertTransition[] = [];
  private unacked: Delivery[] = [];
  private campaignTimer?: NodeJS.Timeout;
  private tickTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private reloadTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private ticks = 0;
  /** Set each tick: the next commit also writes every rule's current count, which only the API shows. */
  private countsDue = false;
  /** The consumer channel the uncommitted counts came on. */
  private generation?: number;

  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly connection: AmqpConnection,
    private readonly delivery: AlertDelivery,
  ) {
    this.baseUrl = config.http.publicUrl ?? `http://localhost:${config.http.port || DEFAULT_PORTS.all}`;
    this.explorerBuilt = loadExplorerBuild() !== undefined;
  }

  /** Campaigns in the background: a process that is not the evaluator starts like any other. */
  onApplicationBootstrap(): void {
    this.scheduleCampaign(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.campaignTimer);
    if (this.leading) {
      await this.consumer?.pause();
      await this.flush().catch(() => undefined);
    }
    await this.abdicate('shutting down');
  }

  /** Whether this process is the active evaluator (for /metrics and tests). */
  isLeading(): boolean {
    return this.leading;
  }

  private scheduleCampaign(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.campaignTimer);
    this.campaignTimer = setTimeout(() => void this.campaign(), delayMs);
  }

  private async campaign(): Promise<void> {
    try {
      this.store ??= await AlertEvaluationStore.connect(
        this.config.database.url,
        (error) => void this.abdicate(`lost the database connection: ${error.message}`),
        () => this.scheduleReload(),
      );
      if (!(await this.store.tryLock())) return this.scheduleCampaign(CAMPAIGN_MS);
      await this.lead();
    } catch (error) {
      this.logger.warn(`alert evaluator not started: ${(error as Error).message}`);
      await this.abdicate('could not start');
    }
  }

  private async lead(): Promise<void> {
    await this.loadRules();
    this.leading = true;
    this.logger.log(`this process evaluates the alert rules (${this.rules.size})`);
    this.consumer = new QueueConsumer(this.connection, {
      queue: this.connection.topology.names.alertEvaluator,
      prefetch: PREFETCH,
      onDelivery: (delivery) => this.receive(delivery),
    });
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    this.delivery.start();
  }

  /** Gives up the role: uncommitted records stay unacked and go back to the queue with the channel. */
  private async abdicate(reason: string): Promise<void> {
    const wasLeading = this.leading;
    this.leading = false;
    clearInterval(this.tickTimer);
    clearTimeout(this.flushTimer);
    clearTimeout(this.reloadTimer);
    this.flushTimer = undefined;
    this.delivery.stop();
    const consumer = this.consumer;
    const store = this.store;
    const bindingChannel = this.bindingChannel;
    this.consumer = undefined;
    this.store = undefined;
    this.bindingChannel = undefined;
    this.rules = new Map();
    this.byService = new Map();
    this.anyService = [];
    this.deltas = new Map();
    this.transitions = [];
    this.unacked = [];
    this.generation = undefined;
    try {
      // The lock first: this process no longer counts, so another may lead while the channels close.
      await settleWithin(Promise.allSettled([store?.close()]), CLOSE_TIMEOUT_MS);
      await settleWithin(Promise.allSettled([consumer?.close(), bindingChannel?.close()]), CLOSE_TIMEOUT_MS);
    } finally {
      if (wasLeading) this.logger.warn(`no longer the alert evaluator: ${reason}`);
      this.scheduleCampaign(CAMPAIGN_MS);
    }
  }

  private async loadRules(): Promise<void> {
    const store = this.store;
    if (!store) return;
    const now = Date.now();
    const next = new Map<string, LiveRule>();
    const storedRules = await store.loadRules();
    // Bound before a new rule is marked counting, so that its countingSince holds from the first record.
    await this.bindWhile(storedRules.length > 0);
    for (const stored of storedRules) {
      const current = this.rules.get(stored.id);
      if (current && current.stored.updatedAt.getTime() === stored.updatedAt.getTime()) {
        next.set(stored.id, current);
        continue;
      }
      const width = windowBucketSeconds(stored.windowSeconds);
      const counter = new WindowCounter(width, stored.windowSeconds / width, now);
      for (const { bucket, count } of await store.loadBuckets(stored.id, counter.firstBucket())) {
        counter.add(bucket, count);
      }
      if (!stored.countingSince) await store.markCounting(stored.id, new Date(now));
      const filters = ruleFilters(stored.spec);
      next.set(stored.id, {
        stored,
        services: filters.services,
        matcher: compileLogFilters(filters),
        counter,
        state: stored.state,
        since: stored.since ?? new Date(now),
        lastCount: counter.count(now),
        recent: current?.recent ?? [],
      });
    }
    this.rules = next;
    this.anyService = [...next.values()].filter((rule) => !rule.services.length);
    this.byService = new Map();
    for (const rule of next.values()) {
      // A set: a rule naming one service twice must still count each record once.
      for (const service of new Set(rule.services)) {
        const rules = this.byService.get(service) ?? [];
        rules.push(rule);
        this.byService.set(service, rules);
      }
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      if (!this.leading) return;
      // Pending counts belong to the rules as they were: commit them first.
      void this.flush()
        .then(() => this.loadRules())
        .catch((error: Error) => this.logger.warn(`alert rules not reloaded: ${error.message}`));
    }, 20);
  }

  private receive(delivery: Delivery): void {
    if (!this.leading) return;
    if (this.generation !== undefined && delivery.generation !== this.generation) {
      // The broker requeued what the old channel held unacked, counted or not: start again from the commit.
      void this.abdicate('the broker channel was replaced');
      return;
    }
    this.generation = delivery.generation;
    const now = Date.now();
    const touched = new Set<LiveRule>();
    // Without rules there is nothing to count: the message is only acked (after the next commit, like any).
    const records = this.rules.size
      ? decodeTailMessage(delivery.message.content, this.config.http.bodyLimitBytes)
      : [];
    for (const record of records) {
      const matchable = new MatchableRecord(record);
      const tsMs = Date.parse(record.ts);
      // Two lists, not one merged per service: merging cost services × rules naming none, in memory too.
      for (const rules of [this.byService.get(record.service), this.anyService]) {
        for (const rule of rules ?? []) {
          if (!rule.matcher(matchable)) continue;
          const bucket = rule.counter.bucketOf(tsMs);
          if (!rule.counter.add(bucket)) continue;
          this.addDelta(rule.stored.id, bucket);
          rule.recent.push(record);
          if (rule.recent.length > MAX_ALERT_SAMPLES) rule.recent.shift();
          touched.add(rule);
        }
      }
    }
    for (const rule of touched) this.evaluate(rule, now);
    this.unacked.push(delivery);
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /**
   * Binds the evaluator queue to the logs exchange while a rule exists and unbinds it while none does;
   * both are idempotent, so a takeover and the periodic check simply state what should be.
   */
  private async bindWhile(anyRule: boolean): Promise<void> {
    const { queue, exchange, pattern } = this.connection.topology.alertEvaluatorBinding;
    this.bindingChannel ??= this.connection.createChannel('alert evaluator binding', false);
    await this.bindingChannel.waitForConnect();
    if (anyRule) await this.bindingChannel.bindQueue(queue, exchange, pattern);
    else await this.bindingChannel.unbindQueue(queue, exchange, pattern);
  }

  private tick(): void {
    const now = Date.now();
    for (const rule of this.rules.values()) this.evaluate(rule, now);
    if (++this.ticks % PRUNE_EVERY_TICKS === 0) {
      const first = new Map(
        [...this.rules.values()].map((rule) => [rule.stored.id, rule.counter.firstBucket()]),
      );
      void this.store?.pruneBuckets(first).catch(() => undefined);
      // A binding lost with a broker node, or raced by a former evaluator, is put right within a minute.
      void this.bindWhile(this.rules.size > 0).catch(() => undefined);
    }
    this.countsDue = true;
    void this.flush();
  }

  /** Decides a transition when the count crossed the threshold either way since the last look. */
  private evaluate(rule: LiveRule, now: number): void {
    const count = rule.counter.count(now);
    rule.lastCount = count;
    const firing = count >= rule.stored.spec.threshold;
    if (firing === (rule.state === 'firing')) return;
    const at = new Date(now);
    const episodeStart = firing ? at : rule.since;
    rule.state = firing ? 'firing' : 'ok';
    rule.since = at;
    const { fromMs, toMs } = rule.counter.range();
    const body = notificationBody(
      {
        id: uuidv7(),
        ruleId: rule.stored.id,
        slug: rule.stored.slug,
        spec: rule.stored.spec,
        state: firing ? 'firing' : 'resolved',
        at,
        since: episodeStart,
        count,
        fromMs,
        toMs,
        recent: rule.recent,
      },
      this.baseUrl,
      this.explorerBuilt,
    );
    this.transitions.push({
      ruleId: rule.stored.id,
      state: rule.state,
      at,
      count,
      notifications: targetsOf(rule.stored.spec).map((target) => ({ target, body })),
    });
  }

  /** Commits what was counted and decided, then acks the records behind it; one flush at a time. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.commitPending());
    return this.flushing;
  }

  private async commitPending(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const store = this.store;
    const consumer = this.consumer;
    if (!this.leading || !store || !consumer) return;
    const deltas = [...this.deltas.values()];
    const transitions = this.transitions;
    const deliveries = this.unacked;
    // Once a second, not with every flush (up to ten a second): only the API shows the count, and each
    // write of it is an UPDATE of every rule whose count moved.
    const counts = new Map(
      this.countsDue ? [...this.rules.values()].map((rule) => [rule.stored.id, rule.lastCount]) : [],
    );
    this.countsDue = false;
    this.deltas = new Map();
    this.transitions = [];
    this.unacked = [];
    // The broker requeued the records of a channel that closed: committing their counts would count them
    // twice, once here and once by whoever reads them again.
    if (deliveries.some((delivery) => !consumer.owns(delivery))) {
      await this.abdicate('the broker channel closed before its records were committed');
      return;
    }
    try {
      await store.commit(deltas, transitions, counts);
    } catch (error) {
      await this.abdicate(`could not commit alert state: ${(error as Error).message}`);
      return;
    }
    for (const delivery of deliveries) consumer.ack(delivery);
    if (transitions.length) this.delivery.kick();
  }

  private addDelta(ruleId: string, bucket: number): void {
    const key = `${ruleId}:${bucket}`;
    const delta = this.deltas.get(key);
    if (delta) delta.delta++;
    else this.deltas.set(key, { ruleId, bucket, delta: 1 });
  }
}

function targetsOf(spec: AlertRuleSpec): AlertTarget[] {
  return [
    ...(spec.webhook !== undefined ? (['webhook'] as const) : []),
    ...(spec.alertmanager !== undefined ? (['alertmanager'] as const) : []),
    'amqp',
  ];
}
