import {
  isSeverity,
  parseSeverity,
  Severity,
  SEVERITIES,
  severitiesAtLeast,
  SEVERITY_NUMBER,
  severityFromNumber,
  SeverityScale,
} from './severity';

describe(parseSeverity.name, () => {
  it('refuses a value longer than any severity before reading it, padded names still read', () => {
    expect(parseSeverity(` ${'error'.padEnd(60)} `)).toEqual({ ok: true, value: 'error' });
    expect(parseSeverity('error'.padEnd(65)).ok).toBe(false);
    expect(parseSeverity('1'.repeat(100_000)).ok).toBe(false);
  });

  it.each(SEVERITIES.map((s) => [s]))('accepts the canonical name %s', (name) => {
    expect(parseSeverity(name)).toEqual({ ok: true, value: name });
  });

  it.each<[string, Severity]>([
    ['verbose', 'trace'],
    ['finest', 'trace'],
    ['fine', 'debug'],
    ['log', 'info'],
    ['information', 'info'],
    ['informational', 'info'],
    ['notice', 'info'],
    ['warning', 'warn'],
    ['err', 'error'],
    ['critical', 'fatal'],
    ['crit', 'fatal'],
    ['alert', 'fatal'],
    ['emerg', 'fatal'],
    ['emergency', 'fatal'],
    ['panic', 'fatal'],
  ])('accepts the alias %s as %s', (alias, expected) => {
    expect(parseSeverity(alias)).toEqual({ ok: true, value: expected });
  });

  it.each([['ERR'], [' Warning '], ['INFO'], ['\tFatal\n']])('is case-insensitive and trims %j', (input) => {
    expect(parseSeverity(input).ok).toBe(true);
  });

  it.each<[number, Severity]>([
    [10, 'trace'],
    [20, 'debug'],
    [30, 'info'],
    [40, 'warn'],
    [50, 'error'],
    [60, 'fatal'],
  ])('reads pino level %d as %s with or without the pino scale, as number or string', (level, expected) => {
    expect(parseSeverity(level)).toEqual({ ok: true, value: expected });
    expect(parseSeverity(String(level))).toEqual({ ok: true, value: expected });
    expect(parseSeverity(level, 'pino')).toEqual({ ok: true, value: expected });
    expect(parseSeverity(String(level), 'pino')).toEqual({ ok: true, value: expected });
  });

  const otel: [number, Severity][] = [];
  for (let n = 1; n <= 24; n++) otel.push([n, SEVERITIES[Math.floor((n - 1) / 4)]]);

  it.each(otel)('reads OpenTelemetry severity number %d as %s on the otel scale', (n, expected) => {
    expect(parseSeverity(n, 'otel')).toEqual({ ok: true, value: expected });
    expect(parseSeverity(String(n), 'otel')).toEqual({ ok: true, value: expected });
  });

  it.each(otel.filter(([n]) => n !== 10 && n !== 20))(
    'reads %d as an OpenTelemetry number (%s) without a scale',
    (n, expected) => {
      expect(parseSeverity(n)).toEqual({ ok: true, value: expected });
    },
  );

  it('prefers pino for 10 and 20 without a scale, and OpenTelemetry with the otel scale', () => {
    expect(parseSeverity(10)).toEqual({ ok: true, value: 'trace' });
    expect(parseSeverity(20)).toEqual({ ok: true, value: 'debug' });
    expect(parseSeverity(10, 'otel')).toEqual({ ok: true, value: 'info' });
    expect(parseSeverity(20, 'otel')).toEqual({ ok: true, value: 'error' });
  });

  it.each<[number, Severity]>([
    [0, 'fatal'],
    [1, 'fatal'],
    [2, 'fatal'],
    [3, 'error'],
    [4, 'warn'],
    [5, 'info'],
    [6, 'info'],
    [7, 'debug'],
  ])('reads syslog severity %d as %s on the syslog scale', (n, expected) => {
    expect(parseSeverity(n, 'syslog')).toEqual({ ok: true, value: expected });
    expect(parseSeverity(String(n), 'syslog')).toEqual({ ok: true, value: expected });
  });

  it('still accepts names and aliases with a scale', () => {
    expect(parseSeverity('warning', 'syslog')).toEqual({ ok: true, value: 'warn' });
  });

  it.each<[unknown, SeverityScale | undefined]>([
    [8, 'syslog'],
    [-1, 'syslog'],
    [0, 'otel'],
    [25, 'otel'],
    [35, 'pino'],
    [5, 'pino'],
    [0, undefined],
    [25, undefined],
    [35, undefined],
    [70, undefined],
    [9.5, undefined],
    [NaN, undefined],
  ])('refuses %p on scale %s', (input, scale) => {
    expect(parseSeverity(input, scale).ok).toBe(false);
  });

  it('names the accepted values when refusing', () => {
    expect(parseSeverity('loud')).toEqual({
      ok: false,
      error:
        'severity "loud" is not recognised; use trace, debug, info, warn, error or fatal ' +
        '(or an alias such as warning, err, critical, a pino level 10-60, or an OpenTelemetry severity number 1-24)',
    });
  });

  it('names the scale that was asked for', () => {
    const refused = parseSeverity(9, 'syslog');
    expect(refused).toEqual({ ok: false, error: expect.stringContaining('syslog severity 0-7') });
    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/^severity 9 is not recognised/) });
  });

  it.each([
    [''],
    ['  '],
    [true],
    [null],
    [undefined],
    [{}],
    [[]],
    ['5.0'],
    ['-1'],
    ['constructor'],
    ['__proto__'],
  ])('refuses %p', (input) => {
    expect(parseSeverity(input)).toEqual({ ok: false, error: expect.stringContaining('is not recognised') });
  });
});

describe(severityFromNumber.name, () => {
  it.each(SEVERITIES.map((s) => [s]))('reads back the stored number of %s', (severity) => {
    expect(severityFromNumber(SEVERITY_NUMBER[severity])).toBe(severity);
  });

  it.each<[number, Severity]>([
    [4, 'trace'],
    [8, 'debug'],
    [12, 'info'],
    [16, 'warn'],
    [20, 'error'],
    [24, 'fatal'],
    [0, 'trace'],
    [99, 'fatal'],
  ])('maps %d to %s by the OpenTelemetry ranges, clamping the ends', (n, expected) => {
    expect(severityFromNumber(n)).toBe(expected);
  });

  it('throws on a non-finite number', () => {
    expect(() => severityFromNumber(NaN)).toThrow(RangeError);
  });
});

describe(isSeverity.name, () => {
  it('is true for canonical names only', () => {
    expect(isSeverity('error')).toBe(true);
    expect(isSeverity('err')).toBe(false);
    expect(isSeverity('ERROR')).toBe(false);
  });
});

describe(severitiesAtLeast.name, () => {
  it('lists the severities from the minimum up', () => {
    expect(severitiesAtLeast('warn')).toEqual(['warn', 'error', 'fatal']);
    expect(severitiesAtLeast('trace')).toEqual(SEVERITIES);
  });
});
