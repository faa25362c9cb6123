import { MigrationInterface, QueryRunner } from 'typeorm';
import { BATCH_SKETCH_FUNCTION } from './1764547200000-substring-sketches';

/**
 * One substring sketch per hour of a batch, where 1764547200000 filed the
 * whole batch's sketch for every hour the batch touched: a batch of records
 * each in an hour of its own stored as many copies of a sketch sized by all
 * of them, so storage grew with the square of what a sender sent.
 *
 * The archiver now hands over `logyard.sketches`, a JSON object of one
 * base64 sketch per UTC hour keyed `YYYY-MM-DDTHH` (sketchHours). A writer
 * that still hands the single `logyard.sketch`, an archiver of the previous
 * release during a rolling upgrade, files it as before; a writer that hands
 * neither files NULL, and its rows are always read.
 */
export class HourlySketches1764633600000 implements MigrationInterface {
  name = 'HourlySketches1764633600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE OR REPLACE FUNCTION log_sketches_add() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sketches jsonb := NULLIF(current_setting('logyard.sketches', true), '')::jsonb;
        batch_sketch bytea := decode(NULLIF(current_setting('logyard.sketch', true), ''), 'base64');
      BEGIN
        INSERT INTO log_sketches (first_ts, last_ts, grams)
        SELECT first_ts, last_ts,
               COALESCE(decode(sketches ->> to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), 'base64'),
                        batch_sketch)
          FROM (SELECT date_bin('1 hour', ts, '1970-01-01Z') AS hour, min(ts) AS first_ts, max(ts) AS last_ts
                  FROM new_rows GROUP BY 1) AS spans;
        RETURN NULL;
      END $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE OR REPLACE ${BATCH_SKETCH_FUNCTION}`);
  }
}
