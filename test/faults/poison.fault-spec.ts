import { v7 as uuidv7 } from 'uuid';
import { ArchiverModule } from '@logyard/archiver';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import {
  deadLetterCount,
  POISON_LIMITS,
  POISON_MESSAGES,
  publishToIngest,
  takeDeadLetterReasons,
} from '../support/poison';

const RECORDS = Number(process.env.FAULT_RECORDS ?? 30_000);
const RECORDS_PER_MESSAGE = 100;
/** Far beyond what 30,000 records take when nothing stalls; a stalled queue never gets there. */
const STORE_DEADLINE_MS = 120_000;

/**
 * Issue 11, finding 2: one poison message on the ingest exchange used to stall
 * the router forever. Here one of each kind travels among RECORDS good
 * records, published straight to `logyard.ingest` as any AMQP client may: every
 * good record is stored, each poison dead-lettered exactly once with its
 * reason, and nothing waits behind a poison.
 */
describe('faults: poison records are dead-lettered once and stall nothing', () => {
  let logyard: IsolatedLogyard;

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([RouterModule, ArchiverModule], {
      ARCHIVER_FLUSH_MS: '100',
      ...POISON_LIMITS,
    });
  });

  afterAll(async () => {
    await logyard?.close();
  });

  it(`stores ${RECORDS} records published among one poison of each kind`, async () => {
    const ids = Array.from({ length: RECORDS }, () => uuidv7());
    const good: string[] = [];
    for (let start = 0; start < RECORDS; start += RECORDS_PER_MESSAGE) {
      const records = ids
        .slice(start, start + RECORDS_PER_MESSAGE)
        .map((id, i) => ({ id, host: 'poison-test', service: 'among', message: `good ${start + i}` }));
      good.push(JSON.stringify(records));
    }
    // Each poison early in the stream, so everything after it must pass it.
    const bodies = [...good];
    POISON_MESSAGES.forEach((poison, i) => bodies.splice(1 + i * 10, 0, poison.body));
    const started = Date.now();
    await publishToIngest(logyard.world.amqpUrl, logyard.world.prefix, bodies);

    await waitFor(
      'every good record stored',
      async () => (await logyard.db.scalar('SELECT count(*) FROM logs')) >= RECORDS,
      { timeoutMs: STORE_DEADLINE_MS, intervalMs: 250 },
    );
    const storedMs = Date.now() - started;
    await waitFor(
      'a dead letter for each poison',
      async () =>
        (await deadLetterCount(logyard.world.amqpUrl, logyard.world.prefix)) >= POISON_MESSAGES.length,
      { timeoutMs: STORE_DEADLINE_MS },
    );

    expect(await logyard.db.scalar('SELECT count(*) FROM logs')).toBe(RECORDS);
    expect(await logyard.db.scalar('SELECT count(*) FROM logs WHERE id = ANY($1::uuid[])', [ids])).toBe(
      RECORDS,
    );
    const reasons = await takeDeadLetterReasons(logyard.world.amqpUrl, logyard.world.prefix);
    expect(reasons).toHaveLength(POISON_MESSAGES.length);
    for (const poison of POISON_MESSAGES) {
      expect(reasons.filter((reason) => poison.reason.test(reason))).toHaveLength(1);
    }
    console.log(`poison: ${RECORDS} records stored in ${storedMs} ms past ${POISON_MESSAGES.length} poisons`);
  });
});
