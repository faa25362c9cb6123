import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `logs` table (DESIGN §5). Partitioned by range on ts; the archiver
 * creates one partition per day ahead of time, each sub-partitioned by list
 * on severity so retention can drop a whole (day, severity) table — operators
 * keep errors far longer than debug. PostgreSQL requires every partition key
 * in a unique constraint, so the key is (ts, id, severity): a record's
 * severity never changes, so a redelivered record still conflicts.
 *
 * Indexes, each for a filter of the query API (see README "Indexes"):
 *  - the primary key serves time ranges and the keyset order (ts DESC, id DESC);
 *  - (service, ts) and (host, ts) serve "newest of a service/host";
 *  - severity is served by partition pruning on the severity sub-partitions;
 *  - a GIN over to_tsvector('simple', message) serves full-text `q`;
 *  - a GIN jsonb_path_ops over attributes serves `attr.k=v` containment;
 *  - a partial btree on trace_id serves trace lookups.
 */
export class CreateLogs1764028800000 implements MigrationInterface {
  name = 'CreateLogs1764028800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE logs (
        id          uuid        NOT NULL,
        ts          timestamptz NOT NULL,
        observed_ts timestamptz NOT NULL,
        host        text        NOT NULL,
        service     text        NOT NULL,
        severity    smallint    NOT NULL,
        message     text        NOT NULL,
        attributes  jsonb       NOT NULL DEFAULT '{}'::jsonb,
        trace_id    text,
        span_id     text,
        PRIMARY KEY (ts, id, severity)
      ) PARTITION BY RANGE (ts)`);
    await runner.query(`CREATE TABLE logs_default PARTITION OF logs DEFAULT`);
    await runner.query(`CREATE INDEX logs_service_ts_idx ON logs (service, ts)`);
    await runner.query(`CREATE INDEX logs_host_ts_idx ON logs (host, ts)`);
    await runner.query(
      `CREATE INDEX logs_message_fts_idx ON logs USING gin (to_tsvector('simple', message))`,
    );
    await runner.query(`CREATE INDEX logs_attributes_idx ON logs USING gin (attributes jsonb_path_ops)`);
    await runner.query(`CREATE INDEX logs_trace_id_idx ON logs (trace_id) WHERE trace_id IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE logs`);
  }
}
