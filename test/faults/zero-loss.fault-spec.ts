import amqplib from 'amqplib';
import { v7 as uuidv7 } from 'uuid';
import { REASON_HEADER, topologyNames } from '@logyard/amqp';
import { createTestEnvironment, DatabaseProbe, TestEnvironment, unusedPort, waitFor } from '@logyard/testing';
import { request } from '../support/http';
import { WatchedProcess, startLogyardProcess, stopLogyardProcess } from '../support/processes';
import { makeOutgoingRecords, OutgoingRecord, RetryingSender } from '../support/retrying-sender';
import { POISON_LIMITS, publishToIngest, tooLongForTsvector } from '../support/poison';
import { pgCluster, rabbitmqctl } from '../support/services';

const RECORDS = Number(process.env.FAULT_RECORDS ?? 30_000);
/** How far into the stream each fault strikes. */
const STRIKE_AT = Math.floor(RECORDS / 5);
const STORE_DEADLINE_MS = 240_000;

type Running = WatchedProcess & { url: string };

/**
 * Zero loss, zero duplicates (DESIGN §4) under faults, against the machine's
 * real RabbitMQ and PostgreSQL and real OS processes: every scenario streams
 * RECORDS records from a sender that retries like an agent, strikes mid-stream,
 * then counts every row. Scenarios run one at a time (they restart shared services).
 */
describe('faults: every accepted record is stored exactly once', () => {
  let world: TestEnvironment;
  let processes: Running[] = [];
  let db: DatabaseProbe | undefined;

  beforeEach(() => {
    world = createTestEnvironment({ ARCHIVER_FLUSH_MS: '100' });
    processes = [];
  });

  afterEach(async () => {
    // Whatever a scenario did, leave the machine's services running.
    await rabbitmqctl('start_app').catch(() => undefined);
    await pgCluster('start').catch(() => undefined);
    await Promise.all(processes.map((p) => stopLogyardProcess(p)));
    await db?.close().catch(() => undefined);
    db = undefined;
    await world.dispose();
  });

  async function start(
    target: 'all' | 'collector' | 'router' | 'archiver',
    port?: number,
    env: Record<string, string> = {},
  ): Promise<Running> {
    const running = await startLogyardProcess(target, { ...world.env, ...env }, port ?? (await unusedPort()));
    processes.push(running);
    return running;
  }

  async function storedCount(): Promise<number> {
    db ??= await DatabaseProbe.open(world.databaseUrl);
    return db.scalar('SELECT count(*) FROM logs');
  }

  /** Polls the row count through outages (the probe reconnects after a database restart). */
  async function storedCountSurvivingRestarts(): Promise<number> {
    try {
      return await storedCount();
    } catch (error) {
      await db?.close().catch(() => undefined);
      db = undefined;
      throw error;
    }
  }

  async function deadLetters(): Promise<amqplib.GetMessage[]> {
    const connection = await amqplib.connect(world.amqpUrl);
    const channel = await connection.createChannel();
    const letters: amqplib.GetMessage[] = [];
    for (let m; (m = await channel.get(topologyNames(world.prefix).deadQueue, { noAck: true }));)
      letters.push(m);
    await connection.close();
    return letters;
  }

  /**
   * The assertions every scenario ends with, once its sender is done: each record stored exactly once and
   * none dead-lettered; and one line of figures for the closing note.
   */
  async function expectExactlyOnce(
    scenario: string,
    records: OutgoingRecord[],
    sender: Pick<RetryingSender, 'accepted' | 'refusals' | 'connectionFailures'>,
    sending: Promise<unknown>,
    recoveryMs: number,
  ): Promise<void> {
    await sending;
    expect(sender.accepted).toBe(records.length);
    await waitFor(
      'every accepted record stored',
      async () => (await storedCountSurvivingRestarts()) >= records.length,
      {
        timeoutMs: STORE_DEADLINE_MS,
        intervalMs: 250,
      },
    );
    const rows = await storedCount();
    const distinct = await db!.scalar('SELECT count(DISTINCT id) FROM logs');
    const expected = await db!.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [
      records.map((r) => r.id),
    ]);
    console.log(
      `${scenario}: accepted ${sender.accepted}, stored ${rows}, duplicated ${rows - distinct}, ` +
        `503s ${sender.refusals}, connection failures ${sender.connectionFailures}, recovery ${recoveryMs} ms`,
    );
    expect(rows).toBe(records.length);
    expect(distinct).toBe(records.length);
    expect(expected).toBe(records.length);
    await expect(deadLetters()).resolves.toHaveLength(0);
  }

  async function readyAgain(url: string): Promise<void> {
    await waitFor('ready again', async () => (await request(`${url}/health/ready`)).status === 200, {
      timeoutMs: 60_000,
    });
  }

  it('survives a RabbitMQ restart mid-stream, answering 503 while it is away', async () => {
    const logyard = await start('all');
    const records = makeOutgoingRecords(RECORDS, 'rabbit');
    // Half the records are held back until the broker is down: a fast stream could otherwise end
    // before `stop_app` does, and no sender would ever meet the outage.
    const sender = new RetryingSender(() => logyard.url, records, { holdAfter: RECORDS / 2 });
    const sending = sender.run();
    await waitFor('the stream under way', () => sender.accepted >= STRIKE_AT, { timeoutMs: 60_000 });

    await rabbitmqctl('stop_app');
    sender.release();
    await waitFor('senders refused with 503', () => sender.refusals > 0, { timeoutMs: 30_000 });
    const ready = await request<{ checks: Record<string, { status: string }> }>(
      `${logyard.url}/health/ready`,
    );
    expect(ready).toMatchObject({ status: 503, body: { checks: { broker: { status: 'down' } } } });
    const refused = await fetch(`${logyard.url}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"message":"x"}',
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');

    const restarted = Date.now();
    await rabbitmqctl('start_app');
    await readyAgain(logyard.url);
    const recoveryMs = Date.now() - restarted;
    await expectExactlyOnce('rabbitmq restart', records, sender, sending, recoveryMs);
  });

  it('survives PostgreSQL stopping mid-stream: the collector keeps accepting, the archiver waits', async () => {
    const logyard = await start('all');
    const records = makeOutgoingRecords(RECORDS, 'postgres');
    // Half the records are held back until the database is down, so ingest during the outage is observable.
    const sender = new RetryingSender(() => logyard.url, records, { holdAfter: RECORDS / 2 });
    const sending = sender.run();
    await waitFor('rows being written', async () => (await storedCount()) >= STRIKE_AT, {
      timeoutMs: 60_000,
    });
    await db!.close();
    db = undefined;

    await pgCluster('stop');
    const acceptedAtStop = sender.accepted;
    await waitFor('not ready while the database is away', async () => {
      const { status, body } = await request<{ checks: Record<string, { status: string }> }>(
        `${logyard.url}/health/ready`,
      );
      return status === 503 && body.checks.database.status === 'down';
    });
    // Ingest does not depend on the database: records keep being accepted into the broker.
    sender.release();
    await waitFor('ingest continuing', () => sender.accepted >= acceptedAtStop + 2_000, {
      timeoutMs: 60_000,
    });

    const restarted = Date.now();
    await pgCluster('start');
    await readyAgain(logyard.url);
    const recoveryMs = Date.now() - restarted;
    await expectExactlyOnce('postgresql stop/start', records, sender, sending, recoveryMs);
  });

  it.each([['archiver'], ['router']] as const)('survives kill -9 of the %s mid-stream', async (victim) => {
    const collector = await start('collector');
    const router = await start('router');
    const archiver = await start('archiver');
    const records = makeOutgoingRecords(RECORDS, `kill-${victim}`);
    // The collector publishes straight to logyard.logs (docs/design.md §3): only AMQP input passes the router.
    const sender =
      victim === 'router'
        ? new IngestExchangeSender(world, records)
        : new RetryingSender(() => collector.url, records);
    const sending = sender.run();
    await waitFor('rows being written', async () => (await storedCount()) >= STRIKE_AT, {
      timeoutMs: 60_000,
    });

    const target = victim === 'archiver' ? archiver : router;
    target.child.kill('SIGKILL');
    await target.exited;
    const killed = Date.now();
    const replacement = await start(victim);
    const recoveryMs = Date.now() - killed;
    await readyAgain(replacement.url);
    await expectExactlyOnce(`kill -9 ${victim}`, records, sender, sending, recoveryMs);
  });

  it('survives kill -9 of the all-in-one process, the sender retrying against its restart', async () => {
    const port = await unusedPort();
    let logyard = await start('all', port);
    const records = makeOutgoingRecords(RECORDS, 'kill-all');
    const sender = new RetryingSender(() => logyard.url, records);
    const sending = sender.run();
    await waitFor('rows being written', async () => (await storedCount()) >= STRIKE_AT, {
      timeoutMs: 60_000,
    });

    logyard.child.kill('SIGKILL');
    await logyard.exited;
    const killed = Date.now();
    logyard = await start('all', port);
    const recoveryMs = Date.now() - killed;
    await expectExactlyOnce('kill -9 all-in-one', records, sender, sending, recoveryMs);
  });

  it('drains the archiver on SIGTERM mid-stream: commits and acks what it holds, exits 0 within 10 s', async () => {
    const collector = await start('collector');
    await start('router');
    const archiver = await start('archiver');
    const records = makeOutgoingRecords(RECORDS, 'sigterm');
    const sender = new RetryingSender(() => collector.url, records);
    const sending = sender.run();
    await waitFor('rows being written', async () => (await storedCount()) >= STRIKE_AT, {
      timeoutMs: 60_000,
    });

    const signalled = Date.now();
    archiver.child.kill('SIGTERM');
    await expect(archiver.exited).resolves.toBe(0);
    const drainMs = Date.now() - signalled;
    expect(drainMs).toBeLessThan(10_000);
    expect(archiver.output()).toMatch(
      /archiver drained: acked \d+ deliveries \(\d+ records\), left 0 for redelivery/,
    );

    const replacement = await start('archiver');
    await readyAgain(replacement.url);
    await expectExactlyOnce('SIGTERM archiver', records, sender, sending, drainMs);
  });

  it('dead-letters a record the database refuses, with its reason, and stores every other one', async () => {
    const logyard = await start('all', undefined, POISON_LIMITS);
    const records = makeOutgoingRecords(RECORDS, 'poison');
    // Valid to every parser, but its full-text index entry is too long: PostgreSQL refuses the row.
    const poison = { ...records[0], id: uuidv7(), message: tooLongForTsvector() };
    const sender = new RetryingSender(
      () => logyard.url,
      [...records.slice(0, STRIKE_AT), poison, ...records.slice(STRIKE_AT)],
    );
    await sender.run();
    await waitFor('every good record stored', async () => (await storedCount()) >= records.length, {
      timeoutMs: STORE_DEADLINE_MS,
    });
    const letters = await waitFor('the poison dead-lettered', async () => {
      const found = await deadLetters();
      return found.length > 0 && found;
    });
    expect(letters).toHaveLength(1);
    expect(JSON.parse(letters[0].content.toString())[0].id).toBe(poison.id);
    expect(String(letters[0].properties.headers?.[REASON_HEADER])).toMatch(
      /^archiver refused: string is too long for tsvector/,
    );
    await expect(storedCount()).resolves.toBe(records.length);
    await expect(db!.scalar('SELECT count(*) FROM logs WHERE id = $1', [poison.id])).resolves.toBe(0);
    await expect(request(`${logyard.url}/health/ready`)).resolves.toMatchObject({ status: 200 });
    console.log(
      `poison: accepted ${sender.accepted}, stored ${records.length}, dead-lettered ${letters.length}`,
    );
  });
});

/**
 * An AMQP publisher on the ingest exchange, as an application using the SDK is: chunks of records as JSON
 * arrays, each confirmed by the broker before it counts as accepted.
 */
class IngestExchangeSender {
  accepted = 0;
  readonly refusals = 0;
  readonly connectionFailures = 0;

  constructor(
    private readonly world: TestEnvironment,
    private readonly records: OutgoingRecord[],
    private readonly chunk = 500,
  ) {}

  async run(): Promise<void> {
    const bodies: string[] = [];
    for (let i = 0; i < this.records.length; i += this.chunk)
      bodies.push(JSON.stringify(this.records.slice(i, i + this.chunk)));
    await publishToIngest(this.world.amqpUrl, this.world.prefix, bodies, 'fault.test.info');
    this.accepted = this.records.length;
  }
}
