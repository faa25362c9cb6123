import { Inject, Injectable } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { LogRecord } from '@logyard/contracts';
import { ARCHIVE_POOL, isRefusedData } from './database';
import { LOG_COLUMNS, toColumnArrays, toCopyText } from './log-row';

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

/** The archiver's writes of the `logs` table; reads are LogQueryRepository's, on a pool of their own. */
@Injectable()
export class LogRepository {
  constructor(@Inject(ARCHIVE_POOL) private readonly pool: Pool) {}

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

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
