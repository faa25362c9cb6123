import { makeRecord } from '@logyard/contracts';
import { batchHeaders, logsBatchHeaders, toRoutedBatches } from './record-batches';

describe(toRoutedBatches.name, () => {
  it('groups by routing key and caps each batch', () => {
    const records = [
      makeRecord({ host: 'Web-1.prod', service: 'checkout', severity: 'error' }),
      makeRecord({ host: 'web-1_prod', service: 'checkout', severity: 'error' }),
      makeRecord({ host: 'web-1.prod', service: 'checkout', severity: 'error' }),
      makeRecord({ host: 'db', service: 'pg', severity: 'info' }),
    ];
    const sut = toRoutedBatches(records, 2);
    expect(sut.map((b) => [b.routingKey, b.records.length])).toEqual([
      ['web-1_prod.checkout.error', 2],
      ['web-1_prod.checkout.error', 1],
      ['db.pg.info', 1],
    ]);
    expect(sut[0].records[0].host).toBe('Web-1.prod');
  });
});

describe(logsBatchHeaders.name, () => {
  it('adds the shorter keys as BCC and the routing tokens as headers', () => {
    const records = [makeRecord({ host: 'Web-1.prod', service: 'Check out', severity: 'error' })];
    expect(logsBatchHeaders(toRoutedBatches(records, 10)[0])).toEqual({
      'x-logyard-count': 1,
      BCC: ['check_out.error', 'error'],
      host: 'web-1_prod',
      service: 'check_out',
      severity: 'error',
    });
  });
});

describe(batchHeaders.name, () => {
  it('counts the records', () => {
    const records = [makeRecord(), makeRecord()];
    expect(batchHeaders({ routingKey: 'a.b.info', records })).toEqual({ 'x-logyard-count': 2 });
  });
});
