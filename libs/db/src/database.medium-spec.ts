import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import {
  createMediumDatabase,
  dropDatabase,
  MediumDatabase,
  PG_SERVER_URL,
  TEST_DATABASE_STEM,
} from '@logyard/testing';
import { connectAndMigrate, createArchivePool, inTransaction } from './database';
import { MIGRATIONS } from './migrations';

/** The database module's start and its transaction helper on a real PostgreSQL. */
describe('database: connectAndMigrate, inTransaction', () => {
  it('lets archivers start at once on a database that does not exist yet: created once, migrated once', async () => {
    const name = `${TEST_DATABASE_STEM}${randomBytes(4).toString('hex')}`;
    const url = `${PG_SERVER_URL}/${name}`;
    const pools = [createArchivePool(url), createArchivePool(url), createArchivePool(url)];
    try {
      await Promise.all(pools.map((pool) => connectAndMigrate(pool, url)));
      // A restart finds nothing left to do.
      await connectAndMigrate(pools[0], url);
      const { rows } = await pools[0].query<{ name: string }>(
        'SELECT name FROM logyard_migrations ORDER BY id',
      );
      expect(rows.map((row) => row.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await dropDatabase(name);
    }
  });

  describe(inTransaction.name, () => {
    let database: MediumDatabase;
    let pool: Pool;

    beforeAll(async () => {
      database = await createMediumDatabase();
      pool = createArchivePool(database.url, 1);
      await pool.query('CREATE TABLE notes (text text)');
    });

    afterAll(async () => {
      await pool?.end();
      await database?.drop();
    });

    it('commits what the work did', async () => {
      expect(
        await inTransaction(pool, (client) => client.query("INSERT INTO notes VALUES ('kept')")),
      ).toBeDefined();
      expect((await pool.query('SELECT text FROM notes')).rows).toEqual([{ text: 'kept' }]);
    });

    it('rolls back all of it when the work throws, and hands back a connection in working order', async () => {
      const failed = inTransaction(pool, async (client) => {
        await client.query("INSERT INTO notes VALUES ('lost')");
        throw new Error('halfway');
      });
      await expect(failed).rejects.toThrow('halfway');
      // The pool holds one connection: this statement runs on the one the transaction used.
      expect((await pool.query('SELECT text FROM notes ORDER BY text')).rows).toEqual([{ text: 'kept' }]);
    });
  });
});
