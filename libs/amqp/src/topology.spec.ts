import { buildTopology, topologyNames } from './topology';

describe(buildTopology.name, () => {
  it('prefixes every name', () => {
    const sut = buildTopology('t1', 'classic');
    const all = [...sut.exchanges.map((e) => e.name), ...sut.queues.map((q) => q.name)];
    expect(all.every((name) => name.startsWith('t1.'))).toBe(true);
  });

  it.each([
    ['logyard.archive.error', 'logyard.logs', '*.*.error', 'an archive queue its severity'],
    ['logyard.router', 'logyard.ingest', '#', 'the router everything published on ingest'],
  ])('binds %s to %s with %j, which feeds %s', (queue, exchange, pattern) => {
    expect(buildTopology('logyard', 'classic').bindings).toContainEqual({ queue, exchange, pattern });
  });

  it('binds one archive queue per severity on the clean bus', () => {
    const sut = buildTopology('logyard', 'classic');
    expect(sut.bindings.filter((b) => b.queue.startsWith('logyard.archive.'))).toHaveLength(6);
  });

  it('leaves the alert evaluator unbound at start: the evaluator binds it while a rule exists', () => {
    const sut = buildTopology('logyard', 'classic');
    expect(sut.bindings.map((b) => b.queue)).not.toContain('logyard.alert-evaluator');
    expect(sut.alertEvaluatorBinding).toEqual({
      queue: 'logyard.alert-evaluator',
      exchange: 'logyard.logs',
      pattern: '*.*.*',
    });
  });

  it('feeds the alert evaluator from a bounded single-active-consumer queue', () => {
    const sut = buildTopology('logyard', 'quorum');
    expect(sut.queues.find((q) => q.name === 'logyard.alert-evaluator')?.arguments).toMatchObject({
      'x-queue-type': 'quorum',
      'x-single-active-consumer': true,
      'x-overflow': 'drop-head',
    });
    expect(sut.exchanges).toContainEqual({ name: 'logyard.alerts', type: 'topic' });
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

  it('gives quorum work and RPC queues the delivery limit, and the dead queue none', () => {
    const sut = buildTopology('logyard', 'quorum', 7);
    const names = topologyNames('logyard');
    const limitOf = (name: string) => sut.queues.find((q) => q.name === name)?.arguments['x-delivery-limit'];
    for (const name of [names.router, ...Object.values(names.archive), names.rpc])
      expect(limitOf(name)).toBe(7);
    expect(limitOf(names.deadQueue)).toBeUndefined();
  });

  it('declares no delivery limit on classic queues, which would refuse it', () => {
    const sut = buildTopology('logyard', 'classic', 7);
    expect(sut.queues.some((q) => 'x-delivery-limit' in q.arguments)).toBe(false);
  });
});
