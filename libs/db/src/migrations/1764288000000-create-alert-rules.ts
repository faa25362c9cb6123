import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert rules (issue 15, docs/design.md §12). A rule's definition is its
 * create body (`spec`); its episode state (`state`, `since`) and the counts
 * of its window (`alert_buckets`) are written by the one evaluator in the
 * same transaction as the notifications a transition owes (`alert_outbox`),
 * and only then are the records that caused them acked. An evaluator taking
 * over therefore starts from exactly what its predecessor committed: it
 * neither repeats a transition nor misses one.
 */
export class CreateAlertRules1764288000000 implements MigrationInterface {
  name = 'CreateAlertRules1764288000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE alert_rules (
        id uuid PRIMARY KEY,
        slug text NOT NULL UNIQUE,
        spec jsonb NOT NULL,
        window_seconds integer NOT NULL,
        state text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'firing')),
        since timestamptz,
        last_count bigint NOT NULL DEFAULT 0,
        last_notification jsonb,
        counting_since timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE alert_buckets (
        rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
        bucket bigint NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (rule_id, bucket)
      )`);
    await runner.query(`
      CREATE TABLE alert_outbox (
        id bigserial PRIMARY KEY,
        rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
        target text NOT NULL,
        notification jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX alert_outbox_pending_idx ON alert_outbox (rule_id, target, id) WHERE delivered_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE alert_outbox');
    await runner.query('DROP TABLE alert_buckets');
    await runner.query('DROP TABLE alert_rules');
  }
}
