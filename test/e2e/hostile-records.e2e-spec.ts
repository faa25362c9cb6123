import { v7 as uuidv7 } from 'uuid';
import { ArchiverModule } from '@logyard/archiver';
import { CollectorModule } from '@logyard/collector';
import { RouterModule } from '@logyard/router';
import { IsolatedLogyard, startIsolatedLogyard, waitFor } from '@logyard/testing';
import { request } from '../support/http';
import { deadLetterCount, nestedJson, publishToIngest, takeDeadLetterReasons } from '../support/poison';

/** Issue 11: records nested or sized to break a later hop are each that record's error, never a stall or a 500. */
describe('hostile records: refused one by one, at every edge', () => {
  let logyard: IsolatedLogyard;

  beforeAll(async () => {
    logyard = await startIsolatedLogyard([CollectorModule, RouterModule, ArchiverModule]);
  });

  afterAll(async () => {
    await logyard?.close();
  });

  // Finding 2: the router parsed this record, could not re-encode it, and retried forever with its queue paused.
  it('dead-letters a record nested 20,000 deep on the ingest exchange and routes what follows it', async () => {
    const ids = Array.from({ length: 10 }, () => uuidv7());
    await publishToIngest(logyard.world.amqpUrl, logyard.world.prefix, [
      `[{"message":"deep","attributes":${nestedJson(20_000)}}]`,
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
    await expect(takeDeadLetterReasons(logyard.world.amqpUrl, logyard.world.prefix)).resolves.toEqual([
      'attributes: nested deeper than 32 levels',
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
