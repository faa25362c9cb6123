import {
  createDayPartitionSql,
  dayPartitionName,
  parsePartitionName,
  severityPartitionName,
  startOfUtcDay,
} from './partitions';

describe(dayPartitionName.name, () => {
  it('names a day partition by its UTC date', () => {
    expect(dayPartitionName(startOfUtcDay(new Date('2026-11-24T23:59:59.999Z')))).toBe('logs_20261124');
  });

  it('round-trips through parsePartitionName', () => {
    const day = new Date('2026-02-03T00:00:00Z');
    expect(parsePartitionName(severityPartitionName(day, 'debug'))).toEqual({ day, severity: 'debug' });
    expect(parsePartitionName(dayPartitionName(day))).toEqual({ day, severity: undefined });
    expect(parsePartitionName('logs_default')).toBeNull();
    expect(parsePartitionName('logs_20260203_loud')).toBeNull();
  });
});

describe(createDayPartitionSql.name, () => {
  it('creates six severity sub-partitions and moves rows out of the default before attaching', () => {
    const sut = createDayPartitionSql(new Date('2026-11-24T00:00:00Z'));
    expect(sut.filter((s) => s.includes('FOR VALUES IN'))).toHaveLength(6);
    expect(sut.at(-1)).toBe(
      "ALTER TABLE logs ATTACH PARTITION logs_20261124 FOR VALUES FROM ('2026-11-24T00:00:00.000Z') TO ('2026-11-25T00:00:00.000Z')",
    );
    expect(sut.findIndex((s) => s.startsWith('DELETE FROM logs_default'))).toBeLessThan(sut.length - 1);
  });
});
