import { Inject, Injectable } from '@nestjs/common';
import { Pool, PoolClient } from 'pg';
import { Severity, SEVERITIES, SEVERITY_NUMBER } from '@logyard/contracts';
import { ARCHIVE_POOL, inTransaction } from './database';
import { withSchemaLock } from './migrate';
import {
  createDayPartitionSql,
  dayPartitionName,
  dropDayPartitionSql,
  dropSeverityPartitionSql,
  RetentionPlan,
} from './partitions';

/**
 * Dropping a partition needs an exclusive lock on its parent, and while it
 * waits every new query and insert on `logs` queues behind it. A drop that
 * cannot get its lock this quickly (a long query is running) gives up and is
 * retried on the next run rather than stalling ingestion.
 */
const DDL_LOCK_TIMEOUT = '3s';

/** What one retention run removed, and what it could not. */
export interface RetentionOutcome {
  /** Partitions dropped, in order. */
  dropped: string[];
  /** Expired rows deleted from default partitions, per severity (severities with none omitted). */
  deletedRows: Partial<Record<Severity, number>>;
  /** Steps that failed (e.g. a lock timeout); the next run retries them. */
  failures: { step: string; error: string }[];
}

/** DDL on the partitions of `logs`; every change runs under the schema advisory lock. */
@Injectable()
export class PartitionRepository {
  constructor(@Inject(ARCHIVE_POOL) private readonly pool: Pool) {}

  /** Names of every direct or nested partition of `logs`, except the default. */
  async list(): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_partition_tree('logs') t JOIN pg_class c ON c.oid = t.relid
        WHERE t.level > 0 AND c.relname <> 'logs_default'`,
    );
    return rows.map((row) => row.name);
  }

  /** Creates the day partitions that do not exist yet; returns the names created. */
  async ensureDays(days: Date[]): Promise<string[]> {
    return withSchemaLock(this.pool, async () => {
      const existing = new Set(await this.list());
      const created: string[] = [];
      for (const day of days) {
        const name = dayPartitionName(day);
        if (existing.has(name)) continue;
        await inTransaction(this.pool, async (client) => {
          for (const statement of createDayPartitionSql(day)) await client.query(statement);
        });
        created.push(name);
      }
      return created;
    });
  }

  /**
   * Applies a retention policy: under the schema lock (so archivers running
   * it at once never collide), lists the partitions, asks `decide` what has
   * expired, drops it, then deletes expired rows wherever they remain — only
   * default partitions can still hold any: the global `logs_default` and the
   * default sub-partitions of partly dropped days — and last forgets the
   * substring sketches older than every row. Each step commits on its own; a
   * failed step is reported and the rest still run.
   */
  async applyRetention(decide: (partitions: string[]) => RetentionPlan): Promise<RetentionOutcome> {
    return withSchemaLock(this.pool, async () => {
      const plan = decide(await this.list());
      const outcome: RetentionOutcome = { dropped: [], deletedRows: {}, failures: [] };
      const steps: [string, string[]][] = [
        ...plan.dropDays.map((name): [string, string[]] => [name, dropDayPartitionSql(name)]),
        ...plan.dropSeverities.map((name): [string, string[]] => [name, dropSeverityPartitionSql(name)]),
      ];
      for (const [name, statements] of steps) {
        try {
          await this.withLockTimeout(async (client) => {
            for (const statement of statements) await client.query(statement);
          });
          outcome.dropped.push(name);
        } catch (error) {
          outcome.failures.push({ step: `drop ${name}`, error: (error as Error).message });
        }
      }
      for (const severity of SEVERITIES) {
        try {
          // Pruning keeps this off every partition that is not default or older than the cutoff.
          const {
            rows: [{ count }],
          } = await this.withLockTimeout((client) =>
            client.query<{ count: string }>(
              `WITH deleted AS (DELETE FROM logs WHERE severity = $1 AND ts < $2 RETURNING 1)
               SELECT count(*) AS count FROM deleted`,
              [SEVERITY_NUMBER[severity], plan.cutoffs[severity].toISOString()],
            ),
          );
          if (Number(count)) outcome.deletedRows[severity] = Number(count);
        } catch (error) {
          outcome.failures.push({ step: `delete expired ${severity} rows`, error: (error as Error).message });
        }
      }
      try {
        // A span that ends before the oldest row left covers nothing (a span still being written is not yet visible).
        await this.pool.query(
          `DELETE FROM log_sketches WHERE last_ts < (SELECT coalesce(min(ts), 'infinity') FROM logs)`,
        );
      } catch (error) {
        outcome.failures.push({ step: 'forget expired sketches', error: (error as Error).message });
      }
      return outcome;
    });
  }

  private withLockTimeout<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT}'`);
      return work(client);
    });
  }
}
