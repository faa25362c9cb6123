import { Client, escapeIdentifier, Pool, PoolClient } from 'pg';
import { redactUrl } from '@logyard/config';
import { StartupError } from '@logyard/observability';
import { CONNECT_TIMEOUT_MS, runMigrations, withSchemaLock } from './migrate';

export function startupError(url: string, error: unknown, variable = 'DATABASE_URL'): StartupError {
  const reason = (error as Error).message || String(error);
  return new StartupError(
    `cannot reach PostgreSQL at ${redactUrl(url)} (${reason}); start it with ` +
      `'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' or set ${variable}`,
  );
}

/** Creates the database named in `url` if it does not exist yet (connecting to the `postgres` database to do so). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new StartupError(`DATABASE_URL ${redactUrl(url)} names no database`);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({
    connectionString: maintenance.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  try {
    await client.connect();
  } catch (error) {
    throw startupError(url, error);
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        // Created meanwhile by another archiver: 42P04 when it committed first, 23505 (pg_database's unique
        // index) when both were creating it at the same moment.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * Connections of the archive pool: the writers' COPYs (ARCHIVER_WRITERS at once), partition DDL (the schema lock
 * holds one while a transaction uses another) and the readiness ping, with room to spare.
 */
export const ARCHIVE_POOL_SIZE = 10;

/** Nest token of the archive pool ({@link createArchivePool}); the query pool is LogQueryRepository's own. */
export const ARCHIVE_POOL = Symbol('ARCHIVE_POOL');

/**
 * The pool the archiver writes and runs partition DDL on, owned by the database module (docs/design.md §5).
 * Lazy: nothing connects until {@link connectAndMigrate}.
 */
export function createArchivePool(url: string, poolSize = ARCHIVE_POOL_SIZE): Pool {
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'logyard-archive',
  });
  // An idle connection the server drops reports here; unheard, the event would crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export interface QueryPoolOptions {
  url: string;
  poolSize: number;
  /** Every statement on the pool is cancelled by PostgreSQL after this long (statement_timeout). */
  timeoutMs: number;
}

/**
 * The pool archive reads run on, apart from the writers' pool: a slow or
 * hostile query can then hold at most these connections, never one the
 * archiver needs to store a batch. Its URL may name a replica. The timeout is
 * PostgreSQL's own statement_timeout, set for the session at connect, so a
 * cancelled statement stops costing the server at once (a client-side timeout
 * would leave it running).
 */
export function createQueryPool(options: QueryPoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: options.timeoutMs,
    application_name: 'logyard-query',
  });
  // An idle connection the server drops reports here; unheard, the event would crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATE 57014: the statement was cancelled, here by statement_timeout. */
const QUERY_CANCELED = '57014';

/** Whether PostgreSQL cancelled the statement, as statement_timeout does. */
export function isQueryCancelled(error: unknown): boolean {
  return (error as { code?: unknown }).code === QUERY_CANCELED;
}

/**
 * Creates the database if missing, connects `pool`, and runs pending migrations under the schema advisory lock
 * (see {@link runMigrations}).
 */
export async function connectAndMigrate(pool: Pool, url: string): Promise<void> {
  await ensureDatabase(url);
  await pool.query('SELECT 1').catch((error: unknown) => {
    throw startupError(url, error);
  });
  await withSchemaLock(pool, () => runMigrations(url));
}

/**
 * Runs `work` in one transaction on a connection of `pool`; rolls back if it throws. A connection whose rollback
 * fails is released as broken, so the pool discards it rather than lend it out mid-transaction.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * SQLSTATE classes that mean "this data can never be stored", as opposed to
 * an outage: 22 data exception, 23 integrity constraint violation, 54 program
 * limit exceeded (e.g. an index row too large for a huge host name).
 */
const REFUSED_DATA_CLASSES = ['22', '23', '54'];

/** A batch too large to encode for PostgreSQL at all: no retry of the same rows can succeed either. */
export class UnencodableBatchError extends Error {
  constructor(cause: unknown) {
    super(`the batch cannot be encoded: ${(cause as Error).message}`, { cause });
  }
}

/** Whether PostgreSQL refused the rows themselves, so retrying the same rows cannot succeed. */
export function isRefusedData(error: unknown): boolean {
  if (error instanceof UnencodableBatchError) return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && REFUSED_DATA_CLASSES.includes(code.slice(0, 2));
}
