import { Client } from 'pg';
import type { LogRow } from '@logyard/db';
import { waitFor } from './wait-for';

/**
 * A row of `logs` as `SELECT *` returns it through pg: the timestamps parsed to Date, where the
 * repository's LogRow selects them as text to keep the microseconds.
 */
export type StoredLog = Omit<LogRow, 'ts' | 'observed_ts'> & { ts: Date; observed_ts: Date };

/** A plain pg client on a test database, for assertions that count rows. */
export class DatabaseProbe {
  private readonly client: Client;

  private constructor(url: string) {
    this.client = new Client({ connectionString: url });
  }

  static async open(url: string): Promise<DatabaseProbe> {
    const probe = new DatabaseProbe(url);
    await probe.client.connect();
    return probe;
  }

  async scalar<T = number>(sql: string, values: unknown[] = []): Promise<T> {
    const { rows } = await this.client.query(sql, values);
    const value = Object.values(rows[0] ?? {})[0];
    return (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value) as T;
  }

  async rows<T extends object>(sql: string, values: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, values)).rows as T[];
  }

  /** Every stored record of `service`, oldest first (message breaks a tie in ts). */
  async logsOf(service: string): Promise<StoredLog[]> {
    return this.rows<StoredLog>('SELECT * FROM logs WHERE service = $1 ORDER BY ts, message', [service]);
  }

  /** Waits until exactly `count` records of `service` are stored, and returns them as logsOf does. */
  async archived(service: string, count: number): Promise<StoredLog[]> {
    return waitFor(`${count} records of ${service}`, async () => {
      const found = await this.logsOf(service);
      return found.length === count && found;
    });
  }

  /** Waits until `logs` holds exactly `count` records, as after seeding a suite. */
  async awaitCount(count: number): Promise<void> {
    await waitFor(
      `${count} records stored`,
      async () => (await this.scalar('SELECT count(*) FROM logs')) === count,
    );
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
