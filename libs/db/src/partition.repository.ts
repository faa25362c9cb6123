import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { withSchemaLock } from './database';
import { createDayPartitionSql, dayPartitionName } from './partitions';

/** DDL on the partitions of `logs`; every change runs under the schema advisory lock. */
@Injectable()
export class PartitionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Names of every direct or nested partition of `logs`, except the default. */
  async list(): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_partition_tree('logs') t JOIN pg_class c ON c.oid = t.relid
        WHERE t.level > 0 AND c.relname <> 'logs_default'`,
    );
    return rows.map((row) => row.name);
  }

  /** Creates the day partitions that do not exist yet; returns the names created. */
  async ensureDays(days: Date[]): Promise<string[]> {
    return withSchemaLock(this.dataSource, async () => {
      const existing = new Set(await this.list());
      const created: string[] = [];
      for (const day of days) {
        const name = dayPartitionName(day);
        if (existing.has(name)) continue;
        await this.dataSource.transaction(async (manager) => {
          for (const statement of createDayPartitionSql(day)) await manager.query(statement);
        });
        created.push(name);
      }
      return created;
    });
  }
}
