import { LogyardConfig } from '@logyard/config';
import { AmqpConnection } from './amqp-connection';
import { BrokerUnavailableError, ConfirmPublisher } from './confirm-publisher';

/** A connection whose one channel records what is published and answers with `confirm`. */
function fakeConnection(confirm: () => Promise<void>) {
  const published: { exchange: string; routingKey: string; options: Record<string, unknown> }[] = [];
  const channel = {
    queueLength: () => 0,
    publish: (exchange: string, routingKey: string, _body: Buffer, options: Record<string, unknown>) => {
      published.push({ exchange, routingKey, options });
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
});
