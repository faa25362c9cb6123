import { Severity, SEVERITIES } from '@logyard/contracts';
import { addDays, dayPartitionName, severityPartitionName, stragglersPartitionName } from '@logyard/db';
import { planRetention } from './retention.policy';

const TODAY = new Date('2026-11-24T00:00:00Z');
const DAYS: Record<Severity, number> = { trace: 14, debug: 2, info: 14, warn: 14, error: 90, fatal: 14 };

/** Every partition of a fully created day, as PartitionRepository.list() names them. */
function wholeDay(daysAgo: number): string[] {
  const day = addDays(TODAY, -daysAgo);
  return [dayPartitionName(day), ...SEVERITIES.map((s) => severityPartitionName(day, s))];
}

describe(planRetention.name, () => {
  it('keeps every day not wholly older than the shortest retention', () => {
    const sut = planRetention([...wholeDay(-3), ...wholeDay(0), ...wholeDay(1), ...wholeDay(2)], TODAY, DAYS);
    expect(sut).toMatchObject({ dropDays: [], dropSeverities: [] });
  });

  it('drops each severity table whose whole day is older than that severity keeps', () => {
    const sut = planRetention([...wholeDay(3), ...wholeDay(14), ...wholeDay(15)], TODAY, DAYS);
    expect(sut.dropDays).toEqual([]);
    expect(sut.dropSeverities).toEqual([
      'logs_20261109_debug',
      'logs_20261109_fatal',
      'logs_20261109_info',
      'logs_20261109_trace',
      'logs_20261109_warn',
      'logs_20261110_debug',
      'logs_20261121_debug',
    ]);
  });

  it('drops a day whole once every severity has expired, and keeps the one day before', () => {
    const sut = planRetention([...wholeDay(90), ...wholeDay(91), ...wholeDay(400)], TODAY, DAYS);
    expect(sut.dropDays).toEqual(['logs_20251020', 'logs_20260825']);
    expect(sut.dropSeverities).toEqual(
      [...SEVERITIES]
        .filter((s) => s !== 'error')
        .map((s) => `logs_20260826_${s}`)
        .sort(),
    );
  });

  it('drops what is left of a partly dropped day, including its default sub-partition', () => {
    const day = addDays(TODAY, -91);
    const sut = planRetention(
      [dayPartitionName(day), severityPartitionName(day, 'error'), stragglersPartitionName(day)],
      TODAY,
      DAYS,
    );
    expect(sut).toMatchObject({ dropDays: ['logs_20260825'], dropSeverities: [] });
  });

  it('applies one RETENTION_DAYS to every severity alike', () => {
    const days = Object.fromEntries(SEVERITIES.map((s) => [s, 14])) as Record<Severity, number>;
    const sut = planRetention([...wholeDay(14), ...wholeDay(15)], TODAY, days);
    expect(sut).toMatchObject({ dropDays: ['logs_20261109'], dropSeverities: [] });
  });

  it('leaves names it did not make alone', () => {
    const sut = planRetention(['logs_19990101_loud', 'audit_19990101', 'logs_19990101x'], TODAY, DAYS);
    expect(sut).toMatchObject({ dropDays: [], dropSeverities: [] });
  });

  it('expires rows before the UTC midnight N days back, per severity', () => {
    const { cutoffs } = planRetention([], TODAY, DAYS);
    expect(cutoffs).toEqual({
      trace: new Date('2026-11-10T00:00:00Z'),
      debug: new Date('2026-11-22T00:00:00Z'),
      info: new Date('2026-11-10T00:00:00Z'),
      warn: new Date('2026-11-10T00:00:00Z'),
      error: new Date('2026-08-26T00:00:00Z'),
      fatal: new Date('2026-11-10T00:00:00Z'),
    });
  });
});
