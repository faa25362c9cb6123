import { randomBytes } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { migrationsFingerprint } from '@logyard/db';
import {
  dropDatabase,
  mediumTemplateName,
  PG_SERVER_URL,
  TEST_DATABASE_STEM,
  withServerClient,
} from './databases';

/** A migrated database of one medium spec file, copied from the template (docs/design.md §11). */
export interface MediumDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Copies the medium template (test/medium-global-setup.ts made it) into a database of this spec file's own,
 * named like every test database so that a killed run's copy is cleaned up by the next.
 */
export async function createMediumDatabase(): Promise<MediumDatabase> {
  const name = `${TEST_DATABASE_STEM}${randomBytes(4).toString('hex')}`;
  const template = mediumTemplateName(migrationsFingerprint());
  await withServerClient((client) =>
    client.query(`CREATE DATABASE ${escapeIdentifier(name)} TEMPLATE ${escapeIdentifier(template)}`),
  );
  return { name, url: `${PG_SERVER_URL}/${name}`, drop: () => dropDatabase(name) };
}
