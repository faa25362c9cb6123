import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { unusedPort, waitFor } from '@logyard/testing';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/** One server of the pair: its data directory and port on loopback. */
export interface PostgresServer {
  dir: string;
  port: number;
  /** A URL of `database` on this server (trust auth, user postgres). */
  url(database: string): string;
}

/**
 * A PostgreSQL primary and a streaming replica of its own, beside the
 * machine's server on 5432 (whose pg_hba.conf has no replication line and
 * which is never touched). Both run as the postgres user from one directory
 * that `destroy()` removes; a run that died half-way leaves that directory
 * behind, and the next `start()` stops its servers first. fsync is off: the
 * data is thrown away, and the disk is shared with the other suites.
 */
export class PostgresReplicaPair {
  private constructor(
    private readonly base: string,
    readonly primary: PostgresServer,
    readonly replica: PostgresServer,
  ) {}

  static async start(): Promise<PostgresReplicaPair> {
    const base = join(tmpdir(), 'logyard-pg-replica');
    const [primaryPort, replicaPort] = [await unusedPort(), await unusedPort()];
    const pair = new PostgresReplicaPair(
      base,
      server(join(base, 'primary'), primaryPort),
      server(join(base, 'replica'), replicaPort),
    );
    await pair.destroy();
    try {
      mkdirSync(base, { recursive: true });
      const { stdout } = await run('id', ['-u', 'postgres']);
      const uid = Number(stdout);
      chownSync(base, uid, uid);
      await pair.initPrimary();
      await pair.pgCtl(pair.primary, 'start');
      await asPostgres('pg_basebackup', [
        ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
        ...['-D', pair.replica.dir, '-R', '-X', 'stream', '-c', 'fast'],
      ]);
      appendFileSync(join(pair.replica.dir, 'postgresql.conf'), `port = ${replicaPort}\n`);
      await pair.pgCtl(pair.replica, 'start');
      await pair.waitUntilStreaming();
      return pair;
    } catch (error) {
      await pair.destroy();
      throw error;
    }
  }

  /** Fast shutdown of the primary (sessions disconnected, a checkpoint written): the replica stays up. */
  async stopPrimary(): Promise<void> {
    await this.pgCtl(this.primary, 'stop', '-m', 'fast');
  }

  async startPrimary(): Promise<void> {
    await this.pgCtl(this.primary, 'start');
  }

  /** Resolves once the replica's WAL receiver streams from the primary. */
  async waitUntilStreaming(): Promise<void> {
    await waitFor(
      'the replica to stream from the primary',
      () => scalar(this.replica.url('postgres'), `SELECT status = 'streaming' FROM pg_stat_wal_receiver`),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  /** Stops both servers (immediately: nothing in them is kept) and removes their directory. */
  async destroy(): Promise<void> {
    for (const node of [this.replica, this.primary]) {
      if (existsSync(join(node.dir, 'postmaster.pid'))) {
        await this.pgCtl(node, 'stop', '-m', 'immediate').catch(() => undefined);
      }
    }
    rmSync(this.base, { recursive: true, force: true });
  }

  private async initPrimary(): Promise<void> {
    await asPostgres('initdb', ['-D', this.primary.dir, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    appendFileSync(
      join(this.primary.dir, 'postgresql.conf'),
      [
        `port = ${this.primary.port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${this.base}'`,
        'wal_level = replica',
        'max_wal_senders = 4',
        'hot_standby = on',
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        // The replica's receiver notices a restarted primary sooner than the 5 s default.
        'wal_retrieve_retry_interval = 500ms',
        '',
      ].join('\n'),
    );
    appendFileSync(join(this.primary.dir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
  }

  private async pgCtl(node: PostgresServer, action: string, ...options: string[]): Promise<void> {
    await asPostgres('pg_ctl', [
      '-D',
      node.dir,
      '-l',
      `${node.dir}.log`,
      '-w',
      '-t',
      '30',
      action,
      ...options,
    ]);
  }
}

function server(dir: string, port: number): PostgresServer {
  return { dir, port, url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}` };
}

async function asPostgres(program: string, args: string[]): Promise<void> {
  await run('runuser', ['-u', 'postgres', '--', join(BIN, program), ...args], { cwd: tmpdir() });
}

/** The first column of the first row of `sql`, on a connection of its own. */
export async function scalar<T>(url: string, sql: string, values: unknown[] = []): Promise<T | undefined> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(sql, values);
    return rows[0] && (Object.values(rows[0])[0] as T);
  } finally {
    await client.end();
  }
}
