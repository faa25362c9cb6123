import { createFailoverManager } from './broker-failover';

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
