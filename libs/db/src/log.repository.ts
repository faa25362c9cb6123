import { Injectable } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { LogRecord, Severity, severityFromNumber } from '@logyard/contracts';
import {
  buildAttributeFacetQuery,
  buildFacetQuery,
  buildHistogramQuery,
  buildLogQuery,
  fullTextWindows,
  FacetName,
  LogFilters,
  LogQuery,
} from './log-query';
import { isRefusedData } from './database';
import { LOG_COLUMNS, LOG_ROW_COLUMNS, LogRow, toColumnArrays, toCopyText, toLogRecord } from './log-row';

const COPY_BATCH_SQL = `COPY logs (${LOG_COLUMNS.join(', ')}) FROM STDIN`;
const UNIQUE_VIOLATION = '23505';

/**
 * One statement for a whole batch: ten array parameters, whatever the batch
 * size (bind parameters cap at 65,535). ON CONFLICT makes a redelivered
 * record a no-op, which is what turns at-least-once delivery into
 * exactly-once storage.
 */
const INSERT_BATCH_SQL = `
  INSERT INTO logs (${LOG_COLUMNS.join(', ')})
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[],
                       $6::smallint[], $7::text[], $8::jsonb[], $9::text[], $10::text[])
  ON CONFLICT DO NOTHING`;

/** Records per severity in one histogram bucket; only non-empty (bucket, severity) pairs are reported. */
export interface BucketCount {
  /** Bucket start in the wire format (UTC, microseconds). */
  bucket: string;
  severity: Severity;
  count: number;
}

export type FacetCounts = Record<FacetName, { value: string; count: number }[]>;

/** All reads and writes of the `logs` table. */
@Injectable()
export class LogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The hot path talks to pg's pool directly: TypeORM adds nothing to a single statement. */
  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  /**
   * Stores a batch atomically; resolves to the number of new rows (records
   * already stored are skipped). COPY first, as it is the cheapest write
   * PostgreSQL has; COPY cannot skip a conflict, so a batch holding a record
   * that is already stored (a redelivery) fails as a whole and is written
   * again with INSERT … ON CONFLICT DO NOTHING.
   */
  async insertBatch(records: readonly LogRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    try {
      return await this.copyBatch(records);
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      const result = await this.pool.query(INSERT_BATCH_SQL, toColumnArrays(records));
      return result.rowCount ?? 0;
    }
  }

  private async copyBatch(records: readonly LogRecord[]): Promise<number> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client reports a lost connection as an 'error' event; unheard, it would crash the process.
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    try {
      const copy = client.query(copyFrom(COPY_BATCH_SQL));
      await pipeline(Readable.from([Buffer.from(toCopyText(records))]), copy);
      return copy.rowCount;
    } catch (error) {
      // PostgreSQL refused the rows themselves: the connection is fine. Anything else may have broken it.
      if (!isRefusedData(error)) broken ??= error as Error;
      throw error;
    } finally {
      client.removeListener('error', onConnectionError);
      client.release(broken);
    }
  }

  /** A page of records, newest first, and whether more follow. */
  async findPage(query: LogQuery): Promise<{ records: LogRecord[]; hasMore: boolean }> {
    const windows = query.text ? fullTextWindows(query, new Date()) : [{ from: query.from, to: query.to }];
    const rows: LogRow[] = [];
    // One row past the limit tells whether a next page exists; later windows only fill what is missing.
    for (const window of windows) {
      const statement = buildLogQuery({ ...query, ...window, limit: query.limit - rows.length });
      rows.push(...(await this.pool.query<LogRow>(statement.text, statement.values)).rows);
      if (rows.length > query.limit) break;
    }
    return { records: rows.slice(0, query.limit).map(toLogRecord), hasMore: rows.length > query.limit };
  }

  async countByBucket(filters: LogFilters, intervalSeconds: number): Promise<BucketCount[]> {
    const statement = buildHistogramQuery(filters, intervalSeconds);
    const { rows } = await this.pool.query<{ bucket: string; severity: number; count: string }>(
      statement.text,
      statement.values,
    );
    return rows.map((row) => ({
      bucket: row.bucket,
      severity: severityFromNumber(row.severity),
      count: Number(row.count),
    }));
  }

  /** The `limit` most frequent hosts, services and severities (by name) matching the filters. */
  async countFacets(filters: LogFilters, limit: number): Promise<FacetCounts> {
    const statement = buildFacetQuery(filters, limit);
    const { rows } = await this.pool.query<{ facet: FacetName; value: string; count: string }>(
      statement.text,
      statement.values,
    );
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
    const { rows } = await this.pool.query<{ value: string; count: string }>(
      statement.text,
      statement.values,
    );
    return rows.map((row) => ({ value: row.value, count: Number(row.count) }));
  }

  async findById(id: string): Promise<LogRecord | undefined> {
    const { rows } = await this.pool.query<LogRow>(
      `SELECT ${LOG_ROW_COLUMNS} FROM logs WHERE id = $1 LIMIT 1`,
      [id],
    );
    return rows[0] && toLogRecord(rows[0]);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
