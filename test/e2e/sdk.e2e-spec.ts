import { ConsoleLogger, LoggerService } from '@nestjs/common';
import amqplib, { ChannelModel, GetMessage } from 'amqplib';
import { hostname } from 'node:os';
import { ArchiverModule } from '@logyard/archiver';
import { COUNT_HEADER, topologyNames } from '@logyard/amqp';
import { CollectorModule } from '@logyard/collector';
import { LogRecord, routingKey } from '@logyard/contracts';
import { RouterModule } from '@logyard/router';
import { LogyardLogger } from '@logyard/sdk';
import { IsolatedLogyard, startIsolatedLogyard, StoredLog, waitFor } from '@logyard/testing';
import { request } from '../support/http';
import { HostApp, startHostApp } from '../support/sdk-host-app';
import { SwitchableProxy } from '../support/switchable-proxy';

type Row = Pick<StoredLog, 'host' | 'service' | 'severity' | 'message' | 'attributes'>;

/** A console that remembers what it was asked to print, to prove the echo without flooding the test output. */
function recordingConsole(): LoggerService & { calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const method =
    (level: string) =>
    (...args: unknown[]) =>
      void calls.push([level, args]);
  return {
    calls,
    log: method('log'),
    error: method('error'),
    warn: method('warn'),
    debug: method('debug'),
    verbose: method('verbose'),
    fatal: method('fatal'),
  };
}

describe('NestJS SDK: a host service logging through LogyardLogger into the real pipeline', () => {
  let logyard: IsolatedLogyard;
  let amqp: ChannelModel;
  let proxy: SwitchableProxy | undefined;
  const hosts: HostApp[] = [];
  const loggers: LogyardLogger[] = [];
  // The SDK's own reports go to Nest's ConsoleLogger, never through the host's logger.
  const consoleWarn = jest.spyOn(ConsoleLogger.prototype, 'warn');
  const reports = () => consoleWarn.mock.calls.map(([text]) => String(text));

  const rows = (service: string, extra = '') =>
    logyard.db.rows<Row>(
      `SELECT host, service, severity, message, attributes FROM logs WHERE service = $1 ${extra} ORDER BY ts, id`,
      [service],
    );
  const newLogger = (options: ConstructorParameters<typeof LogyardLogger>[0]) => {
    const logger = new LogyardLogger(options);
    loggers.push(logger);
    return logger;
  };

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
    amqp = await amqplib.connect(logyard.world.amqpUrl);
  });

  afterAll(async () => {
    for (const host of hosts) await host.close();
    for (const logger of loggers) await logger.close(1_000);
    await proxy?.close();
    await amqp?.close();
    await logyard?.close();
    consoleWarn.mockRestore();
  });

  it("archives a controller's error with the service, severity, host, context and stack", async () => {
    // A copy of what the SDK publishes, to check the wire format itself.
    const channel = await amqp.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, topologyNames(logyard.world.prefix).ingest, '*.checkout-sdk.*');
    const echo = recordingConsole();
    const logger = newLogger({
      service: 'checkout-sdk',
      url: logyard.world.amqpUrl,
      prefix: logyard.world.prefix,
      console: echo,
    });
    const host = await startHostApp(logger);
    hosts.push(host);

    await expect(request(`${host.url}/orders/o-17/pay`, { method: 'POST' })).resolves.toMatchObject({
      status: 201,
      body: { id: 'o-17', paid: false },
    });
    await expect(request(`${host.url}/orders/o-18/crash`)).resolves.toMatchObject({ status: 500 });

    const errors = await waitFor('both errors archived', async () => {
      const found = await rows('checkout-sdk', 'AND severity = 17');
      return found.length === 2 && found;
    });
    expect(errors[0]).toMatchObject({
      host: hostname(),
      service: 'checkout-sdk',
      message: 'payment failed for order o-17',
      attributes: {
        context: 'OrdersController',
        'exception.stacktrace': expect.stringMatching(/^Error: card declined for order o-17\n\s+at /),
      },
    });
    // Nest's own exception handler logs the thrown Error: its message, type and stack all arrive.
    expect(errors[1]).toMatchObject({
      message: 'order o-18 has no customer',
      attributes: {
        context: 'ExceptionsHandler',
        'exception.type': 'TypeError',
        'exception.stacktrace': expect.stringContaining('TypeError: order o-18 has no customer'),
      },
    });
    // Start-up lines Nest buffered before useLogger arrive too, at Nest's 'log' level as info.
    await expect(rows('checkout-sdk', `AND attributes->>'context' = 'NestFactory'`)).resolves.toEqual([
      expect.objectContaining({ severity: 9, message: 'Starting Nest application...' }),
    ]);
    expect(echo.calls).toContainEqual([
      'error',
      ['payment failed for order o-17', expect.any(String), 'OrdersController'],
    ]);

    await waitFor('every record confirmed', () => logger.stats().buffered === 0);
    const messages: GetMessage[] = [];
    for (let message; (message = await channel.get(queue, { noAck: true }));) messages.push(message);
    const published = messages.flatMap(
      (m) => JSON.parse(m.content.toString()) as (LogRecord & { v: number })[],
    );
    expect(published.filter((r) => r.severity === 'error')).toHaveLength(2);
    for (const message of messages) {
      const batch = JSON.parse(message.content.toString()) as (LogRecord & { v: number })[];
      expect(message.properties).toMatchObject({ contentType: 'application/json', deliveryMode: 2 });
      expect(message.properties.headers?.[COUNT_HEADER]).toBe(batch.length);
      expect(batch.every((r) => r.v === 1 && routingKey(r) === message.fields.routingKey)).toBe(true);
    }
    await channel.close();
    expect(logger.stats()).toEqual({ published: published.length, dropped: 0, buffered: 0 });
  });

  it('with the broker unreachable the service keeps answering promptly, and the logger drops and reports', async () => {
    const logger = newLogger({
      service: 'offline-sdk',
      url: 'amqp://guest:guest@127.0.0.1:1',
      prefix: logyard.world.prefix,
      maxBuffered: 20,
      console: false,
    });
    const host = await startHostApp(logger);
    hosts.push(host);

    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      await expect(request(`${host.url}/orders/o-${i}/pay`, { method: 'POST' })).resolves.toMatchObject({
        status: 201,
      });
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    const burst = await request<{ logged: number; elapsedMs: number }>(`${host.url}/orders/burst?n=2000`);
    expect(burst.status).toBe(200);
    // 2,000 log calls while the broker is away cost the handler no waiting: no I/O happens in a call.
    expect(burst.body.elapsedMs).toBeLessThan(1_000);

    const stats = logger.stats();
    expect(stats.published).toBe(0);
    expect(stats.buffered).toBe(20);
    expect(stats.dropped).toBeGreaterThanOrEqual(2_005 - 20);
    await waitFor('the drop report', () =>
      reports().some((text) =>
        /^dropped \d+ log records \(\d+ since start\): the buffer of 20 records is full while .*unreachable/.test(
          text,
        ),
      ),
    );
    expect(reports()).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^cannot reach ${logyard.world.prefix}\\.ingest at amqp://guest:\\*\\*\\*@127\\.0\\.0\\.1:1 \\(`,
        ),
      ),
    );

    await logger.close(200);
    expect(logger.stats()).toEqual({ published: 0, dropped: stats.dropped + 20, buffered: 0 });
    expect(reports()).toContainEqual(
      expect.stringMatching(
        /^dropped 20 log records \(\d+ since start\): still unsent when the logger closed/,
      ),
    );
  });

  it('publishes what it buffered once the broker becomes reachable, with a record of the gap', async () => {
    proxy = await SwitchableProxy.start({
      host: '127.0.0.1',
      port: Number(new URL(logyard.world.amqpUrl).port || 5672),
    });
    const url = new URL(logyard.world.amqpUrl);
    url.port = String(proxy.port);
    const logger = newLogger({
      service: 'recovering-sdk',
      url: url.toString(),
      prefix: logyard.world.prefix,
      maxBuffered: 50,
      console: false,
    });
    await waitFor('the first failed connection', () =>
      reports().some((text) =>
        text.startsWith(
          `cannot reach ${logyard.world.prefix}.ingest at amqp://guest:***@127.0.0.1:${proxy!.port}`,
        ),
      ),
    );
    for (let i = 0; i < 80; i++) logger.warn(`queued while away ${i}`, 'RecoveryTest');
    expect(logger.stats()).toEqual({ published: 0, dropped: 30, buffered: 50 });

    proxy.forward();
    await waitFor('buffered records and the gap record published', () => logger.stats().published === 51);
    expect(logger.stats()).toEqual({ published: 51, dropped: 30, buffered: 0 });
    expect(reports()).toContainEqual(
      expect.stringMatching(
        /; 30 log records were dropped while it was away, 50 buffered records are being sent$/,
      ),
    );

    const archived = await waitFor('51 rows', async () => {
      const found = await rows('recovering-sdk');
      return found.length === 51 && found;
    });
    const kept = archived.filter((row) => row.attributes.context === 'RecoveryTest');
    // The oldest 30 were dropped; the newest 50 survive, in order.
    expect(kept.map((row) => row.message)).toEqual(
      Array.from({ length: 50 }, (_, i) => `queued while away ${i + 30}`),
    );
    expect(kept.every((row) => row.severity === 13)).toBe(true);
    expect(archived.find((row) => row.attributes.context === 'LogyardLogger')).toMatchObject({
      severity: 13,
      message: '30 log records of this service were dropped while RabbitMQ was unreachable',
      attributes: { 'logyard.dropped': 30 },
    });
  });

  it('counts records no queue can take as dropped, rather than trusting the confirm, and hints at the prefix', async () => {
    const prefix = `${logyard.world.prefix}_nobody`;
    // An ingest exchange nothing is bound to, as a mistyped prefix may find one.
    const declaring = await amqp.createChannel();
    await declaring.assertExchange(`${prefix}.ingest`, 'topic', { durable: true });
    await declaring.close();
    const logger = newLogger({
      service: 'misrouted-sdk',
      url: logyard.world.amqpUrl,
      prefix,
      console: false,
    });
    try {
      for (let i = 0; i < 3; i++) logger.error(`nobody hears ${i}`, 'MisroutedTest');
      await waitFor(
        'every record settled',
        () => logger.stats().buffered === 0 && logger.stats().dropped === 3,
      );
      expect(logger.stats()).toEqual({ published: 0, dropped: 3, buffered: 0 });
      await waitFor('the drop report', () =>
        reports().some((text) =>
          text.startsWith(`dropped 3 log records (3 since start): no queue is bound to ${prefix}.ingest at `),
        ),
      );
    } finally {
      await logger.close(1_000);
      const channel = await amqp.createChannel();
      await channel.deleteExchange(`${prefix}.ingest`);
      await channel.close();
    }
  });

  it('keeps its records while the ingest exchange does not exist yet, and ships them once it does', async () => {
    const prefix = `${logyard.world.prefix}_later`;
    const logger = newLogger({ service: 'early-sdk', url: logyard.world.amqpUrl, prefix, console: false });
    const channel = await amqp.createChannel();
    try {
      for (let i = 0; i < 3; i++) logger.warn(`before Logyard ${i}`, 'EarlyTest');
      await waitFor('the missing exchange reported', () =>
        reports().some((text) => text.includes(`NOT_FOUND - no exchange '${prefix}.ingest'`)),
      );
      expect(logger.stats()).toEqual({ published: 0, dropped: 0, buffered: 3 });

      // What Logyard's first start declares: the exchange, and a queue bound to it.
      await channel.assertExchange(`${prefix}.ingest`, 'topic', { durable: true });
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, `${prefix}.ingest`, '#');
      await waitFor('the buffered records published', () => logger.stats().published === 3);
      expect(logger.stats()).toEqual({ published: 3, dropped: 0, buffered: 0 });
    } finally {
      await logger.close(1_000);
      await channel.deleteExchange(`${prefix}.ingest`).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  });
});
