import fc from 'fast-check';
import { encodeBatch, makeRecord } from '@logyard/contracts';
import { propertyRuns } from '@logyard/testing';
import { batchMessages, MAX_BATCH_MESSAGE_BYTES, toRoutedMessages } from './batch-messages';

describe(batchMessages.name, () => {
  it('encodes an ordinary batch as one message, as encodeBatch does', () => {
    const records = Array.from({ length: 500 }, (_, i) => makeRecord({ message: `line ${i}` }));
    expect(batchMessages(records)).toEqual([{ records, body: encodeBatch(records) }]);
  });

  it('keeps 500 records of 60 KB each under 1 MiB a message, in order', () => {
    const records = Array.from({ length: 500 }, (_, i) =>
      makeRecord({ message: `${i} `.padEnd(60_000, 'x') }),
    );
    const sut = batchMessages(records);
    expect(sut.length).toBeGreaterThan(25);
    expect(sut.every(({ body }) => body.length <= MAX_BATCH_MESSAGE_BYTES)).toBe(true);
    expect(sut.flatMap((message) => message.records)).toEqual(records);
  });

  it('sends a lone record over the bound as a message of its own', () => {
    const big = makeRecord({ message: 'x'.repeat(2000) });
    const small = makeRecord({ message: 'y' });
    expect(batchMessages([small, big, small], 1000).map(({ records }) => records)).toEqual([
      [small],
      [big],
      [small],
    ]);
  });

  it('property: every message is the encoding of its records, under the bound unless one record is over it', () => {
    const record = fc
      .record({
        message: fc.string({ unit: 'binary', maxLength: 3000 }),
        service: fc.string({ maxLength: 20 }),
      })
      .map((fields) => makeRecord(fields));
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 40 }),
        fc.integer({ min: 50, max: 20_000 }),
        (records, maxBytes) => {
          const sut = batchMessages(records, maxBytes);
          expect(sut.flatMap((message) => message.records)).toEqual(records);
          for (const message of sut) {
            expect(message.body).toEqual(encodeBatch(message.records));
            if (message.records.length > 1) expect(message.body.length).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: propertyRuns(100) },
    );
  });
});

describe(toRoutedMessages.name, () => {
  it('groups by routing key, then keeps each message under both bounds', () => {
    const big = (host: string) =>
      makeRecord({ host, service: 's', severity: 'info', message: 'x'.repeat(600_000) });
    const sut = toRoutedMessages(
      [big('a'), big('b'), big('a'), makeRecord({ host: 'a', service: 's', severity: 'info' })],
      2,
    );
    expect(sut.map(({ routingKey, records }) => [routingKey, records.length])).toEqual([
      ['a.s.info', 1],
      ['a.s.info', 1],
      ['a.s.info', 1],
      ['b.s.info', 1],
    ]);
    expect(sut.every(({ body, records }) => body.equals(encodeBatch(records)))).toBe(true);
  });
});
