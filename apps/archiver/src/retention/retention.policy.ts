import { Severity, SEVERITIES } from '@logyard/contracts';
import { addDays, parsePartitionName, RetentionPlan } from '@logyard/db';

/**
 * Decides what retention removes, from the partitions that exist. With N days
 * for a severity, a day is expired for it once the whole day is older than N
 * days: the day starts before `today - N` (UTC midnights), so at least N full
 * days are always kept. An expired (day, severity) table is dropped; a day
 * every severity of which has expired is dropped whole (with whatever
 * sub-partitions it still has). Rows are expired by the same rule — ts before
 * their severity's cutoff — which is what applies to the stragglers in default
 * partitions. Names this module did not make are left alone.
 */
export function planRetention(
  partitions: readonly string[],
  today: Date,
  days: Record<Severity, number>,
): RetentionPlan {
  const cutoffs = Object.fromEntries(SEVERITIES.map((s) => [s, addDays(today, -days[s])])) as Record<
    Severity,
    Date
  >;
  const expiredFor = (day: Date) => SEVERITIES.filter((s) => day < cutoffs[s]);
  const dropDays: string[] = [];
  const dropSeverities: string[] = [];
  const parsed = partitions.flatMap((name) => {
    const partition = parsePartitionName(name);
    return partition ? [{ name, ...partition }] : [];
  });
  for (const partition of parsed) {
    const expired = expiredFor(partition.day);
    if (partition.kind === 'day' && expired.length === SEVERITIES.length) dropDays.push(partition.name);
    if (
      partition.kind === 'severity' &&
      expired.includes(partition.severity) &&
      expired.length < SEVERITIES.length
    ) {
      dropSeverities.push(partition.name);
    }
  }
  return { dropDays: dropDays.sort(), dropSeverities: dropSeverities.sort(), cutoffs };
}
