import { isSeverity, Severity, SEVERITIES, SEVERITY_NUMBER } from '@logyard/contracts';

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

/**
 * The day's default sub-partition. A day partition has none until retention
 * drops one of its severity tables while keeping the day for the others; from
 * then on it catches the late records of the dropped severities, which would
 * otherwise find no partition and be refused.
 */
export function stragglersPartitionName(day: Date): string {
  return `${dayPartitionName(day)}_default`;
}

/** What a partition of `logs` holds, read back from its name. */
export type PartitionName =
  | { kind: 'day'; day: Date }
  | { kind: 'severity'; day: Date; severity: Severity }
  | { kind: 'stragglers'; day: Date };

/**
 * Parses a partition name made by this module; null for anything else
 * (including `logs_default`). DDL splices only names that parse here.
 */
export function parsePartitionName(name: string): PartitionName | null {
  const match = /^logs_(\d{4})(\d{2})(\d{2})(?:_([a-z]+))?$/.exec(name);
  if (!match) return null;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (dayPartitionName(day) !== `logs_${match[1]}${match[2]}${match[3]}`) return null; // e.g. Feb 30
  const suffix = match[4];
  if (suffix === undefined) return { kind: 'day', day };
  if (suffix === 'default') return { kind: 'stragglers', day };
  return isSeverity(suffix) ? { kind: 'severity', day, severity: suffix } : null;
}

/**
 * DDL creating one day partition, sub-partitioned by severity. Rows that
 * already sit in the default partition for that day (late or early records
 * that arrived before the partition existed) are moved into it before it is
 * attached, since PostgreSQL refuses to attach over rows in the default. The
 * default partition is locked against writes first: a row committed between
 * the copy and the delete would be deleted uncopied, and one committed after
 * the delete would fail the attach.
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
    'LOCK TABLE logs_default IN EXCLUSIVE MODE',
    `INSERT INTO ${name} SELECT * FROM logs_default WHERE ts >= '${from}' AND ts < '${to}'`,
    `DELETE FROM logs_default WHERE ts >= '${from}' AND ts < '${to}'`,
    `ALTER TABLE logs ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`,
  ];
}

/**
 * Deletes the rollup counts (docs/design.md §5) of one day, or of one
 * severity of it, in the transaction that drops its rows: the counts of a
 * day's buckets are exactly its rows', since no minute or hour straddles
 * midnight UTC. (Deleted rows are uncounted by a trigger; a DROP fires none.)
 */
function uncountSql(day: Date, severity?: Severity): string[] {
  const ofSeverity = severity === undefined ? '' : ` AND severity = ${SEVERITY_NUMBER[severity]}`;
  return ['log_counts_minute', 'log_counts_hour'].map(
    (table) =>
      `DELETE FROM ${table} WHERE bucket >= '${day.toISOString()}' AND bucket < '${addDays(day, 1).toISOString()}'${ofSeverity}`,
  );
}

/** Drops a whole day partition and every sub-partition it still has, and their counts. */
export function dropDayPartitionSql(name: string): string[] {
  const parsed = parsePartitionName(name);
  if (parsed?.kind !== 'day') throw new RangeError(`${name} is not a day partition`);
  return [`DROP TABLE ${name}`, ...uncountSql(parsed.day)];
}

/**
 * Drops one (day, severity) table and its counts, and makes sure its day keeps a default
 * sub-partition, so a late record of that severity for that day still has a
 * place to go (and is removed by the next retention run if it has expired).
 */
export function dropSeverityPartitionSql(name: string): string[] {
  const parsed = parsePartitionName(name);
  if (parsed?.kind !== 'severity') throw new RangeError(`${name} is not a severity partition`);
  return [
    `DROP TABLE ${name}`,
    ...uncountSql(parsed.day, parsed.severity),
    `CREATE TABLE IF NOT EXISTS ${stragglersPartitionName(parsed.day)} PARTITION OF ${dayPartitionName(parsed.day)} DEFAULT`,
  ];
}

/** What retention removes in one run, decided by the archiver's policy from the partitions that exist. */
export interface RetentionPlan {
  /** Day partitions every severity of which has expired. */
  dropDays: string[];
  /** (day, severity) tables of days kept for other severities. */
  dropSeverities: string[];
  /** Rows of each severity older than this are expired wherever they are (default partitions). */
  cutoffs: Record<Severity, Date>;
}
