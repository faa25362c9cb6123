import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /api/logs/:id` looks a record up by id alone, and the primary key
 * (ts, id, severity) cannot serve that: without this index every lookup read
 * the whole table (0.9 s on 4 M rows, growing with it; with it, 6–23 ms p50
 * over HTTP on 10 M rows). Ids are mostly UUIDv7, so inserts land at the
 * right edge of the btree and cost little (see BENCHMARKS.md).
 */
export class IndexLogsId1764115200000 implements MigrationInterface {
  name = 'IndexLogsId1764115200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX logs_id_idx ON logs (id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX logs_id_idx`);
  }
}
