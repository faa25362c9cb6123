import { escapeIdentifier } from 'pg';
import { migrationsFingerprint, runMigrations } from '../libs/db/src/migrate';
import {
  dropLeftoverDatabases,
  mediumTemplateName,
  PG_SERVER_URL,
  withServerClient,
} from '../libs/testing/src/databases';
import { assertPostgresRunning } from './global-setup';

/** Serialises template builds of concurrent runs on one server (any key, as long as it is this one). */
const TEMPLATE_LOCK_KEY = 0x4c4d5450; // "LMTP"

/**
 * Runs once before the medium tier (docs/design.md §11): fails fast when PostgreSQL is not running, removes
 * test databases a killed run left, and makes the template every medium spec file copies — created and
 * migrated once per set of migrations, under a temporary name renamed when complete, so a run killed midway
 * never leaves a half-migrated template for the next.
 */
export default async function mediumGlobalSetup(): Promise<void> {
  await assertPostgresRunning();
  await dropLeftoverDatabases();
  const template = mediumTemplateName(migrationsFingerprint());
  const building = `${template}_building`;
  await withServerClient(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (rowCount) return;
    await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(building)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${escapeIdentifier(building)}`);
    await runMigrations(`${PG_SERVER_URL}/${building}`);
    await client.query(
      `ALTER DATABASE ${escapeIdentifier(building)} RENAME TO ${escapeIdentifier(template)}`,
    );
  });
}
