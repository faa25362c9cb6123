import { Client, escapeIdentifier } from 'pg';

// No @logyard/* imports here: jest's globalSetup loads this file without the path mapping.

export const TEST_DATABASE_STEM = 'logyard_test_';
export const PG_SERVER_URL = process.env.PG_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

export async function dropDatabase(name: string): Promise<void> {
  await withServerClient((client) =>
    client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`),
  );
}

/** Test databases left by a run that was killed before its cleanup. */
export async function dropLeftoverDatabases(): Promise<void> {
  await withServerClient(async (client) => {
    // Only databases nobody is connected to: a concurrent test run's database is in use and stays.
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database d WHERE datname LIKE $1
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)`,
      [`${TEST_DATABASE_STEM}%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(datname)}`).catch(() => undefined);
    }
  });
}

/**
 * The medium tier's template (docs/design.md §11): a database migrated once, which each spec file copies with
 * CREATE DATABASE … TEMPLATE — a file copy, far cheaper than migrating. The name carries the migrations'
 * fingerprint, so worktrees or branches with other migrations never share, or rebuild, each other's template.
 */
export function mediumTemplateName(migrationsFingerprint: string): string {
  return `logyard_medium_template_${migrationsFingerprint}`;
}

/** Runs `work` on a connection of its own to `database`, closed however `work` ends. */
export async function withClient<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${PG_SERVER_URL}/${database}` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` on a connection to the server's `postgres` database. */
export function withServerClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  return withClient('postgres', work);
}
