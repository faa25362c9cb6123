import { Client } from 'pg';

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

  async close(): Promise<void> {
    await this.client.end();
  }
}
