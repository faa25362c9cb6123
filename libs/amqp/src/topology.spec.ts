import { buildTopology, topologyNames } from './topology';

describe(buildTopology.name, () => {
  it('prefixes every name', () => {
    const sut = buildTopology('t1', 'classic');
    const all = [...sut.exchanges.map((e) => e.name), ...sut.queues.map((q) => q.name)];
    expect(all.every((name) => name.startsWith('t1.'))).toBe(true);
  });

  it('binds one archive queue per severity on the clean bus', () => {
    const sut = buildTopology('logyard', 'classic');
    expect(sut.bindings).toContainEqual({
      queue: 'logyard.archive.error',
      exchange: 'logyard.logs',
      pattern: '*.*.error',
    });
    expect(sut.bindings.filter((b) => b.exchange === 'logyard.logs')).toHaveLength(6);
  });

  it('routes everything published on ingest to the router', () => {
    expect(buildTopology('logyard', 'classic').bindings).toContainEqual({
      queue: 'logyard.router',
      exchange: 'logyard.ingest',
      pattern: '#',
    });
  });

  it('feeds the severity (direct), headers and fanout exchanges from logs, all under the prefix', () => {
    const sut = buildTopology('t1', 'classic');
    expect(sut.exchanges).toEqual(
      expect.arrayContaining([
        { name: 't1.severity', type: 'direct' },
        { name: 't1.headers', type: 'headers' },
        { name: 't1.all', type: 'fanout' },
      ]),
    );
    expect(sut.exchangeBindings).toEqual(
      ['t1.severity', 't1.headers', 't1.all'].map((destination) => ({
        destination,
        source: 't1.logs',
        pattern: '#',
      })),
    );
  });

  it('selects the queue type for every durable queue and dead-letters work queues', () => {
    const sut = buildTopology('logyard', 'quorum');
    expect(sut.queues.every((q) => q.arguments['x-queue-type'] === 'quorum')).toBe(true);
    const router = sut.queues.find((q) => q.name === topologyNames('logyard').router);
    expect(router?.arguments['x-dead-letter-exchange']).toBe('logyard.dead');
  });
});
