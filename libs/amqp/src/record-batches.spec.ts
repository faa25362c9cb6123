import { makeRecord } from '@logyard/contracts';
import { toRoutedBatches } from './record-batches';

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
