import type { AmqpConnection, ConfirmPublisher } from '@logyard/amqp';
import type { AlertOutboxRepository, PendingNotification } from '@logyard/db';
import { AlertDelivery, MAX_DELIVERY_ATTEMPTS, OUTBOX_KEEP_DAYS } from './alert-delivery';

/** A promise and the function that settles it, for steps the test takes in its own order. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** An AlertDelivery over stand-ins of the outbox and the publisher, sending to `logyard.alerts`. */
function deliveryOver(outbox: object, publisher: object): AlertDelivery {
  const connection = { topology: { names: { alerts: 'logyard.alerts' } } };
  return new AlertDelivery(
    outbox as AlertOutboxRepository,
    publisher as ConfirmPublisher,
    connection as unknown as AmqpConnection,
  );
}

const notification = {
  id: 'n-1',
  ruleId: 'r-1',
  target: 'amqp',
  attempts: 0,
  body: { id: 'n-1', state: 'firing', rule: { id: 'r-1', slug: 'checkout_timeouts' } },
  spec: {},
} as unknown as PendingNotification;

describe(AlertDelivery.name, () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('does not send again a notification that a read older than its outcome still lists', async () => {
    const reads: {
      promise: Promise<PendingNotification[]>;
      resolve: (due: PendingNotification[]) => void;
    }[] = [];
    const outbox = {
      due: jest.fn(() => {
        const read = deferred<PendingNotification[]>();
        reads.push(read);
        return read.promise;
      }),
      delivered: jest.fn(() => Promise.resolve()),
      failed: jest.fn(() => Promise.resolve()),
      prune: jest.fn(() => Promise.resolve(0)),
    };
    const publish = deferred<void>();
    const publisher = { publish: jest.fn(() => publish.promise) };
    const sut = deliveryOver(outbox, publisher);

    sut.start();
    reads[0].resolve([notification]);
    await settle();
    expect(publisher.publish).toHaveBeenCalledTimes(1);

    // A transition is committed: the outbox is read again while the notification is still being sent …
    sut.kick();
    await settle();
    expect(reads).toHaveLength(2);
    // … it is delivered and recorded before that read answers, and the read still lists it.
    publish.resolve();
    await settle();
    expect(outbox.delivered).toHaveBeenCalledTimes(1);
    reads[1].resolve([notification]);
    await settle();

    expect(publisher.publish).toHaveBeenCalledTimes(1);
    // The next read, after the outcome, is what decides.
    expect(reads).toHaveLength(3);
    reads[2].resolve([]);
    await settle();
    sut.stop();
  });

  it("sends a rule's notifications to a target one at a time, even when the one in flight left the outbox", async () => {
    const reads: PendingNotification[][] = [[notification]];
    const outbox = {
      due: jest.fn(() => Promise.resolve(reads.shift() ?? [])),
      delivered: jest.fn(() => Promise.resolve()),
      prune: jest.fn(() => Promise.resolve(0)),
    };
    const publishes = [deferred<void>(), deferred<void>()];
    let sent = 0;
    const publisher = { publish: jest.fn(() => publishes[sent++].promise) };
    const sut = deliveryOver(outbox, publisher);

    sut.start();
    await settle();
    expect(publisher.publish).toHaveBeenCalledTimes(1);
    // Newer transitions dropped the one being sent (MAX_UNDELIVERED_NOTIFICATIONS): the next is read as due.
    const next = { ...notification, id: 'n-2', body: { ...notification.body, id: 'n-2', state: 'resolved' } };
    const pollFinding = async (due: PendingNotification) => {
      reads.push([due]);
      sut.kick();
      await settle();
    };
    await pollFinding(next as PendingNotification);
    expect(publisher.publish).toHaveBeenCalledTimes(1);

    publishes[0].resolve();
    await settle();
    await pollFinding(next as PendingNotification);
    expect(publisher.publish).toHaveBeenCalledTimes(2);
    publishes[1].resolve();
    await settle();
    sut.stop();
  });

  it('prunes settled notifications when it starts and every hour after, while it runs', async () => {
    const outbox = { due: jest.fn(() => Promise.resolve([])), prune: jest.fn(() => Promise.resolve(3)) };
    const sut = deliveryOver(outbox, {});

    sut.start();
    expect(outbox.prune).toHaveBeenCalledWith(OUTBOX_KEEP_DAYS, MAX_DELIVERY_ATTEMPTS);
    jest.advanceTimersByTime(3_600_000);
    expect(outbox.prune).toHaveBeenCalledTimes(2);
    sut.stop();
    jest.advanceTimersByTime(3_600_000);
    expect(outbox.prune).toHaveBeenCalledTimes(2);
    await settle();
  });
});
