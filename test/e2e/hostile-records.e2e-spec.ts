import { v7 as uuidv7 } from 'uuid';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { RouterModule } from '@logyard/router';
import { topologyNames } from '@logyard/amqp';
import { MAX_RECORDS_PER_MESSAGE } from '@logyard/contracts';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { metricValue } from '@logyard/observability';
import { request } from '../support/http';
import {
  deadLetterCount,
  nestedJson,
  publishJson,
  publishToIngest,
  takeDeadLetterReasons,
  takeDeadLetters,
} from '../support/poison';

const WIRE_TS = '2026-11-30T10:00:00.000000Z';

/** Issue 11: records nested or sized to break a later hop are each that record's error, never a stall or a 500. */
describe('hostile records: refused one by one, at every edge', () => {
  let logyard: IsolatedLogyard;

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
  });

  afterAll(async () => {
    await logyard?.close();
  });

  /** Publishes `poison` and then ten good records on the ingest exchange; the reasons it was dead-lettered with. */
  async function poisonThenGood(poison: string): Promise<string[]> {
    const ids = Array.from({ length: 10 }, () => uuidv7());
    await publishToIngest(logyard.world.amqpUrl, logyard.world.prefix, [
      poison,
      JSON.stringify(ids.map((id) => ({ id, message: 'after the poison' }))),
    ]);
    await waitFor(
      'the records behind the poison stored',
      async () =>
        (await logyard.db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [ids])) ===
        ids.length,
    );
    await waitFor(
      'the poison dead-lettered',
      async () => (await deadLetterCount(logyard.world.amqpUrl, logyard.world.prefix)) > 0,
    );
    return takeDeadLetterReasons(logyard.world.amqpUrl, logyard.world.prefix);
  }

  // Finding 2: the router parsed this record, could not re-encode it, and retried forever with its queue paused.
  it('dead-letters a record nested 20,000 deep on the ingest exchange and routes what follows it', async () => {
    await expect(poisonThenGood(`[{"message":"deep","attributes":${nestedJson(20_000)}}]`)).resolves.toEqual([
      'attributes: nested deeper than 32 levels',
    ]);
  });

  // RabbitMQ takes messages up to 128 MB: the router read such a message whole, for a minute of its event loop.
  it('dead-letters a message over BODY_LIMIT whole and unread, and routes what follows it', async () => {
    const line = 'x'.repeat(50_000);
    const oversized = JSON.stringify(Array.from({ length: 220 }, () => ({ id: uuidv7(), message: line })));
    expect(oversized.length).toBeGreaterThan(10 * 1024 * 1024);
    await expect(poisonThenGood(oversized)).resolves.toEqual([
      `message of ${oversized.length} bytes is over BODY_LIMIT (10485760 bytes); publish fewer records per message`,
    ]);
    expect(await logyard.db.scalar('SELECT count(*) FROM logs WHERE message = $1', [line])).toBe(0);
  });

  // Each refused item was its own dead letter: a 10 MB message of 2-byte items would have made 5 million.
  it('dead-letters the first 100 refused records of a message one by one and the rest as one letter', async () => {
    const id = uuidv7();
    await publishToIngest(logyard.world.amqpUrl, logyard.world.prefix, [
      JSON.stringify([...Array(1_000).fill(1), { id, message: 'among the refused' }]),
    ]);
    await waitFor(
      'the 101 dead letters',
      async () => (await deadLetterCount(logyard.world.amqpUrl, logyard.world.prefix)) === 101,
    );
    const reasons = await takeDeadLetterReasons(logyard.world.amqpUrl, logyard.world.prefix);
    expect(reasons.slice(0, 2)).toEqual([
      'record 0: record must be a JSON object',
      'record 1: record must be a JSON object',
    ]);
    expect(reasons[100]).toBe(
      '900 more records of this message refused, from record 100 on, e.g. record 100: record must be a JSON object',
    );
    await expect(logyard.db.scalar('SELECT count(*) FROM logs WHERE id = $1', [id])).resolves.toBe(1);
    await expect(
      metricValue(logyard.url, 'logyard_records_dead_lettered_total', 'stage="router"'),
    ).resolves.toBeGreaterThanOrEqual(1_000);
  });

  // A 10 MB message of 655,000 of the smallest records was built whole before any was written: twenty of them
  // took the router to 3.5 GB and held its event loop for up to 20 s at a time, past the broker's heartbeat.
  it('stores MAX_RECORDS_PER_MESSAGE records of a message and dead-letters the rest unread, as one letter', async () => {
    const ids = Array.from({ length: MAX_RECORDS_PER_MESSAGE + 500 }, () => uuidv7());
    await publishToIngest(logyard.world.amqpUrl, logyard.world.prefix, [
      JSON.stringify(ids.map((id) => ({ id, message: 'x' }))),
    ]);
    await waitFor(
      'the first MAX_RECORDS_PER_MESSAGE stored',
      async () =>
        (await logyard.db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [
          ids.slice(0, MAX_RECORDS_PER_MESSAGE),
        ])) === MAX_RECORDS_PER_MESSAGE,
    );
    await waitFor(
      'the rest dead-lettered',
      async () => (await deadLetterCount(logyard.world.amqpUrl, logyard.world.prefix)) === 1,
    );
    const [letter] = await takeDeadLetters(logyard.world.amqpUrl, logyard.world.prefix);
    expect(letter.reason).toBe(
      `message holds ${MAX_RECORDS_PER_MESSAGE + 500} records, more than the ${MAX_RECORDS_PER_MESSAGE} one message may ` +
        `carry: records ${MAX_RECORDS_PER_MESSAGE} on refused unread; publish fewer records per message`,
    );
    expect(letter.count).toBe(500);
    expect(JSON.parse(letter.body).map((item: { id: string }) => item.id)).toEqual(
      ids.slice(MAX_RECORDS_PER_MESSAGE),
    );
    await expect(
      logyard.db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [
        ids.slice(MAX_RECORDS_PER_MESSAGE),
      ]),
    ).resolves.toBe(0);
  });

  // One message per routing key: 12,000 keys in one batch overflowed the publisher's channel, and the router
  // took its own refusal for an outage, retrying the batch forever with its queue paused. A message carries at
  // most MAX_RECORDS_PER_MESSAGE: 6,000 keys a batch are still more than the channel holds at once.
  it("routes 12,000 records with 12,000 hosts in two messages, as a fleet's relay may send them", async () => {
    const records = Array.from({ length: 12_000 }, (_, i) => ({
      id: uuidv7(),
      host: `fleet-${i}.prod`,
      service: 'relay',
      message: `from host ${i}`,
    }));
    await publishToIngest(logyard.world.amqpUrl, logyard.world.prefix, [
      JSON.stringify(records.slice(0, 6_000)),
      JSON.stringify(records.slice(6_000)),
    ]);

    await waitFor(
      'every record stored',
      async () =>
        (await logyard.db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [
          records.map((record) => record.id),
        ])) === records.length,
    );
    expect(await deadLetterCount(logyard.world.amqpUrl, logyard.world.prefix)).toBe(0);
  });

  /** One record as Logyard's publishers put it on the logs exchange, `fields` over a valid one. */
  const wireRecord = (fields: Record<string, unknown>) =>
    JSON.stringify([
      {
        v: 1,
        id: uuidv7(),
        ts: WIRE_TS,
        observedTs: WIRE_TS,
        host: 'h',
        service: 's',
        severity: 'info',
        ...fields,
      },
    ]);

  /** Publishes `poisons` and then a good record straight to the logs exchange; the reasons of the `letters` dead letters. */
  async function onLogsThenGood(poisons: string[], letters: number): Promise<string[]> {
    const good = uuidv7();
    await publishJson(
      logyard.world.amqpUrl,
      topologyNames(logyard.world.prefix).logs,
      [...poisons, wireRecord({ id: good, message: 'kept' })],
      'h.s.info',
    );
    await waitFor(
      'the good record stored',
      async () => (await logyard.db.scalar('SELECT count(*) FROM logs WHERE id = $1', [good])) === 1,
    );
    await waitFor(
      `${letters} dead letters`,
      async () => (await deadLetterCount(logyard.world.amqpUrl, logyard.world.prefix)) === letters,
    );
    return takeDeadLetterReasons(logyard.world.amqpUrl, logyard.world.prefix);
  }

  // Issue 17: the collector's records skip the router, so the archiver is the check for whatever reaches
  // logyard.logs; a broker user allowed to write there (SECURITY.md says none should) must not get past it.
  it('re-checks records published straight to the logs exchange: each bad one dead-lettered, the rest stored', async () => {
    const reasons = await onLogsThenGood(
      [
        // The COPY text writes ts unescaped: a newline in it would be a second row.
        wireRecord({ message: 'injected', ts: `${WIRE_TS}\n${uuidv7()}\t${WIRE_TS}` }),
        `[{"v":1,"id":"${uuidv7()}","ts":"${WIRE_TS}","observedTs":"${WIRE_TS}","host":"h","service":"s","severity":"info","message":"deep","attributes":${nestedJson(20_000)}}]`,
        '[{"v":1, "message": "unterminated',
        wireRecord({ message: 'no such severity', severity: 'loud' }),
      ],
      4,
    );
    expect(reasons.sort()).toEqual([
      'attributes: nested deeper than 32 levels',
      expect.stringMatching(/^body is not valid JSON/),
      expect.stringMatching(/^severity: /),
      expect.stringMatching(/^ts: /),
    ]);
    await expect(logyard.db.scalar(`SELECT count(*) FROM logs WHERE service = 's'`)).resolves.toBe(1);
  });

  // Any client allowed the default exchange can publish into an archive queue, skipping the router's bound:
  // the archiver read such a message whole, and at RabbitMQ's 128 MB past its heartbeat, again on every redelivery.
  it('dead-letters a message over BODY_LIMIT on the logs exchange whole and unread, and stores what follows', async () => {
    const line = 'x'.repeat(50_000);
    const oversized = JSON.stringify(Array.from({ length: 220 }, () => ({ id: uuidv7(), message: line })));
    await expect(onLogsThenGood([oversized], 1)).resolves.toEqual([
      `message of ${oversized.length} bytes is over BODY_LIMIT (10485760 bytes); publish fewer records per message`,
    ]);
  });

  // Finding 11: both answered 500 with a stack trace in the log.
  it('answers /ingest nested 6,000 deep with 400 naming the record', async () => {
    const response = await request(`${logyard.url}/ingest`, {
      body: `{"message":"deep","attributes":${nestedJson(6_000)}}`,
    });
    expect(response).toMatchObject({
      status: 400,
      body: {
        accepted: 0,
        rejected: 1,
        errors: [{ index: 0, error: 'attributes: nested deeper than 32 levels' }],
      },
    });
  });

  it('refuses an OTLP JSON log record nested 3,000 deep as that record, not the request', async () => {
    // As text: JSON.stringify itself cannot write this depth.
    const level = '{"kvlistValue":{"values":[{"key":"a","value":';
    const value = `${level.repeat(3_000)}{"stringValue":"leaf"}${'}]}}'.repeat(3_000)}`;
    const response = await request<{ partialSuccess: { rejectedLogRecords: string; errorMessage: string } }>(
      `${logyard.url}/v1/logs`,
      {
        body:
          '{"resourceLogs":[{"scopeLogs":[{"logRecords":[' +
          `{"body":{"stringValue":"deep"},"attributes":[{"key":"deep","value":${value}}]}]}]}]}`,
      },
    );
    expect(response.status).toBeLessThan(500);
    expect(response.body.partialSuccess).toMatchObject({
      rejectedLogRecords: '1',
      errorMessage: expect.stringContaining('nested deeper than 32 levels'),
    });
  });
});
