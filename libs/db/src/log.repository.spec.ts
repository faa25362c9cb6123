import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { Pool } from 'pg';
import { makeRecord } from '@logyard/contracts';
import { LogRepository } from './log.repository';

/** How the fake COPY ends: with `rows` stored, or with `error` (a PostgreSQL error carries a SQLSTATE code). */
type CopyEnding = { rows: number } | { error: Error & { code?: string } };

/** A COPY … FROM STDIN stream as pg-copy-streams gives it: takes the text, then succeeds or fails at the end. */
class FakeCopy extends Writable {
  rowCount = 0;
  text = '';

  constructor(private readonly ending: CopyEnding) {
    super();
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }

  override _final(done: (error?: Error) => void): void {
    if ('error' in this.ending) return done(this.ending.error);
    this.rowCount = this.ending.rows;
    done();
  }
}

/** A checked-out connection; `lose` makes it report a lost connection mid-COPY, as pg does, by an 'error' event. */
class FakeClient extends EventEmitter {
  released?: { broken: Error | boolean | undefined };
  copies: FakeCopy[] = [];

  constructor(
    private readonly ending: CopyEnding,
    private readonly lose?: Error,
  ) {
    super();
  }

  query(): FakeCopy {
    const copy = new FakeCopy(this.ending);
    this.copies.push(copy);
    if (this.lose) queueMicrotask(() => this.emit('error', this.lose));
    return copy;
  }

  release(broken?: Error | boolean): void {
    this.released = { broken };
  }
}

function fakePool(client: FakeClient, inserted = 0) {
  const statements: { sql: string; values?: unknown[] }[] = [];
  const pool = {
    connect: async () => client,
    query: async (sql: string, values?: unknown[]) => {
      statements.push({ sql, values });
      return { rowCount: inserted, rows: [] };
    },
  } as unknown as Pool;
  return { pool, statements };
}

const pgError = (code: string, message = `SQLSTATE ${code}`) => Object.assign(new Error(message), { code });

describe(LogRepository.name, () => {
  const records = [makeRecord(), makeRecord({ message: 'tab\there' })];

  it('writes a batch with COPY, resolving to the rows stored, and releases the connection as sound', async () => {
    const client = new FakeClient({ rows: 2 });
    const { pool, statements } = fakePool(client);

    expect(await new LogRepository(pool).insertBatch(records)).toBe(2);

    expect(statements).toEqual([]);
    expect(client.copies[0].text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(client.copies[0].text).toContain('tab\\there');
    expect(client.released).toEqual({ broken: undefined });
    expect(client.listenerCount('error')).toBe(0);
  });

  it('falls back to INSERT … ON CONFLICT DO NOTHING when COPY meets a stored record (23505)', async () => {
    const client = new FakeClient({
      error: pgError('23505', 'duplicate key value violates unique constraint'),
    });
    const { pool, statements } = fakePool(client, 1);

    expect(await new LogRepository(pool).insertBatch(records)).toBe(1);

    expect(statements).toHaveLength(1);
    expect(statements[0].sql).toMatch(/INSERT INTO logs[\s\S]*unnest[\s\S]*ON CONFLICT DO NOTHING/);
    // One array per column, each as long as the batch: a single statement whatever the batch size.
    expect(statements[0].values).toHaveLength(10);
    expect(statements[0].values![0]).toEqual(records.map((record) => record.id));
    // A refused COPY leaves its connection sound.
    expect(client.released).toEqual({ broken: undefined });
  });

  it.each([
    [
      'does not fall back for data PostgreSQL refuses otherwise, and keeps the connection',
      pgError('22P05', 'unsupported Unicode escape sequence'),
      false,
    ],
    [
      'releases the connection as broken when the COPY failed for any other reason',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      true,
    ],
  ])('%s; the error goes to the caller', async (_, error, broken) => {
    const client = new FakeClient({ error });
    const { pool, statements } = fakePool(client);

    await expect(new LogRepository(pool).insertBatch(records)).rejects.toBe(error);

    expect(statements).toEqual([]);
    expect(client.released).toEqual({ broken: broken ? error : undefined });
  });

  it("releases the connection as broken when it reported a lost connection by an 'error' event", async () => {
    const lost = new Error('Connection terminated unexpectedly');
    const client = new FakeClient({ rows: 2 }, lost);
    const { pool } = fakePool(client);

    expect(await new LogRepository(pool).insertBatch(records)).toBe(2);

    expect(client.released).toEqual({ broken: lost });
    expect(client.listenerCount('error')).toBe(0);
  });

  it('takes no connection for an empty batch', async () => {
    const pool = { connect: jest.fn(), query: jest.fn() } as unknown as Pool;
    expect(await new LogRepository(pool).insertBatch([])).toBe(0);
    expect(pool.connect).not.toHaveBeenCalled();
  });
});
