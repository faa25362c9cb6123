import { LogQuery } from '@logyard/contracts';
import { Pool } from 'pg';
import { createArchivePool, createQueryPool, LogQueryRepository } from '@logyard/db';
import { createMediumDatabase, MediumDatabase } from './medium-database';

/** A query with no filter at all; a spec passes only the fields its case is about. */
export function logQuery(overrides: Partial<LogQuery> = {}): LogQuery {
  return { hosts: [], services: [], severities: [], attributes: {}, limit: 100, ...overrides };
}

/** A medium spec's own migrated archive: the archiver's pool to write, the read path under test to read. */
export interface MediumArchive {
  database: MediumDatabase;
  writes: Pool;
  reads: LogQueryRepository;
  close(): Promise<void>;
}

/** One query connection with a 10 s timeout: a spec's reads are few, and a slow machine must not fail them. */
export async function createMediumArchive(): Promise<MediumArchive> {
  const database = await createMediumDatabase();
  const writes = createArchivePool(database.url);
  const reads = new LogQueryRepository(
    createQueryPool({ url: database.url, poolSize: 1, timeoutMs: 10_000 }),
    10_000,
    1,
  );
  return {
    database,
    writes,
    reads,
    close: async () => {
      await reads.close();
      await writes.end();
      await database.drop();
    },
  };
}
