import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Long ranges (docs/design.md §5, issue 17).
 *
 * Rollups: `log_counts_minute` and `log_counts_hour` hold the number of
 * records per (bucket, severity, host, service). The histogram and the
 * host/service/severity facets read them instead of every row: 14 days are
 * at most 336 hours per key, and only the partial minutes at a range's edges
 * come from `logs`. They are kept by statement-level triggers on `logs`, so a
 * rollup changes in the same statement, and therefore the same transaction,
 * as the rows it counts: whatever writes the rows (the archiver's COPY, its
 * INSERT … ON CONFLICT DO NOTHING for redeliveries, a backfill), a reader
 * sees rows and counts from one snapshot. The transition table holds only
 * the rows actually inserted, so a redelivered record skipped by ON CONFLICT
 * is not counted twice. Statements on a partition itself (moving rows out of
 * `logs_default` when a day partition is created) do not fire them: the rows
 * were counted when they first arrived. Dropped partitions are uncounted by
 * PartitionRepository in the transaction of the DROP; deleted rows by the
 * delete trigger. Buckets are cut with date_bin from the Unix epoch, so they
 * do not depend on the session's time zone. The rows are sorted before the
 * upsert so two batches touching the same keys lock them in the same order
 * (no deadlock); fillfactor leaves room for the HOT updates every batch makes.
 */
export class CountRollups1764460800000 implements MigrationInterface {
  name = 'CountRollups1764460800000';

  async up(runner: QueryRunner): Promise<void> {
    for (const table of ['log_counts_minute', 'log_counts_hour']) {
      await runner.query(`
        CREATE TABLE ${table} (
          bucket   timestamptz NOT NULL,
          severity smallint    NOT NULL,
          host     text        NOT NULL,
          service  text        NOT NULL,
          count    bigint      NOT NULL,
          PRIMARY KEY (bucket, severity, host, service)
        ) WITH (fillfactor = 70)`);
    }
    await runner.query(`
      CREATE FUNCTION log_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        WITH minutes AS (
          SELECT date_bin('1 minute', ts, '1970-01-01Z') AS bucket, severity, host, service, count(*) AS count
            FROM new_rows GROUP BY 1, 2, 3, 4
        ), added AS (
          INSERT INTO log_counts_minute AS c (bucket, severity, host, service, count)
          SELECT * FROM minutes ORDER BY 1, 2, 3, 4
          ON CONFLICT (bucket, severity, host, service) DO UPDATE SET count = c.count + EXCLUDED.count
        )
        INSERT INTO log_counts_hour AS c (bucket, severity, host, service, count)
        SELECT date_bin('1 hour', bucket, '1970-01-01Z'), severity, host, service, sum(count)
          FROM minutes GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (bucket, severity, host, service) DO UPDATE SET count = c.count + EXCLUDED.count;
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE FUNCTION log_counts_subtract() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        first_hour timestamptz;
        last_hour timestamptz;
      BEGIN
        SELECT date_bin('1 hour', min(ts), '1970-01-01Z'), max(ts) INTO first_hour, last_hour FROM old_rows;
        IF first_hour IS NULL THEN
          RETURN NULL;
        END IF;
        WITH minutes AS (
          SELECT date_bin('1 minute', ts, '1970-01-01Z') AS bucket, severity, host, service, count(*) AS count
            FROM old_rows GROUP BY 1, 2, 3, 4
        ), hours AS (
          SELECT date_bin('1 hour', bucket, '1970-01-01Z') AS bucket, severity, host, service, sum(count) AS count
            FROM minutes GROUP BY 1, 2, 3, 4
        ), minute_left AS (
          UPDATE log_counts_minute c SET count = c.count - m.count FROM minutes m
           WHERE (c.bucket, c.severity, c.host, c.service) = (m.bucket, m.severity, m.host, m.service)
        )
        UPDATE log_counts_hour c SET count = c.count - h.count FROM hours h
         WHERE (c.bucket, c.severity, c.host, c.service) = (h.bucket, h.severity, h.host, h.service);
        DELETE FROM log_counts_minute WHERE count <= 0 AND bucket BETWEEN first_hour AND last_hour;
        DELETE FROM log_counts_hour WHERE count <= 0 AND bucket BETWEEN first_hour AND last_hour;
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER logs_count_inserted AFTER INSERT ON logs
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_counts_add()`);
    await runner.query(`
      CREATE TRIGGER logs_count_deleted AFTER DELETE ON logs
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION log_counts_subtract()`);
    // Rows stored before this migration: counted once, here (the migration runs under the schema lock).
    await runner.query(`
      INSERT INTO log_counts_minute (bucket, severity, host, service, count)
      SELECT date_bin('1 minute', ts, '1970-01-01Z'), severity, host, service, count(*) FROM logs GROUP BY 1, 2, 3, 4`);
    await runner.query(`
      INSERT INTO log_counts_hour (bucket, severity, host, service, count)
      SELECT date_bin('1 hour', bucket, '1970-01-01Z'), severity, host, service, sum(count)
        FROM log_counts_minute GROUP BY 1, 2, 3, 4`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER logs_count_deleted ON logs`);
    await runner.query(`DROP TRIGGER logs_count_inserted ON logs`);
    await runner.query(`DROP FUNCTION log_counts_subtract()`);
    await runner.query(`DROP FUNCTION log_counts_add()`);
    await runner.query(`DROP TABLE log_counts_hour`);
    await runner.query(`DROP TABLE log_counts_minute`);
  }
}
