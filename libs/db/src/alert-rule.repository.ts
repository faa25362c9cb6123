import { Inject, Injectable } from '@nestjs/common';
import { Client, Pool, PoolClient } from 'pg';
import {
  AlertNotificationBody,
  AlertNotificationStatus,
  AlertRuleBody,
  AlertRuleSpec,
  AlertState,
  AlertTarget,
  ruleFilterParams,
} from '@logyard/contracts';
import { ARCHIVE_POOL, inTransaction } from './database';
import { jsonbText } from './jsonb-text';

/** Channel of the NOTIFY sent on every change of a rule, so the evaluator reloads at once rather than on its next poll. */
export const ALERT_RULES_CHANNEL = 'logyard_alert_rules';
/** Advisory lock key held by the one active alert evaluator (docs/design.md §12). */
export const ALERT_EVALUATOR_LOCK_KEY = 0x416c7274; // "Alrt"
const UNIQUE_VIOLATION = '23505';

interface AlertRuleRow {
  id: string;
  slug: string;
  spec: AlertRuleSpec;
  window_seconds: number;
  state: AlertState;
  since: Date | null;
  last_count: string;
  last_notification: AlertNotificationStatus | null;
  counting_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A stored rule as the evaluator needs it. */
export interface StoredAlertRule {
  id: string;
  slug: string;
  spec: AlertRuleSpec;
  windowSeconds: number;
  state: AlertState;
  since: Date | null;
  countingSince: Date | null;
  updatedAt: Date;
}

/** Another rule already has this name's slug (its routing word on `logyard.alerts`). */
export class DuplicateRuleError extends Error {}

/** The archive already holds as many rules as it may (ALERT_MAX_RULES). */
export class TooManyRulesError extends Error {}

const COLUMNS =
  'id, slug, spec, window_seconds, state, since, last_count, last_notification, counting_since, created_at, updated_at';

/** The rules as the API reads and changes them (POST/GET/PATCH/DELETE /api/alerts), on the writers' pool. */
@Injectable()
export class AlertRuleRepository {
  constructor(@Inject(ARCHIVE_POOL) private readonly pool: Pool) {}

  /**
   * Stores a new rule unless `maxRules` are stored already (TooManyRulesError). Creations take turns on a
   * table lock, so concurrent ones cannot together pass the bound; reads and the evaluator's updates of
   * other rules wait on it no longer than one insert.
   */
  async create(
    id: string,
    slug: string,
    spec: AlertRuleSpec,
    windowSeconds: number,
    maxRules: number,
  ): Promise<AlertRuleBody> {
    const created = await this.naming(slug, async (client) => {
      await client.query('LOCK TABLE alert_rules IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<AlertRuleRow>(
        `WITH created AS (
           INSERT INTO alert_rules (id, slug, spec, window_seconds)
           SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM alert_rules) < $5 RETURNING ${COLUMNS})
         SELECT created.*, pg_notify('${ALERT_RULES_CHANNEL}', created.id::text) FROM created`,
        [id, slug, JSON.stringify(spec), windowSeconds, maxRules],
      );
      return rows[0];
    });
    if (!created) throw new TooManyRulesError(String(maxRules));
    return toAlertRuleBody(created);
  }

  async list(): Promise<AlertRuleBody[]> {
    const { rows } = await this.pool.query<AlertRuleRow>(
      `SELECT ${COLUMNS} FROM alert_rules ORDER BY created_at, id`,
    );
    return rows.map(toAlertRuleBody);
  }

  async find(id: string): Promise<{ body: AlertRuleBody; spec: AlertRuleSpec } | undefined> {
    const { rows } = await this.pool.query<AlertRuleRow>(`SELECT ${COLUMNS} FROM alert_rules WHERE id = $1`, [
      id,
    ]);
    return rows[0] && { body: toAlertRuleBody(rows[0]), spec: rows[0].spec };
  }

  /**
   * Replaces a rule's definition. When what it counts changed (filters or
   * window), its window starts over: the stored counts were of other records.
   */
  async update(
    id: string,
    slug: string,
    spec: AlertRuleSpec,
    windowSeconds: number,
    recount: boolean,
  ): Promise<AlertRuleBody | undefined> {
    const updated = await this.naming(slug, async (client) => {
      if (recount) await client.query('DELETE FROM alert_buckets WHERE rule_id = $1', [id]);
      const { rows } = await client.query<AlertRuleRow>(
        `UPDATE alert_rules SET slug = $2, spec = $3, window_seconds = $4, updated_at = now()
           ${recount ? ', counting_since = NULL' : ''}
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, slug, JSON.stringify(spec), windowSeconds],
      );
      await client.query(`SELECT pg_notify('${ALERT_RULES_CHANNEL}', $1)`, [id]);
      return rows[0];
    });
    return updated && toAlertRuleBody(updated);
  }

  /** Runs `work` in one transaction that gives a rule the name `slug`: one taken already is a DuplicateRuleError. */
  private async naming<T>(slug: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.pool, work);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new DuplicateRuleError(slug);
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `WITH deleted AS (DELETE FROM alert_rules WHERE id = $1 RETURNING id)
       SELECT pg_notify('${ALERT_RULES_CHANNEL}', id::text) FROM deleted`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }
}

/** A transition the evaluator decided, with what it owes each target. */
export interface AlertTransition {
  ruleId: string;
  state: AlertState;
  at: Date;
  count: number;
  notifications: { target: AlertTarget; body: AlertNotificationBody }[];
}

/** The window counts a commit adds: `delta` records in bucket `bucket` of a rule. */
export interface BucketDelta {
  ruleId: string;
  bucket: number;
  delta: number;
}

/**
 * The evaluator's side of the rules, on one connection of its own that holds
 * the evaluator's advisory lock: every write goes through it, so a process
 * that lost the lock (its connection died) can no longer write anything.
 */
export class AlertEvaluationStore {
  /** One statement or transaction at a time: a query issued mid-transaction would otherwise join it. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly client: Client) {}

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Connects; `onLost` runs once when the connection (and with it the lock) is gone. */
  static async connect(
    url: string,
    onLost: (error: Error) => void,
    onRuleChanged: () => void,
  ): Promise<AlertEvaluationStore> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    let lost = false;
    const lose = (error: Error) => {
      if (lost) return;
      lost = true;
      onLost(error);
    };
    client.on('error', lose);
    client.on('end', () => lose(new Error('connection closed')));
    client.on('notification', onRuleChanged);
    await client.connect();
    return new AlertEvaluationStore(client);
  }

  /** Takes the evaluator lock if no other session holds it; held until this connection ends. */
  tryLock(): Promise<boolean> {
    return this.exclusive(() => this.lock());
  }

  private async lock(): Promise<boolean> {
    const { rows } = await this.client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [ALERT_EVALUATOR_LOCK_KEY],
    );
    if (rows[0].locked) await this.client.query(`LISTEN ${ALERT_RULES_CHANNEL}`);
    return rows[0].locked;
  }

  async loadRules(): Promise<StoredAlertRule[]> {
    const { rows } = await this.exclusive(() =>
      this.client.query<AlertRuleRow>(`SELECT ${COLUMNS} FROM alert_rules`),
    );
    return rows.map((row) => ({
      id: row.id,
      slug: row.slug,
      spec: row.spec,
      windowSeconds: row.window_seconds,
      state: row.state,
      since: row.since,
      countingSince: row.counting_since,
      updatedAt: row.updated_at,
    }));
  }

  /** The committed counts of a rule's buckets from `fromBucket` on. */
  async loadBuckets(ruleId: string, fromBucket: number): Promise<{ bucket: number; count: number }[]> {
    const { rows } = await this.exclusive(() =>
      this.client.query<{ bucket: string; count: string }>(
        'SELECT bucket, count FROM alert_buckets WHERE rule_id = $1 AND bucket >= $2',
        [ruleId, fromBucket],
      ),
    );
    return rows.map((row) => ({ bucket: Number(row.bucket), count: Number(row.count) }));
  }

  /** Records that the evaluator counts this rule from now on (shown as the rule's countingSince). */
  async markCounting(ruleId: string, at: Date): Promise<void> {
    await this.exclusive(() =>
      this.client.query(
        'UPDATE alert_rules SET counting_since = $2 WHERE id = $1 AND counting_since IS NULL',
        [ruleId, at],
      ),
    );
  }

  /**
   * One transaction: the counts, the rules' new states and the notifications
   * they owe. The caller acks the records it counted only once this resolved.
   * A rule deleted meanwhile takes its counts and notifications with it, and
   * one whose window a change restarted (counting_since NULL until the
   * evaluator loads it again) its counts: they were of its old filters, and
   * would have been read into its new window.
   */
  commit(
    deltas: readonly BucketDelta[],
    transitions: readonly AlertTransition[],
    counts: Map<string, number>,
  ): Promise<void> {
    return this.exclusive(() => this.commitNow(deltas, transitions, counts));
  }

  private async commitNow(
    deltas: readonly BucketDelta[],
    transitions: readonly AlertTransition[],
    counts: Map<string, number>,
  ): Promise<void> {
    await this.client.query('BEGIN');
    try {
      if (deltas.length) {
        await this.client.query(
          `INSERT INTO alert_buckets (rule_id, bucket, count)
           SELECT d.rule_id, d.bucket, d.delta FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS d(rule_id, bucket, delta)
           JOIN alert_rules r ON r.id = d.rule_id
           WHERE r.counting_since IS NOT NULL
           ON CONFLICT (rule_id, bucket) DO UPDATE SET count = alert_buckets.count + excluded.count`,
          [deltas.map((d) => d.ruleId), deltas.map((d) => d.bucket), deltas.map((d) => d.delta)],
        );
      }
      for (const transition of transitions) {
        const { rowCount } = await this.client.query(
          'UPDATE alert_rules SET state = $2, since = $3, last_count = $4 WHERE id = $1',
          [transition.ruleId, transition.state, transition.at, transition.count],
        );
        if (!rowCount) continue;
        for (const { target, body } of transition.notifications) {
          await this.client.query(
            'INSERT INTO alert_outbox (rule_id, target, notification) VALUES ($1, $2, $3)',
            [transition.ruleId, target, jsonbText(body)],
          );
          await this.client.query(
            `DELETE FROM alert_outbox WHERE id IN (
               SELECT id FROM alert_outbox WHERE rule_id = $1 AND target = $2 AND delivered_at IS NULL
                ORDER BY id DESC OFFSET $3)`,
            [transition.ruleId, target, MAX_UNDELIVERED_NOTIFICATIONS],
          );
        }
      }
      if (counts.size) {
        await this.client.query(
          `UPDATE alert_rules r SET last_count = c.count FROM unnest($1::uuid[], $2::bigint[]) AS c(id, count)
           WHERE r.id = c.id AND r.last_count <> c.count`,
          [[...counts.keys()], [...counts.values()]],
        );
      }
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Drops, per rule, the buckets before `firstBucket`: they slid out of its window. */
  async pruneBuckets(firstBuckets: Map<string, number>): Promise<void> {
    if (!firstBuckets.size) return;
    await this.exclusive(() =>
      this.client.query(
        `DELETE FROM alert_buckets b USING unnest($1::uuid[], $2::bigint[]) AS c(rule_id, first)
         WHERE b.rule_id = c.rule_id AND b.bucket < c.first`,
        [[...firstBuckets.keys()], [...firstBuckets.values()]],
      ),
    );
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/**
 * Undelivered notifications kept for one (rule, target) at most, given-up ones included: past them a
 * transition drops the oldest. A target away for days would otherwise be owed every transition of those
 * days, delivered one by one when it is back, and every read of the outbox would scan them all.
 */
export const MAX_UNDELIVERED_NOTIFICATIONS = 10;

/** A notification owed to one target, as the deliverer reads it. */
export interface PendingNotification {
  id: string;
  ruleId: string;
  target: AlertTarget;
  attempts: number;
  body: AlertNotificationBody;
  /** The rule as it is now: its targets and secret. */
  spec: AlertRuleSpec;
}

/** The outbox: what transitions owe their targets, delivered in order per (rule, target). */
@Injectable()
export class AlertOutboxRepository {
  constructor(@Inject(ARCHIVE_POOL) private readonly pool: Pool) {}

  /** The oldest undelivered notification of each (rule, target), when it is due and has attempts left. */
  async due(limit: number, maxAttempts: number): Promise<PendingNotification[]> {
    const { rows } = await this.pool.query<{
      id: string;
      rule_id: string;
      target: AlertTarget;
      attempts: number;
      notification: AlertNotificationBody;
      spec: AlertRuleSpec;
    }>(
      `SELECT oldest.*, r.spec FROM (
         SELECT DISTINCT ON (rule_id, target) id, rule_id, target, attempts, notification, next_attempt_at
           FROM alert_outbox WHERE delivered_at IS NULL AND attempts < $2
          ORDER BY rule_id, target, id
       ) oldest JOIN alert_rules r ON r.id = oldest.rule_id
       WHERE oldest.next_attempt_at <= now() ORDER BY oldest.id LIMIT $1`,
      [limit, maxAttempts],
    );
    return rows.map((row) => ({
      id: row.id,
      ruleId: row.rule_id,
      target: row.target,
      attempts: row.attempts,
      body: row.notification,
      spec: row.spec,
    }));
  }

  async delivered(notification: PendingNotification): Promise<void> {
    const status: AlertNotificationStatus = { at: new Date().toISOString(), target: notification.target };
    await this.pool.query(
      `WITH done AS (UPDATE alert_outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1)
       UPDATE alert_rules SET last_notification = $3 WHERE id = $2`,
      [notification.id, notification.ruleId, JSON.stringify(status)],
    );
  }

  async failed(notification: PendingNotification, error: string, retryInMs: number): Promise<void> {
    const status: AlertNotificationStatus = {
      at: new Date().toISOString(),
      target: notification.target,
      error,
    };
    await this.pool.query(
      `WITH done AS (
         UPDATE alert_outbox SET attempts = attempts + 1, last_error = $3,
                next_attempt_at = now() + make_interval(secs => $4::double precision / 1000) WHERE id = $1)
       UPDATE alert_rules SET last_notification = $5 WHERE id = $2`,
      [notification.id, notification.ruleId, error, retryInMs, JSON.stringify(status)],
    );
  }

  /**
   * Deletes the notifications settled (delivered, or given up after `maxAttempts`) more than `keepDays` ago;
   * their outcome stays on the rule. Without it the table grew by every transition for good, and a target
   * that never answered kept its given-up rows in the index every poll reads. Returns how many it deleted.
   */
  async prune(keepDays: number, maxAttempts: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM alert_outbox
        WHERE created_at < now() - make_interval(days => $1) AND (delivered_at IS NOT NULL OR attempts >= $2)`,
      [keepDays, maxAttempts],
    );
    return rowCount ?? 0;
  }
}

function toAlertRuleBody(row: AlertRuleRow): AlertRuleBody {
  const { spec } = row;
  return {
    id: row.id,
    name: spec.name,
    slug: row.slug,
    threshold: spec.threshold,
    window: spec.window,
    filters: ruleFilterParams(spec),
    ...(spec.webhook !== undefined ? { webhook: spec.webhook } : {}),
    ...(spec.alertmanager !== undefined ? { alertmanager: spec.alertmanager } : {}),
    signed: spec.secret !== undefined,
    state: row.state,
    since: row.since?.toISOString() ?? null,
    lastCount: Number(row.last_count),
    lastNotification: row.last_notification,
    countingSince: row.counting_since?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
