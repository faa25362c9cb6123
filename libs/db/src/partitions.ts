import { Severity, SEVERITIES, SEVERITY_NUMBER } from '@logyard/contracts';

const DAY_MS = 86_400_000;

/** UTC midnight of the day containing `date`. */
export function startOfUtcDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** `logs_20261124` for the day partition starting at `day`. */
export function dayPartitionName(day: Date): string {
  return `logs_${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export function severityPartitionName(day: Date, severity: Severity): string {
  return `${dayPartitionName(day)}_${severity}`;
}

/** Parses a partition name back into its day and optional severity; null for anything else. */
export function parsePartitionName(name: string): { day: Date; severity?: Severity } | null {
  const match = /^logs_(\d{4})(\d{2})(\d{2})(?:_([a-z]+))?$/.exec(name);
  if (!match) return null;
  const severity = match[4] as Severity | undefined;
  if (severity !== undefined && !SEVERITIES.includes(severity)) return null;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return { day, severity };
}

/**
 * DDL creating one day partition, sub-partitioned by severity. Rows that
 * already sit in the default partition for that day (late or early records
 * that arrived before the partition existed) are moved into it before it is
 * attached, since PostgreSQL refuses to attach over rows in the default.
 */
export function createDayPartitionSql(day: Date): string[] {
  const name = dayPartitionName(day);
  const from = day.toISOString();
  const to = addDays(day, 1).toISOString();
  return [
    `CREATE TABLE ${name} (LIKE logs INCLUDING DEFAULTS) PARTITION BY LIST (severity)`,
    ...SEVERITIES.map(
      (s) =>
        `CREATE TABLE ${severityPartitionName(day, s)} PARTITION OF ${name} FOR VALUES IN (${SEVERITY_NUMBER[s]})`,
    ),
    `INSERT INTO ${name} SELECT * FROM logs_default WHERE ts >= '${from}' AND ts < '${to}'`,
    `DELETE FROM logs_default WHERE ts >= '${from}' AND ts < '${to}'`,
    `ALTER TABLE logs ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`,
  ];
}
