import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { Pool } from 'pg';
import { makeRecord } from '@logyard/contracts';
import { isRefusedData, UnencodableBatchError } from './database';
import { LogRepository } from './log.repository';
import { sketchHours } from './substring-sketch';

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

/**
 * A checked-out connection: statements are recorded (an INSERT stores `inserted` rows), a COPY ends as
 * `ending` says; `lose` makes it report a lost connection mid-COPY, as pg does, by an 'error' event.
 */
class FakeClient extends EventEmitter {
  released?: { broken: Error | boolean | undefined };
  copies: FakeCopy[] = [];
  statements: { sql: string; values?: unknown[] }[] = [];

  constructor(
    private readonly ending: CopyEnding,
    private readonly options: { lose?: Error; inserted?: number } = {},
  ) {
    super();
  }

  query(statement: unknown, values?: unknown[]): unknown {
    if (typeof statement === 'string') {
      this.statements.push({ sql: statement.trim(), values });
      return Promise.resolve({
        rowCount: statement.includes('INSERT') ? this.options.inserted : null,
        rows: [],
      });
    }
    const copy = new FakeCopy(this.ending);
    this.copies.push(copy);
    this.statements.push({ sql: 'COPY' });
    if (this.options.lose) queueMicrotask(() => this.emit('error', this.options.lose));
    return copy;
  }

  release(broken?: Error | boolean): void {
    this.released = { broken };
  }
}

function fakePool(client: FakeClient): Pool {
  return {
    connect: async () => client,
    query: async () => Promise.reject(new Error('every write goes through a checked-out connection')),
  } as unknown as Pool;
}

/** The statements of a connection, shortened to their first words. */
const statementsOf = (client: FakeClient) =>
  client.statements.map(({ sql }) => sql.split(/\s+/, 2).join(' '));

const pgError = (code: string, message = `SQLSTATE ${code}`) => Object.assign(new Error(message), { code });

describe(LogRepository.name, () => {
  const records = [makeRecord(), makeRecord({ message: 'tab\there' })];

  it('writes a batch with COPY in a transaction that hands its sketches to the trigger, and releases the connection as sound', async () => {
    const client = new FakeClient({ rows: 2 });

    expect(await new LogRepository(fakePool(client)).insertBatch(records)).toBe(2);

    expect(statementsOf(client)).toEqual([
      'BEGIN',
      "SELECT set_config('logyard.sketches',",
      'COPY',
      'COMMIT',
    ]);
    expect(client.statements[1].values).toEqual([sketchHours(records)]);
    expect(client.copies[0].text.split('\n').filter(Boolean)).toHaveLength(2);
    expect(client.copies[0].text).toContain('tab\\there');
    expect(client.released).toEqual({ broken: undefined });
    expect(client.listenerCount('error')).toBe(0);
  });

  it('falls back to INSERT … ON CONFLICT DO NOTHING when COPY meets a stored record (23505)', async () => {
    const client = new FakeClient(
      { error: pgError('23505', 'duplicate key value violates unique constraint') },
      { inserted: 1 },
    );

    expect(await new LogRepository(fakePool(client)).insertBatch(records)).toBe(1);

    expect(statementsOf(client)).toEqual([
      ...['BEGIN', "SELECT set_config('logyard.sketches',", 'COPY', 'ROLLBACK'],
      ...['BEGIN', "SELECT set_config('logyard.sketches',", 'INSERT INTO', 'COMMIT'],
    ]);
    const insert = client.statements[6];
    expect(insert.sql).toMatch(/INSERT INTO logs[\s\S]*unnest[\s\S]*ON CONFLICT DO NOTHING/);
    // One array per column, each as long as the batch: a single statement whatever the batch size.
    expect(insert.values).toHaveLength(10);
    expect(insert.values![0]).toEqual(records.map((record) => record.id));
    // The retry carries the same sketch: its rows are as searchable as a COPY's.
    expect(client.statements[5].values).toEqual(client.statements[1].values);
    // A refused COPY leaves its connection sound.
    expect(client.released).toEqual({ broken: undefined });
  });

  it('does not fall back for data PostgreSQL refuses otherwise; the error goes to the caller', async () => {
    const refused = pgError('22P05', 'unsupported Unicode escape sequence');
    const client = new FakeClient({ error: refused });

    await expect(new LogRepository(fakePool(client)).insertBatch(records)).rejects.toBe(refused);

    expect(statementsOf(client)).toEqual([
      'BEGIN',
      "SELECT set_config('logyard.sketches',",
      'COPY',
      'ROLLBACK',
    ]);
    expect(client.released).toEqual({ broken: undefined });
  });

  it('releases the connection as broken, without a ROLLBACK on it, when the COPY failed for any other reason', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const client = new FakeClient({ error: reset });

    await expect(new LogRepository(fakePool(client)).insertBatch(records)).rejects.toBe(reset);

    expect(statementsOf(client)).toEqual(['BEGIN', "SELECT set_config('logyard.sketches',", 'COPY']);
    expect(client.released).toEqual({ broken: reset });
  });

  it("releases the connection as broken when it reported a lost connection by an 'error' event", async () => {
    const lost = new Error('Connection terminated unexpectedly');
    const client = new FakeClient({ rows: 2 }, { lose: lost });

    expect(await new LogRepository(fakePool(client)).insertBatch(records)).toBe(2);

    expect(client.released).toEqual({ broken: lost });
    expect(client.listenerCount('error')).toBe(0);
  });

  it('refuses, as data, a batch it cannot encode, and takes no connection for it', async () => {
    const pool = { connect: jest.fn(), query: jest.fn() } as unknown as Pool;
    // Any throw while encoding, as V8's for a batch longer than its longest string: here JSON's for a BigInt.
    const unencodable = [...records, makeRecord({ attributes: { count: 1n } })];

    const refused = await new LogRepository(pool).insertBatch(unencodable).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(UnencodableBatchError);
    expect(isRefusedData(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/^the batch cannot be encoded: .*BigInt/);
    expect(pool.connect).not.toHaveBeenCalled();
  });

  it('takes no connection for an empty batch', async () => {
    const pool = { connect: jest.fn(), query: jest.fn() } as unknown as Pool;
    expect(await new LogRepository(pool).insertBatch([])).toBe(0);
    expect(pool.connect).not.toHaveBeenCalled();
  });
});
