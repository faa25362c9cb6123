import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import { EventEmitter } from 'node:events';
import {
  CHANNEL_FAULT_RECONNECT_MS,
  createFailoverManager,
  reconnectOnChannelFault,
} from './broker-failover';

describe(createFailoverManager.name, () => {
  const urls = ['amqp://rabbit-1', 'amqp://rabbit-2', 'amqp://rabbit-3'];
  // Not started: these tests read what the manager would do, without a broker.
  const urlsOf = (manager: object) => (manager as { _findServers: () => Promise<string[]> })._findServers();

  it('waits a growing, jittered, capped delay before each reconnect attempt', () => {
    const sut = createFailoverManager(urls, { random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, () => sut.reconnectTimeInSeconds);
    expect(delays).toEqual([0.199, 0.399, 0.799, 1.599, 3.199, 6.399, 9.999, 9.999, 9.999]);
  });

  it('starts the growth over once connected', () => {
    const sut = createFailoverManager(urls, { random: () => 0.999999 });
    for (let i = 0; i < 5; i++) void sut.reconnectTimeInSeconds;
    sut.emit('connect', {});
    expect(sut.reconnectTimeInSeconds).toBe(0.199);
  });

  it('starts at a random node and keeps the order of the list from there', async () => {
    await expect(urlsOf(createFailoverManager(urls, { random: () => 0 }))).resolves.toEqual(urls);
    await expect(urlsOf(createFailoverManager(urls, { random: () => 0.5 }))).resolves.toEqual([
      'amqp://rabbit-2',
      'amqp://rabbit-3',
      'amqp://rabbit-1',
    ]);
  });

  it('refuses an empty list', () => {
    expect(() => createFailoverManager([])).toThrow(/at least one broker URL/);
  });
});

describe(reconnectOnChannelFault.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setUp() {
    const manager = { reconnect: jest.fn() };
    const channels = [new EventEmitter(), new EventEmitter()];
    const reasons: string[] = [];
    for (const channel of channels) {
      reconnectOnChannelFault(
        manager as unknown as AmqpConnectionManager,
        channel as unknown as Channel,
        (reason) => reasons.push(reason),
      );
    }
    return { manager, channels, reasons };
  }

  it('reports the fault and forces one new connection a second later, however many channels fail', () => {
    const { manager, channels, reasons } = setUp();
    channels[0].emit('error', new Error('NOT_FOUND - no exchange'));
    channels[1].emit('error', new Error('NOT_FOUND - no exchange'));
    expect(reasons).toEqual(['NOT_FOUND - no exchange', 'NOT_FOUND - no exchange']);
    expect(manager.reconnect).not.toHaveBeenCalled();

    jest.advanceTimersByTime(CHANNEL_FAULT_RECONNECT_MS);
    expect(manager.reconnect).toHaveBeenCalledTimes(1);

    channels[0].emit('error', new Error('again'));
    jest.advanceTimersByTime(CHANNEL_FAULT_RECONNECT_MS);
    expect(manager.reconnect).toHaveBeenCalledTimes(2);
  });

  it('does nothing once the manager is closed', () => {
    const { manager, channels } = setUp();
    manager.reconnect.mockImplementation(() => {
      throw new Error('cannot reconnect after close');
    });
    channels[0].emit('error', new Error('gone'));
    expect(() => jest.advanceTimersByTime(CHANNEL_FAULT_RECONNECT_MS)).not.toThrow();
  });
});
