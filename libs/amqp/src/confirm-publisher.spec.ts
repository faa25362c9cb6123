import { LogyardConfig } from '@logyard/config';
import { makeRecord } from '@logyard/contracts';
import { AmqpConnection } from './amqp-connection';
import { MAX_BATCH_MESSAGE_BYTES } from './batch-messages';
import { BrokerUnavailableError, ConfirmPublisher, inWaves, MESSAGES_PER_WAVE } from './confirm-publisher';
import { logsBatchHeaders } from './record-batches';
import { COUNT_HEADER } from './topology';

/** A connection whose one channel records what is published and answers with `confirm`. */
function fakeConnection(confirm: () => Promise<void>) {
  const published: {
    exchange: string;
    routingKey: string;
    body: Buffer;
    options: Record<string, unknown>;
  }[] = [];
  const channel = {
    queueLength: () => 0,
    publish: (exchange: string, routingKey: string, body: Buffer, options: Record<string, unknown>) => {
      published.push({ exchange, routingKey, body, options });
      return confirm();
    },
  };
  const connection = { isConnected: () => true, createChannel: () => channel } as unknown as AmqpConnection;
  return { connection, published };
}

const config = (confirmTimeoutMs: number) =>
  ({ collector: { confirmTimeoutMs } }) as unknown as LogyardConfig;

describe(ConfirmPublisher.name, () => {
  it('waits for the confirm as long as COLLECTOR_CONFIRM_TIMEOUT_MS says, on a persistent message', async () => {
    const { connection, published } = fakeConnection(() => Promise.resolve());
    const sut = new ConfirmPublisher(connection, config(2_500));
    await expect(sut.publish('x.ingest', 'web-1.shop.error', Buffer.from('[]'))).resolves.toBeUndefined();
    expect(published).toEqual([
      {
        exchange: 'x.ingest',
        routingKey: 'web-1.shop.error',
        body: Buffer.from('[]'),
        options: expect.objectContaining({
          timeout: 2_500,
          persistent: true,
          contentType: 'application/json',
        }),
      },
    ]);
  });

  it('reports a nack or a confirm timeout as the broker being unavailable', async () => {
    const { connection } = fakeConnection(() => Promise.reject(new Error('timeout')));
    const sut = new ConfirmPublisher(connection, config(10));
    await expect(sut.publish('x.ingest', 'k', Buffer.from('[]'))).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
  });

  it('publishes a batch of more routing keys than a channel holds in waves, each confirmed before the next', async () => {
    let unconfirmed = 0;
    let most = 0;
    const { connection, published } = fakeConnection(async () => {
      most = Math.max(most, ++unconfirmed);
      await new Promise((resolve) => setImmediate(resolve));
      unconfirmed--;
    });
    const sut = new ConfirmPublisher(connection, config(1_000));
    const now = '2026-12-01T00:00:00.000000Z';
    const records = Array.from({ length: 3_000 }, (_, i) => ({
      id: `0190f5d2-0000-7000-8000-${String(i).padStart(12, '0')}`,
      ts: now,
      observedTs: now,
      host: `fleet-${i}`,
      service: 'relay',
      severity: 'info' as const,
      message: 'm',
      attributes: {},
    }));
    await sut.publishRecords('x.logs', records, 1_000);
    expect(published).toHaveLength(3_000);
    expect(most).toBe(MESSAGES_PER_WAVE);
  });

  it('keeps every message under MAX_BATCH_MESSAGE_BYTES, its count header its own', async () => {
    const { connection, published } = fakeConnection(() => Promise.resolve());
    const sut = new ConfirmPublisher(connection, config(1_000));
    // One key, 1,000 records of 4 KB of control bytes, six bytes each in JSON: 24 MB as one message.
    const records = Array.from({ length: 1_000 }, () =>
      makeRecord({ host: 'h', service: 's', severity: 'info', message: '\u0001'.repeat(4_096) }),
    );
    await sut.publishRecords('x.logs', records, 1_000, logsBatchHeaders);

    expect(published.every(({ body }) => body.length <= MAX_BATCH_MESSAGE_BYTES)).toBe(true);
    expect(published.every(({ routingKey }) => routingKey === 'h.s.info')).toBe(true);
    const counts = published.map(({ body, options }) => [
      (JSON.parse(body.toString()) as unknown[]).length,
      (options.headers as Record<string, unknown>)[COUNT_HEADER],
    ]);
    expect(counts.every(([items, header]) => items === header)).toBe(true);
    expect(counts.reduce((sum, [items]) => sum + Number(items), 0)).toBe(1_000);
  });
});

describe(inWaves.name, () => {
  it('stops after the wave that failed, once every publish of that wave has settled', async () => {
    const settled: number[] = [];
    const items = Array.from({ length: MESSAGES_PER_WAVE * 3 }, (_, i) => i);
    const run = inWaves(items, async (i) => {
      await new Promise((resolve) => setImmediate(resolve));
      settled.push(i);
      if (i === 0) throw new BrokerUnavailableError('nack');
    });
    await expect(run).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(settled).toHaveLength(MESSAGES_PER_WAVE);
  });
});
