import {
  createDayPartitionSql,
  dayPartitionName,
  dropDayPartitionSql,
  dropSeverityPartitionSql,
  parsePartitionName,
  severityPartitionName,
  startOfUtcDay,
  stragglersPartitionName,
} from './partitions';

describe(dayPartitionName.name, () => {
  it('names a day partition by its UTC date', () => {
    expect(dayPartitionName(startOfUtcDay(new Date('2026-11-24T23:59:59.999Z')))).toBe('logs_20261124');
  });

  it('round-trips through parsePartitionName', () => {
    const day = new Date('2026-02-03T00:00:00Z');
    expect(parsePartitionName(severityPartitionName(day, 'debug'))).toEqual({
      kind: 'severity',
      day,
      severity: 'debug',
    });
    expect(parsePartitionName(dayPartitionName(day))).toEqual({ kind: 'day', day });
    expect(parsePartitionName(stragglersPartitionName(day))).toEqual({ kind: 'stragglers', day });
  });

  it.each([
    ['logs_default'],
    ['logs_20260203_loud'],
    ['logs_20260230'],
    ['logs_2026020'],
    ['logs_20260203_error; DROP TABLE logs'],
    ['other_20260203'],
  ])('parses %p as none of ours', (name) => {
    expect(parsePartitionName(name)).toBeNull();
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

describe(dropSeverityPartitionSql.name, () => {
  it('drops the table and its counts, and gives its day a default sub-partition for late records', () => {
    expect(dropSeverityPartitionSql('logs_20261101_debug')).toEqual([
      'DROP TABLE logs_20261101_debug',
      "DELETE FROM log_counts_minute WHERE bucket >= '2026-11-01T00:00:00.000Z' AND bucket < '2026-11-02T00:00:00.000Z' AND severity = 5",
      "DELETE FROM log_counts_hour WHERE bucket >= '2026-11-01T00:00:00.000Z' AND bucket < '2026-11-02T00:00:00.000Z' AND severity = 5",
      'CREATE TABLE IF NOT EXISTS logs_20261101_default PARTITION OF logs_20261101 DEFAULT',
    ]);
  });

  it.each([['logs_20261101'], ['logs_default'], ['logs_20261101_debug; DROP TABLE logs']])(
    'refuses to splice %p',
    (name) => {
      expect(() => dropSeverityPartitionSql(name)).toThrow(RangeError);
    },
  );
});

describe(dropDayPartitionSql.name, () => {
  it('drops a day partition with its sub-partitions and its counts', () => {
    expect(dropDayPartitionSql('logs_20261101')).toEqual([
      'DROP TABLE logs_20261101',
      "DELETE FROM log_counts_minute WHERE bucket >= '2026-11-01T00:00:00.000Z' AND bucket < '2026-11-02T00:00:00.000Z'",
      "DELETE FROM log_counts_hour WHERE bucket >= '2026-11-01T00:00:00.000Z' AND bucket < '2026-11-02T00:00:00.000Z'",
    ]);
  });

  it.each([['logs_20261101_debug'], ['logs_default'], ['logs'], ['logs_20261101 CASCADE']])(
    'refuses to splice %p',
    (name) => {
      expect(() => dropDayPartitionSql(name)).toThrow(RangeError);
    },
  );
});
