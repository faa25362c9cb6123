import { FakeConsumerBroker } from '@logyard/testing';
import { Delivery, QueueConsumer } from './queue-consumer';

describe(QueueConsumer.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setUp() {
    const broker = new FakeConsumerBroker();
    const received: Delivery[] = [];
    const sut = new QueueConsumer(broker.connection, {
      queue: 'q',
      prefetch: 10,
      onDelivery: (delivery) => received.push(delivery),
    });
    return { broker, sut, received };
  }

  it('consumes again, after a backoff, when the broker cancels its subscription', async () => {
    const { broker, sut, received } = setUp();
    await sut.ready();

    broker.cancelSubscription();
    expect(broker.subscribed).toBe(false);
    await jest.advanceTimersByTimeAsync(1_000);

    expect(broker.subscribed).toBe(true);
    broker.deliver(Buffer.from('after'), 'h.s.info');
    expect(received.map((delivery) => delivery.message.content.toString())).toEqual(['after']);
    // Deliveries keep coming on the same channel: they can still be acked.
    sut.ack(received[0]);
    expect(broker.acked).toEqual([{ tag: 1, channel: 1 }]);
  });

  it('backs off when the broker keeps cancelling, and starts over once a delivery arrives', async () => {
    const { broker, sut } = setUp();
    await sut.ready();
    const resubscribedWithin = async (ms: number) => {
      broker.cancelSubscription();
      await jest.advanceTimersByTimeAsync(ms);
      return broker.subscribed;
    };
    jest.spyOn(Math, 'random').mockReturnValue(0.99);

    expect(await resubscribedWithin(1_000)).toBe(true);
    expect(await resubscribedWithin(1_000)).toBe(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(broker.subscribed).toBe(true);
    broker.deliver(Buffer.from('x'), 'h.s.info');
    expect(await resubscribedWithin(1_000)).toBe(true);
  });

  it('owns no delivery of a channel that closed, before the next channel is set up', async () => {
    const { broker, sut, received } = setUp();
    await sut.ready();
    broker.deliver(Buffer.from('before'), 'h.s.info');
    expect(sut.owns(received[0])).toBe(true);

    broker.connectionLost();

    expect(sut.owns(received[0])).toBe(false);
    sut.ack(received[0]);
    expect(broker.acked).toEqual([]);
  });

  it('stays unsubscribed while paused or closed, and resume subscribes once', async () => {
    const { broker, sut } = setUp();
    await sut.ready();

    broker.cancelSubscription();
    await sut.pause();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(broker.subscribed).toBe(false);

    await sut.resume();
    expect(broker.subscribed).toBe(true);

    broker.cancelSubscription();
    await sut.close();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(broker.subscribed).toBe(false);
  });
});
