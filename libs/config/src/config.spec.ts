import { ConfigError, formatDuration, loadConfig, LogyardConfig, redactUrl } from './config';

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
      amqp: {
        urls: ['amqp://guest:guest@127.0.0.1:5672'],
        prefix: 'logyard',
        queueType: 'classic',
        deliveryLimit: 10,
      },
      database: { url: 'postgres://postgres@127.0.0.1:5432/logyard' },
      http: { port: undefined, bodyLimitBytes: 10 * MIB, corsOrigins: [] },
      syslog: {
        port: 5514,
        host: '0.0.0.0',
        lingerMs: 500,
        tcp: { maxConnections: 1000, idleTimeoutMs: 300_000, bufferBytes: 65536 + 8192 },
      },
      records: {
        maxMessageBytes: 65536,
        maxPerMessage: 1000,
        maxAttributeDepth: 32,
        maxAttributesBytes: 65536,
      },
      retention: { days: { trace: 14, debug: 14, info: 14, warn: 14, error: 14, fatal: 14 } },
      auth: { ingestTokens: [], queryTokens: [] },
      collector: { confirmTimeoutMs: 10_000, ingestRate: { bytesPerSecond: 16 * MIB, burstBytes: 64 * MIB } },
      router: { prefetch: 256, batchRecords: 4000, flushMs: 25 },
      archiver: { prefetch: 64, batchRecords: 5000, flushMs: 100, writers: 2, partitionDaysAhead: 3 },
      query: {
        databaseUrl: 'postgres://postgres@127.0.0.1:5432/logyard',
        poolSize: 5,
        timeoutMs: 10_000,
        maxRangeMs: 31 * 86_400_000,
        rpcMaxRequestBytes: 16 * 1024,
      },
      tail: { maxSessions: 100 },
      alerts: { maxRules: 1000 },
    };
    expect(loadConfig({})).toEqual(expected);
  });

  it('reads each variable it is given', () => {
    const sut = loadConfig({
      AMQP_URL: 'amqp://u:p@rabbit:5673',
      AMQP_PREFIX: 'test-run_7',
      QUEUE_TYPE: 'quorum',
      DELIVERY_LIMIT: '3',
      DATABASE_URL: 'postgres://u:p@pg:5433/other',
      PORT: '8080',
      SYSLOG_PORT: '1514',
      SYSLOG_HOST: '127.0.0.1',
      SYSLOG_LINGER_MS: '50',
      SYSLOG_TCP_MAX_CONNECTIONS: '20',
      SYSLOG_TCP_IDLE_TIMEOUT_MS: '60000',
      SYSLOG_TCP_BUFFER_BYTES: '256kb',
      MAX_MESSAGE_BYTES: '1024',
      MAX_ATTRIBUTE_DEPTH: '8',
      MAX_ATTRIBUTES_BYTES: '16kb',
      MAX_BATCH_RECORDS: '250',
      ARCHIVER_BATCH_RECORDS: '100',
      ARCHIVER_FLUSH_MS: '50',
      ARCHIVER_WRITERS: '3',
      QUERY_DATABASE_URL: 'postgres://u@replica/logyard',
      QUERY_POOL_SIZE: '3',
      QUERY_TIMEOUT: '250ms',
      QUERY_MAX_RANGE: '14d',
      RPC_MAX_REQUEST_BYTES: '4kb',
      TAIL_MAX_SESSIONS: '7',
    });
    expect(sut.amqp).toEqual({
      urls: ['amqp://u:p@rabbit:5673'],
      prefix: 'test-run_7',
      queueType: 'quorum',
      deliveryLimit: 3,
    });
    expect(sut.database).toEqual({ url: 'postgres://u:p@pg:5433/other' });
    expect(sut.http.port).toBe(8080);
    expect(sut.syslog).toEqual({
      port: 1514,
      host: '127.0.0.1',
      lingerMs: 50,
      tcp: { maxConnections: 20, idleTimeoutMs: 60_000, bufferBytes: 256 * 1024 },
    });
    expect(sut.records).toEqual({
      maxMessageBytes: 1024,
      maxPerMessage: 250,
      maxAttributeDepth: 8,
      maxAttributesBytes: 16 * 1024,
    });
    expect(sut.archiver).toMatchObject({ batchRecords: 100, flushMs: 50, writers: 3 });
    expect(sut.query).toEqual({
      databaseUrl: 'postgres://u@replica/logyard',
      poolSize: 3,
      timeoutMs: 250,
      maxRangeMs: 14 * 86_400_000,
      rpcMaxRequestBytes: 4096,
    });
    expect(sut.tail).toEqual({ maxSessions: 7 });
  });

  it('reads AMQP_URL as the comma-separated nodes of a cluster', () => {
    const sut = loadConfig({
      AMQP_URL: ' amqp://u:p@rabbit-1:5672, amqp://u:p@rabbit-2:5672 ,amqps://rabbit-3 ',
    });
    expect(sut.amqp.urls).toEqual([
      'amqp://u:p@rabbit-1:5672',
      'amqp://u:p@rabbit-2:5672',
      'amqps://rabbit-3',
    ]);
  });

  it.each([['amqp://rabbit-1,http://rabbit-2'], [','], ['amqp://rabbit-1,not a url']])(
    'refuses an AMQP_URL list with an item that is not an amqp URL: %s',
    (value) => {
      expect(configError({ AMQP_URL: value }).problems).toEqual([
        'AMQP_URL: must be an amqp:// or amqps:// URL, or a comma-separated list of them',
      ]);
    },
  );

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

    it.each([['lots'], ['10 parsecs'], ['-1mb'], ['1.5mb'], ['10constructor']])(
      'refuses %p',
      (BODY_LIMIT) => {
        expect(configError({ BODY_LIMIT }).problems).toEqual([
          `BODY_LIMIT: "${BODY_LIMIT}" is not a size; use bytes or a unit such as 10mb`,
        ]);
      },
    );
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
    ['MAX_ATTRIBUTE_DEPTH', '0'],
    ['MAX_ATTRIBUTES_BYTES', 'lots'],
    ['MAX_ATTRIBUTES_BYTES', '0'],
    ['ARCHIVER_FLUSH_MS', '2.5'],
    ['MAX_BATCH_RECORDS', '10001'],
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
        CORS_ORIGINS: '',
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
        problems: [
          'AMQP_URL: must be an amqp:// or amqps:// URL, or a comma-separated list of them',
          'DATABASE_URL: must be a postgres:// URL',
        ],
      }),
    );
  });

  describe('INGEST_TOKENS and QUERY_TOKENS', () => {
    const ALPHA = 'alpha-0123456789';
    const BETA = 'beta-01234567890';
    const READER = 'reader-012345678';

    it('splits token lists on commas, trimming and dropping empty entries', () => {
      const sut = loadConfig({ INGEST_TOKENS: ` ${ALPHA}, ${BETA},, ${READER} ,`, QUERY_TOKENS: READER });
      expect(sut.auth).toEqual({ ingestTokens: [ALPHA, BETA, READER], queryTokens: [READER] });
    });

    it('leaves a list that is not in the environment unset, which opens its endpoints', () => {
      expect(loadConfig({ UNSET: undefined }).auth).toEqual({ ingestTokens: [], queryTokens: [] });
    });

    it.each([['INGEST_TOKENS'], ['QUERY_TOKENS']])(
      'refuses %s set but naming no token, rather than running open',
      (name) => {
        for (const value of [' , ', ',', '', '   ']) {
          expect(configError({ [name]: value }).problems).toEqual([
            `${name}: is set but names no token; list tokens, or unset it to leave these endpoints open`,
          ]);
        }
      },
    );

    it.each([['INGEST_TOKENS'], ['QUERY_TOKENS']])(
      'refuses a token in %s shorter than 16 characters without echoing it',
      (name) => {
        const sut = configError({ [name]: `${ALPHA},short-token-15c` });
        expect(sut.problems).toEqual([`${name}: token 2 of 2 is shorter than 16 characters`]);
        expect(sut.message).not.toContain('short-token');
        expect(sut.message).not.toContain('\n');
      },
    );

    it('accepts a token of exactly 16 characters', () => {
      expect(loadConfig({ INGEST_TOKENS: ALPHA }).auth.ingestTokens).toEqual([ALPHA]);
    });
  });

  describe('CORS_ORIGINS', () => {
    it('reads comma-separated origins', () => {
      expect(
        loadConfig({ CORS_ORIGINS: 'https://logs.example.com, http://localhost:5173' }).http.corsOrigins,
      ).toEqual(['https://logs.example.com', 'http://localhost:5173']);
    });

    it.each([
      ['*'],
      ['logs.example.com'],
      ['https://logs.example.com/'],
      ['https://x.example/path'],
      ['ftp://x'],
    ])('refuses %p, which is not an origin', (CORS_ORIGINS) => {
      expect(configError({ CORS_ORIGINS }).problems).toEqual([
        expect.stringMatching(/^CORS_ORIGINS: .* is not an origin/),
      ]);
    });
  });

  describe('INGEST_RATE_LIMIT and INGEST_RATE_BURST', () => {
    it('reads sizes per second and at once; 0 turns the limit off', () => {
      expect(loadConfig({ INGEST_RATE_LIMIT: '1mb', INGEST_RATE_BURST: '8mb' }).collector.ingestRate).toEqual(
        {
          bytesPerSecond: MIB,
          burstBytes: 8 * MIB,
        },
      );
      expect(loadConfig({ INGEST_RATE_LIMIT: '0' }).collector.ingestRate.bytesPerSecond).toBe(0);
    });

    it('refuses a burst of zero', () => {
      expect(configError({ INGEST_RATE_BURST: '0' }).problems).toEqual([
        'INGEST_RATE_BURST: must be at least 1 byte',
      ]);
    });
  });

  it.each([
    ['250ms', 250],
    ['1500', 1500],
    ['10s', 10_000],
  ])('reads QUERY_TIMEOUT=%p, with or without a unit, as %p ms', (QUERY_TIMEOUT, ms) => {
    expect(loadConfig({ QUERY_TIMEOUT }).query.timeoutMs).toBe(ms);
  });

  it.each([['0'], ['10x'], ['-1s'], ['1.5s'], ['10__proto__']])('refuses QUERY_TIMEOUT=%p', (value) => {
    expect(configError({ QUERY_TIMEOUT: value }).problems).toEqual([
      `QUERY_TIMEOUT: "${value}" is not a duration; use milliseconds or a unit, as in 250ms, 10s, 5m, 2h, 31d`,
    ]);
  });
});

describe(formatDuration.name, () => {
  it.each([
    [31 * 86_400_000, '31d'],
    [10_000, '10s'],
    [90_000, '90s'],
    [1500, '1500ms'],
  ])('writes %p as %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
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
