import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';

// No @logyard/* imports here: the medium test tier's jest globalSetup loads this file without the path mapping.

/** Advisory lock key under which migrations and partition DDL run, so several archivers can start at once. */
export const SCHEMA_LOCK_KEY = 0x4c6f6779; // "Logy"

export const CONNECT_TIMEOUT_MS = 5_000;

/** Runs `work` while holding the session-level schema lock on one dedicated connection of `pool`. */
export async function withSchemaLock<T>(pool: Pool, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    return await work();
  } finally {
    // A connection that cannot unlock is discarded: closing it is what releases a session lock.
    await client
      .query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY])
      .catch((error: Error) => (broken = error));
    client.release(broken);
  }
}

/**
 * Runs the pending migrations of the database at `url`, all in one transaction. TypeORM does this and only
 * this (docs/design.md §5), on a data source opened for it and closed after; callers that may race hold the
 * schema lock (see connectAndMigrate).
 */
export async function runMigrations(url: string): Promise<void> {
  const migrations = new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'logyard_migrations',
    synchronize: false,
    logging: ['error'],
    extra: { max: 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'logyard-migrations' },
  });
  await migrations.initialize();
  try {
    await migrations.runMigrations({ transaction: 'all' });
  } finally {
    await migrations.destroy();
  }
}

/** Names the migrations, in order: databases migrated with the same fingerprint have the same schema. */
export function migrationsFingerprint(): string {
  const names = MIGRATIONS.map((migration) => migration.name).join('\n');
  return createHash('sha256').update(names).digest('hex').slice(0, 12);
}
