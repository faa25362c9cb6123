import { ConfigError, loadConfig, LogyardConfig, redactUrl } from './config';

const MIB = 1024 * 1024;

/** The ConfigError loadConfig throws for `env`, failing the test if it returns instead. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig.name, () => {
  it('defaults every variable as DESIGN §8 says', () => {
    const expected: LogyardConfig = {
      amqp: { url: 'amqp://guest:guest@127.0.0.1:5672', prefix: 'logyard', queueType: 'classic' },
      database: { url: 'postgres://postgres@127.0.0.1:5432/logyard' },
      http: { port: undefined, bodyLimitBytes: 10 * MIB },
      syslog: {
        port: 5514,
        host: '0.0.0.0',
        lingerMs: 500,
        tcp: { maxConnections: 1000, idleTimeoutMs: 300_000, bufferBytes: 65536 + 8192 },
      },
      records: { maxMessageBytes: 65536, maxPerMessage: 1000 },
      retention: { days: { trace: 14, debug: 14, info: 14, warn: 14, error: 14, fatal: 14 } },
      auth: { ingestTokens: [], queryTokens: [] },
      collector: { confirmTimeoutMs: 10_000 },
      router: { prefetch: 256, batchRecords: 4000, flushMs: 25 },
      archiver: { prefetch: 64, batchRecords: 5000, flushMs: 200, writers: 2, partitionDaysAhead: 3 },
    };
    expect(loadConfig({})).toEqual(expected);
  });

  it('reads each variable it is given', () => {
    const sut = loadConfig({
      AMQP_URL: 'amqp://u:p@rabbit:5673',
      AMQP_PREFIX: 'test-run_7',
      QUEUE_TYPE: 'quorum',
      DATABASE_URL: 'postgres://u:p@pg:5433/other',
      PORT: '8080',
      SYSLOG_PORT: '1514',
      SYSLOG_HOST: '127.0.0.1',
      SYSLOG_LINGER_MS: '50',
      SYSLOG_TCP_MAX_CONNECTIONS: '20',
      SYSLOG_TCP_IDLE_TIMEOUT_MS: '60000',
      SYSLOG_TCP_BUFFER_BYTES: '256kb',
      MAX_MESSAGE_BYTES: '1024',
      MAX_BATCH_RECORDS: '250',
      ARCHIVER_BATCH_RECORDS: '100',
      ARCHIVER_FLUSH_MS: '50',
      ARCHIVER_WRITERS: '3',
    });
    expect(sut.amqp).toEqual({ url: 'amqp://u:p@rabbit:5673', prefix: 'test-run_7', queueType: 'quorum' });
    expect(sut.database).toEqual({ url: 'postgres://u:p@pg:5433/other' });
    expect(sut.http.port).toBe(8080);
    expect(sut.syslog).toEqual({
      port: 1514,
      host: '127.0.0.1',
      lingerMs: 50,
      tcp: { maxConnections: 20, idleTimeoutMs: 60_000, bufferBytes: 256 * 1024 },
    });
    expect(sut.records).toEqual({ maxMessageBytes: 1024, maxPerMessage: 250 });
    expect(sut.archiver).toMatchObject({ batchRecords: 100, flushMs: 50, writers: 3 });
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ HOME: '/root', PATH: '/bin' })).toEqual(loadConfig({}));
  });

  describe('BODY_LIMIT', () => {
    it.each([
      ['1048576', 1_048_576],
      ['512kb', 512 * 1024],
      ['1mb', MIB],
      ['10MiB', 10 * MIB],
      ['2 GB', 2 * 1024 * MIB],
      ['100b', 100],
    ])('reads %p as %p bytes', (BODY_LIMIT, bytes) => {
      expect(loadConfig({ BODY_LIMIT }).http.bodyLimitBytes).toBe(bytes);
    });

    it.each([['lots'], ['10 parsecs'], ['-1mb'], ['1.5mb']])('refuses %p', (BODY_LIMIT) => {
      expect(configError({ BODY_LIMIT }).problems).toEqual([
        `BODY_LIMIT: "${BODY_LIMIT}" is not a size; use bytes or a unit such as 10mb`,
      ]);
    });
  });

  it('sizes the syslog TCP buffer for a whole MAX_MESSAGE_BYTES message and its header unless told', () => {
    expect(loadConfig({ MAX_MESSAGE_BYTES: '1000' }).syslog.tcp.bufferBytes).toBe(1000 + 8192);
  });

  describe('retention', () => {
    it('lets one severity keep its own days and the others follow RETENTION_DAYS', () => {
      expect(loadConfig({ RETENTION_DAYS_DEBUG: '2' }).retention.days).toEqual({
        trace: 14,
        debug: 2,
        info: 14,
        warn: 14,
        error: 14,
        fatal: 14,
      });
    });

    it('applies RETENTION_DAYS to every severity without an override', () => {
      expect(
        loadConfig({ RETENTION_DAYS: '30', RETENTION_DAYS_DEBUG: '2', RETENTION_DAYS_ERROR: '90' }).retention
          .days,
      ).toEqual({ trace: 30, debug: 2, info: 30, warn: 30, error: 90, fatal: 30 });
    });

    it.each([['RETENTION_DAYS'], ['RETENTION_DAYS_FATAL']])('refuses zero days in %s', (name) => {
      expect(configError({ [name]: '0' }).problems).toEqual([
        expect.stringMatching(new RegExp(`^${name}: `)),
      ]);
    });
  });

  it('reports every invalid variable in one ConfigError', () => {
    const sut = configError({ QUEUE_TYPE: 'mirrored', PORT: 'eighty', SYSLOG_PORT: '70000' });
    expect(sut.problems).toEqual([
      expect.stringMatching(/^QUEUE_TYPE: /),
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^SYSLOG_PORT: /),
    ]);
    expect(sut.message).toBe(`invalid configuration: ${sut.problems.join('; ')}`);
  });

  it.each([
    ['AMQP_URL', 'not a url'],
    ['DATABASE_URL', 'postgres://db:port/logyard'],
    ['AMQP_PREFIX', 'Logyard'],
    ['AMQP_PREFIX', '-logyard'],
    ['MAX_MESSAGE_BYTES', '-1'],
    ['ARCHIVER_FLUSH_MS', '2.5'],
    ['SYSLOG_HOST', 'localhost'],
    ['SYSLOG_TCP_MAX_CONNECTIONS', '0'],
    ['SYSLOG_TCP_BUFFER_BYTES', '0'],
    ['SYSLOG_TCP_BUFFER_BYTES', 'lots'],
  ])('refuses %s=%p, naming it', (name, value) => {
    expect(configError({ [name]: value }).problems).toEqual([
      expect.stringMatching(new RegExp(`^${name}: `)),
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(
      loadConfig({
        AMQP_URL: '',
        QUEUE_TYPE: '',
        PORT: '',
        BODY_LIMIT: '',
        RETENTION_DAYS: '',
        RETENTION_DAYS_DEBUG: '',
        INGEST_TOKENS: '',
        UNSET: undefined,
      }),
    ).toEqual(loadConfig({}));
  });

  it('treats whitespace-only values as unset', () => {
    expect(loadConfig({ PORT: ' ', SYSLOG_PORT: '  ' })).toMatchObject({
      http: { port: undefined },
      syslog: { port: 5514 },
    });
  });

  it('refuses connection URLs of the wrong scheme', () => {
    expect(() => loadConfig({ DATABASE_URL: 'localhost:5432', AMQP_URL: 'http://rabbit' })).toThrow(
      expect.objectContaining({
        problems: ['AMQP_URL: must be an amqp:// or amqps:// URL', 'DATABASE_URL: must be a postgres:// URL'],
      }),
    );
  });

  it('splits token lists on commas, trimming and dropping empty entries', () => {
    const sut = loadConfig({ INGEST_TOKENS: 'alpha, beta,,gamma ,', QUERY_TOKENS: 'reader' });
    expect(sut.auth).toEqual({ ingestTokens: ['alpha', 'beta', 'gamma'], queryTokens: ['reader'] });
  });
});

describe(redactUrl.name, () => {
  it.each([
    ['amqp://guest:guest@127.0.0.1:5672', 'amqp://guest:***@127.0.0.1:5672'],
    ['postgres://app:s3cr%40t@db.internal:5432/logyard', 'postgres://app:***@db.internal:5432/logyard'],
    ['amqps://user:pw@rabbit.example.com/vhost', 'amqps://user:***@rabbit.example.com/vhost'],
    ['postgres://u@h/db?password=secret', 'postgres://u@h/db?password=***'],
  ])('hides the password of %p', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([['postgres://postgres@127.0.0.1:5432/logyard'], ['amqp://127.0.0.1:5672']])(
    'leaves %p without a password unchanged',
    (url) => {
      expect(redactUrl(url)).toBe(url);
    },
  );
});
