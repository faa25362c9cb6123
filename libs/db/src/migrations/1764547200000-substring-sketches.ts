import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Substring sketches (docs/design.md §5, issue 14): `contains=` over a day
 * would otherwise read every row of it.
 *
 * Every statement that inserts into `logs` files one row here per hour of
 * `ts` it touched: the span of its rows' `ts` and the sketch of their
 * messages (libs/db/src/substring-sketch.ts), which the archiver hands over
 * in the transaction-local setting `logyard.sketch`. A writer that hands
 * none (a backfill, a test's INSERT) files a NULL sketch: its rows are
 * always read. So a search reads only the spans whose sketch may hold the
 * substring, and no path can store a row no span covers. The trigger is a
 * statement-level one beside the count rollups' and, like theirs, does not
 * fire for statements on a partition itself (rows moved out of
 * `logs_default` keep their `ts`, so their span still covers them).
 *
 * Sketches are Bloom filters: random bits, so they are stored uncompressed
 * (STORAGE EXTERNAL) rather than compressed in vain on every insert.
 * Retention forgets the spans that end before the oldest row left.
 */
/** The insert trigger's function as this migration creates it; 1764633600000 puts it back when undone. */
export const BATCH_SKETCH_FUNCTION = `
      FUNCTION log_sketches_add() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sketch bytea := decode(NULLIF(current_setting('logyard.sketch', true), ''), 'base64');
      BEGIN
        INSERT INTO log_sketches (first_ts, last_ts, grams)
        SELECT min(ts), max(ts), sketch FROM new_rows GROUP BY date_bin('1 hour', ts, '1970-01-01Z');
        RETURN NULL;
      END $$`;

export class SubstringSketches1764547200000 implements MigrationInterface {
  name = 'SubstringSketches1764547200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE log_sketches (first_ts timestamptz NOT NULL, last_ts timestamptz NOT NULL, grams bytea)`,
    );
    await runner.query(`ALTER TABLE log_sketches ALTER COLUMN grams SET STORAGE EXTERNAL`);
    await runner.query(`CREATE INDEX log_sketches_last_ts_idx ON log_sketches (last_ts)`);
    await runner.query(`CREATE ${BATCH_SKETCH_FUNCTION}`);
    await runner.query(`
      CREATE TRIGGER logs_sketch_inserted AFTER INSERT ON logs
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_sketches_add()`);
    // Rows stored before this migration have no sketch: one span covers them, read by every search.
    await runner.query(`
      INSERT INTO log_sketches (first_ts, last_ts)
      SELECT min(ts), max(ts) FROM logs HAVING min(ts) IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER logs_sketch_inserted ON logs`);
    await runner.query(`DROP FUNCTION log_sketches_add()`);
    await runner.query(`DROP TABLE log_sketches`);
  }
}
