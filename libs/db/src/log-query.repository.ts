import { Pool, QueryResult, QueryResultRow } from 'pg';
import { LogFilters, LogQuery, LogRecord, Severity, severityFromNumber } from '@logyard/contracts';
import { isQueryCancelled } from './database';
import {
  buildAttributeFacetQuery,
  buildFacetQuery,
  buildHistogramQuery,
  buildLogQuery,
  buildSketchSpanQuery,
  FacetName,
  fullTextWindows,
  MAX_SKETCH_SPANS,
  sketchWindows,
  SqlStatement,
} from './log-query';
import { LOG_ROW_COLUMNS, LogRow, toLogRecord } from './log-row';
import { sketchProbe } from './substring-sketch';

/** Records per severity in one histogram bucket; only non-empty (bucket, severity) pairs are reported. */
export interface BucketCount {
  /** Bucket start in the wire format (UTC, microseconds). */
  bucket: string;
  severity: Severity;
  count: number;
}

export type FacetCounts = Record<FacetName, { value: string; count: number }[]>;

/** SQLSTATE 3D000 (no such database) and 42P01 (no such table): on a replica, what it has not replayed yet. */
const NOT_REPLAYED_YET = ['3D000', '42P01'];

// GREATEST: the replayed commit's time is the primary's clock, now() the standby's; skew must not show as negative lag.
const REPLICA_LAG_SQL = `
  SELECT CASE
    WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE GREATEST(0, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()))
  END AS lag`;

/** A read ran past its time (QUERY_TIMEOUT) and was cancelled; the query, not the database, is at fault. */
export class QueryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the query ran longer than ${timeoutMs} ms`);
  }
}

/** Every query connection is busy and as many reads already wait for one; the caller should retry shortly. */
export class QueryBusyError extends Error {
  constructor(readonly poolSize: number) {
    super(`all ${poolSize} query connections are busy and ${poolSize} more reads wait`);
  }
}

/**
 * Every read of the `logs` table, on the query pool (see createQueryPool):
 * each statement is cancelled by PostgreSQL past `timeoutMs`, and the
 * statements of a read share that time on one connection, so no read costs
 * the database much more than that long. Either way it rejects with
 * QueryTimeoutError. At most as many reads wait for a connection as the pool
 * holds; past that a read is refused at once with QueryBusyError, so a flood
 * of heavy queries is shed rather than queued until each one times out.
 */
export class LogQueryRepository {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
    private readonly poolSize: number,
  ) {}

  /** A page of records, newest first, and whether more follow. */
  async findPage(query: LogQuery): Promise<{ records: LogRecord[]; hasMore: boolean }> {
    // Full text and substrings filter rows the newest-first walk cannot skip: a window bounds what a partition
    // without any match costs before the page is known to be full (see fullTextWindows).
    const windowed = query.text !== undefined || (query.contains?.length ?? 0) > 0;
    if (!windowed) return this.page(await this.query<LogRow>(buildLogQuery(query)), query.limit);
    return this.read(async (statement) => {
      const windows = (await this.sketchWindows(query, statement)) ?? fullTextWindows(query, new Date());
      const rows: LogRow[] = [];
      // One row past the limit tells whether a next page exists; later windows only fill what is missing.
      for (const window of windows) {
        const limit = query.limit - rows.length;
        rows.push(...(await statement<LogRow>(buildLogQuery({ ...query, ...window, limit }))));
        if (rows.length > query.limit) break;
      }
      return this.page(rows, query.limit);
    });
  }

  private page(rows: LogRow[], limit: number): { records: LogRecord[]; hasMore: boolean } {
    return { records: rows.slice(0, limit).map(toLogRecord), hasMore: rows.length > limit };
  }

  /**
   * For substrings: the windows of the only spans whose sketch may hold them
   * (docs/design.md §5), so a rare one reads a few batches instead of the
   * range. Undefined when the sketches rule out too little: no substring has
   * a gram, or more spans than MAX_SKETCH_SPANS may match (a frequent one,
   * which the plain windows serve from the newest rows).
   */
  private async sketchWindows(
    query: LogQuery,
    statement: StatementRunner,
  ): Promise<{ from?: string; to?: string }[] | undefined> {
    const probe = sketchProbe(query.contains ?? []);
    if (probe.length === 0) return undefined;
    const spans = await statement<{ from: string; to: string }>(buildSketchSpanQuery(query, probe));
    return spans.length > MAX_SKETCH_SPANS ? undefined : sketchWindows(query, spans);
  }

  async countByBucket(filters: LogFilters, intervalSeconds: number): Promise<BucketCount[]> {
    const statement = buildHistogramQuery(filters, intervalSeconds);
    const rows = await this.query<{ bucket: string; severity: number; count: string }>(statement);
    return rows.map((row) => ({
      bucket: row.bucket,
      severity: severityFromNumber(row.severity),
      count: Number(row.count),
    }));
  }

  /** The `limit` most frequent hosts, services and severities (by name) matching the filters. */
  async countFacets(filters: LogFilters, limit: number): Promise<FacetCounts> {
    const statement = buildFacetQuery(filters, limit);
    const rows = await this.query<{ facet: FacetName; value: string; count: string }>(statement);
    const facets: FacetCounts = { hosts: [], services: [], severities: [] };
    for (const row of rows) {
      const value = row.facet === 'severities' ? severityFromNumber(Number(row.value)) : row.value;
      facets[row.facet].push({ value, count: Number(row.count) });
    }
    return facets;
  }

  /** The `limit` most frequent values of attribute `key` among the records matching the filters. */
  async countAttributeValues(
    filters: LogFilters,
    key: string,
    limit: number,
  ): Promise<{ value: string; count: number }[]> {
    const statement = buildAttributeFacetQuery(filters, key, limit);
    const rows = await this.query<{ value: string; count: string }>(statement);
    return rows.map((row) => ({ value: row.value, count: Number(row.count) }));
  }

  async findById(id: string): Promise<LogRecord | undefined> {
    const rows = await this.query<LogRow>({
      text: `SELECT ${LOG_ROW_COLUMNS} FROM logs WHERE id = $1 LIMIT 1`,
      values: [id],
    });
    return rows[0] && toLogRecord(rows[0]);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /**
   * Resolves once the query database holds the archive. On a replica, the
   * database and tables an archiver has just created on the primary arrive
   * only after the replica's lag, so their absence is waited out until
   * `timeoutMs`; any other error rejects at once.
   */
  async waitForArchive(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.pool.query('SELECT 1 FROM logs LIMIT 0');
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (!NOT_REPLAYED_YET.includes(code as string) || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * How many seconds the query database trails the primary's commits: 0 when
   * it is the primary itself, or a standby that has replayed all it received
   * (an idle primary sends nothing, so the age of the last replayed commit
   * would grow without any lag). NaN when unknown: the database cannot be
   * asked, or a fresh standby has replayed no commit yet. Never waits for a
   * connection, so a scrape is not held up behind saturated reads.
   */
  async replicaLagSeconds(): Promise<number> {
    if (this.pool.idleCount === 0 && this.pool.totalCount >= this.poolSize) return NaN;
    try {
      const { rows } = await this.pool.query<{ lag: string | null }>(REPLICA_LAG_SQL);
      return rows[0]?.lag == null ? NaN : Number(rows[0].lag);
    } catch {
      return NaN;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** One statement on any connection of the pool, within the session's statement_timeout. */
  private async query<T extends QueryResultRow>(statement: SqlStatement): Promise<T[]> {
    this.refuseWhenBusy();
    return this.rowsOf(this.pool.query<T>(statement.text, statement.values));
  }

  /**
   * The statements of one read, on one connection, within about one QUERY_TIMEOUT altogether: checked only
   * between statements, the budget let a read cost the database up to twice that, as its last statement
   * could start just before it ran out. Once what is left has fallen a tenth below the connection's
   * statement_timeout, the next statement is given only what is left (SET, reset before the connection goes
   * back); a SET a statement would cost a round trip each, and a rare substring's page reads dozens of
   * windows. So a read overruns QUERY_TIMEOUT by a tenth of it at most.
   */
  private async read<T>(work: (statement: StatementRunner) => Promise<T>): Promise<T> {
    this.refuseWhenBusy();
    const client = await this.pool.connect();
    const deadline = Date.now() + this.timeoutMs;
    let timeoutMs = this.timeoutMs;
    // A connection that failed (not a cancelled statement, which leaves it sound) is closed, not reused.
    let broken: Error | undefined;
    try {
      return await work(async <R extends QueryResultRow>(statement: SqlStatement) => {
        const left = deadline - Date.now();
        if (left <= 0) throw new QueryTimeoutError(this.timeoutMs);
        if (left < timeoutMs * 0.9) {
          timeoutMs = Math.ceil(left);
          await client.query(`SET statement_timeout = ${timeoutMs}`);
        }
        return this.rowsOf(client.query<R>(statement.text, statement.values));
      });
    } catch (error) {
      if (!(error instanceof QueryTimeoutError)) broken = error as Error;
      throw error;
    } finally {
      if (timeoutMs !== this.timeoutMs && !broken) {
        await client.query('RESET statement_timeout').catch((error: Error) => (broken = error));
      }
      client.release(broken);
    }
  }

  /** As many reads wait for a connection as the pool holds: this one is refused at once. */
  private refuseWhenBusy(): void {
    if (this.pool.waitingCount >= this.poolSize) throw new QueryBusyError(this.poolSize);
  }

  private async rowsOf<T extends QueryResultRow>(result: Promise<QueryResult<T>>): Promise<T[]> {
    try {
      return (await result).rows;
    } catch (error) {
      if (isQueryCancelled(error)) throw new QueryTimeoutError(this.timeoutMs);
      throw error;
    }
  }
}

/** Runs one statement of a read (see LogQueryRepository's `read`). */
type StatementRunner = <T extends QueryResultRow>(statement: SqlStatement) => Promise<T[]>;
