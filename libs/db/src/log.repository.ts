import { Inject, Injectable } from '@nestjs/common';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { LogRecord } from '@logyard/contracts';
import { ARCHIVE_POOL, isRefusedData, UnencodableBatchError } from './database';
import { LOG_COLUMNS, toColumnArrays, toCopyText } from './log-row';
import { sketchHours } from './substring-sketch';

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

/**
 * The batch's substring sketches, one per hour, for the insert trigger of
 * `logs` to file beside the rows (migration 1764633600000). Local to the
 * transaction, so they can never describe another statement's rows.
 */
const SET_SKETCHES_SQL = `SELECT set_config('logyard.sketches', $1, true)`;

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
    const sketches = sketchHours(records);
    const copyText = encodeCopy(records);
    try {
      return await this.inSketchedTransaction(sketches, async (client) => {
        const copy = client.query(copyFrom(COPY_BATCH_SQL));
        await pipeline(Readable.from([copyText]), copy);
        return copy.rowCount;
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      return this.inSketchedTransaction(
        sketches,
        async (client) => (await client.query(INSERT_BATCH_SQL, toColumnArrays(records))).rowCount ?? 0,
      );
    }
  }

  private async inSketchedTransaction(sketches: string, write: (client: PoolClient) => Promise<number>) {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client reports a lost connection as an 'error' event; unheard, it would crash the process.
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    try {
      await client.query('BEGIN');
      await client.query(SET_SKETCHES_SQL, [sketches]);
      const rows = await write(client);
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      // PostgreSQL refused the rows themselves: the connection is fine. Anything else may have broken it.
      if (!isRefusedData(error)) broken ??= error as Error;
      if (!broken) await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
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

/**
 * The COPY text of a batch. Encoding fails only for a batch larger than V8's longest string, which the
 * batch consumer's byte bound keeps out of reach; should one come anyway, it is refused data, so the consumer
 * halves it, rather than an outage that would retry it forever.
 */
function encodeCopy(records: readonly LogRecord[]): Buffer {
  try {
    return Buffer.from(toCopyText(records));
  } catch (error) {
    throw new UnencodableBatchError(error);
  }
}
