import { createTestEnvironment, TestEnvironment, unusedPort, waitFor } from '@logyard/testing';
import { request } from '../support/http';
import { PostgresReplicaPair, scalar } from '../support/postgres-replica';
import { WatchedProcess, startLogyardProcess, stopLogyardProcess } from '../support/processes';
import { makeOutgoingRecords, RetryingSender } from '../support/retrying-sender';

const DATABASE = 'logyard';
const BATCH = 200;
const LAG_GAUGE = /^logyard_query_replica_lag_seconds (\S+)$/m;

/**
 * Queries on a real streaming replica: a primary and a replica of the test's
 * own (see PostgresReplicaPair), Logyard writing to the primary
 * (DATABASE_URL) and reading from the replica (QUERY_DATABASE_URL). The
 * machine's RabbitMQ carries the records on a prefix of the test's own.
 */
describe('replica: queries read from a PostgreSQL streaming replica', () => {
  let pair: PostgresReplicaPair | undefined;
  let world: TestEnvironment | undefined;
  let logyard: (WatchedProcess & { url: string }) | undefined;

  beforeAll(async () => {
    pair = await PostgresReplicaPair.start();
    world = createTestEnvironment({
      DATABASE_URL: pair.primary.url(DATABASE),
      QUERY_DATABASE_URL: pair.replica.url(DATABASE),
    });
    logyard = await startLogyardProcess('all', world.env, await unusedPort());
  });

  afterAll(async () => {
    if (logyard) await stopLogyardProcess(logyard).catch(() => undefined);
    await world?.dispose().catch(() => undefined);
    await pair?.destroy();
  });

  async function send(tag: string): Promise<void> {
    await new RetryingSender(() => logyard!.url, makeOutgoingRecords(BATCH, tag), { chunk: 50 }).run();
  }

  /** Records of `tag` that GET /api/logs answers (the replica's view). */
  async function queried(tag: string): Promise<number> {
    const params = new URLSearchParams({ 'attr.tag': tag, limit: '1000', from: 'now-1h' });
    const { status, body } = await request<{ items: unknown[] }>(`${logyard!.url}/api/logs?${params}`);
    if (status !== 200) throw new Error(`GET /api/logs answered ${status}: ${JSON.stringify(body)}`);
    return body.items.length;
  }

  /** Rows of `tag` on the primary, and how many distinct ids they have. */
  async function stored(tag: string): Promise<{ rows: number; ids: number }> {
    const counts = await scalar<{ rows: string; ids: string }>(
      pair!.primary.url(DATABASE),
      `SELECT json_build_object('rows', count(*), 'ids', count(DISTINCT id)) FROM logs WHERE attributes->>'tag' = $1`,
      [tag],
    );
    return { rows: Number(counts?.rows), ids: Number(counts?.ids) };
  }

  async function lag(): Promise<number> {
    const text = await (await fetch(`${logyard!.url}/metrics`)).text();
    return Number(LAG_GAUGE.exec(text)?.[1]);
  }

  /** Query-pool connections (application_name logyard-query) to the archive database on `url`'s server. */
  function queryConnections(url: string): Promise<number | undefined> {
    return scalar<number>(
      url,
      `SELECT count(*)::int FROM pg_stat_activity WHERE application_name = 'logyard-query' AND datname = $1`,
      [DATABASE],
    );
  }

  it('starts an archiver whose replica has not replayed its new database yet, once it has', async () => {
    const late = createTestEnvironment({
      DATABASE_URL: pair!.primary.url('logyard_late'),
      QUERY_DATABASE_URL: pair!.replica.url('logyard_late'),
    });
    const replica = pair!.replica.url('postgres');
    await scalar(replica, 'SELECT pg_wal_replay_pause()');
    const starting = startLogyardProcess('archiver', late.env, await unusedPort());
    try {
      await waitFor('the migrated archive on the primary', () =>
        scalar(pair!.primary.url('logyard_late'), `SELECT to_regclass('logs') IS NOT NULL`),
      );
      await scalar(replica, 'SELECT pg_wal_replay_resume()');
      await stopLogyardProcess(await starting);
    } finally {
      await scalar(replica, 'SELECT pg_wal_replay_resume()');
      await starting.then(stopLogyardProcess, () => undefined);
      await late.dispose();
    }
  });

  it('answers GET /api/logs from the replica, not the primary', async () => {
    await send('before');
    await waitFor('the first records on the replica', async () => (await queried('before')) === BATCH);
    expect(await queryConnections(pair!.replica.url('postgres'))).toBeGreaterThan(0);
    expect(await queryConnections(pair!.primary.url('postgres'))).toBe(0);
    expect(await scalar(pair!.replica.url(DATABASE), 'SELECT pg_is_in_recovery()')).toBe(true);
  });

  it('shows the replica lag in /metrics: 0 when caught up, growing while replay is paused', async () => {
    await waitFor('no lag when caught up', async () => (await lag()) === 0);
    const replica = pair!.replica.url(DATABASE);
    await scalar(replica, 'SELECT pg_wal_replay_pause()');
    try {
      await send('paused');
      await waitFor('the records on the primary', async () => (await stored('paused')).rows === BATCH);
      // The primary commits asynchronously (synchronous_commit = off): a committed row's WAL may still be in the
      // primary's buffers, not written, let alone sent, and a replica that has not received it is caught up, lag 0,
      // without it. The insert position covers every commit made so far; the write position (pg_current_wal_lsn)
      // may not.
      const written = await scalar<string>(
        pair!.primary.url(DATABASE),
        'SELECT pg_current_wal_insert_lsn()::text',
      );
      await waitFor('the records received by the replica', () =>
        scalar<boolean>(replica, 'SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn', [written]),
      );
      await waitFor('lag while the replica receives but does not replay', async () => (await lag()) > 0);
      // What the primary committed meanwhile is not on the replica yet: the answer is the replica's.
      expect(await queried('paused')).toBe(0);
    } finally {
      await scalar(replica, 'SELECT pg_wal_replay_resume()');
    }
    await waitFor('the lag to close after replay resumed', async () => (await lag()) === 0);
    expect(await queried('paused')).toBe(BATCH);
  });

  it('answers queries while the primary is down, and stores what came meanwhile once it is back', async () => {
    await pair!.stopPrimary();
    try {
      // Only the replica can answer now.
      expect(await queried('before')).toBe(BATCH);
      // The collector still accepts: the records wait in RabbitMQ until the archiver can write again.
      await send('during');
      expect(await lag()).toBe(0);
    } finally {
      await pair!.startPrimary();
    }
    await send('after');
    for (const tag of ['during', 'after']) {
      await waitFor(`the ${tag} records on the replica`, async () => (await queried(tag)) === BATCH, {
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      expect(await stored(tag)).toEqual({ rows: BATCH, ids: BATCH });
    }
    expect(await stored('before')).toEqual({ rows: BATCH, ids: BATCH });
  });
});
