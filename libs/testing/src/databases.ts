import { Client } from 'pg';

// No @logyard/* imports here: jest's globalSetup loads this file without the path mapping.

export const TEST_DATABASE_STEM = 'logyard_test_';
export const PG_SERVER_URL = process.env.PG_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

export async function dropDatabase(name: string): Promise<void> {
  const client = new Client({ connectionString: `${PG_SERVER_URL}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Test databases left by a run that was killed before its cleanup. */
export async function dropLeftoverDatabases(): Promise<void> {
  const client = new Client({ connectionString: `${PG_SERVER_URL}/postgres` });
  await client.connect();
  try {
    // Only databases nobody is connected to: a concurrent test run's database is in use and stays.
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database d WHERE datname LIKE $1
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)`,
      [`${TEST_DATABASE_STEM}%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}"`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
