import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { LogRecord, Severity, severityFromNumber } from '@logyard/contracts';
import {
  buildFacetQuery,
  buildHistogramQuery,
  buildLogQuery,
  fullTextWindows,
  FacetName,
  LogFilters,
  LogQuery,
} from './log-query';
import { LOG_ROW_COLUMNS, LogRow, toColumnArrays, toLogRecord } from './log-row';

/**
 * One statement for a whole batch: ten array parameters, whatever the batch
 * size (bind parameters cap at 65,535). ON CONFLICT makes a redelivered
 * record a no-op, which is what turns at-least-once delivery into
 * exactly-once storage.
 */
const INSERT_BATCH_SQL = `
  INSERT INTO logs (id, ts, observed_ts, host, service, severity, message, attributes, trace_id, span_id)
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

  /** Inserts a batch in one transaction; resolves to the number of new rows (duplicates excluded). */
  async insertBatch(records: readonly LogRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const result = await this.pool.query(INSERT_BATCH_SQL, toColumnArrays(records));
    return result.rowCount ?? 0;
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
