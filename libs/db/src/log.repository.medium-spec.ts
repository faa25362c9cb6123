import { randomBytes } from 'node:crypto';
import { LogRecord, makeRecord } from '@logyard/contracts';
import { createMediumArchive, DatabaseProbe, MediumArchive } from '@logyard/testing';
import { isRefusedData } from './database';
import { LogQueryRepository } from './log-query.repository';
import { LogRepository } from './log.repository';

/** The archiver's write path (COPY, and INSERT … ON CONFLICT for batches holding stored records) on a real PostgreSQL. */
describe('archive writes: LogRepository.insertBatch', () => {
  let archive: MediumArchive;
  let logs: LogRepository;
  let reads: LogQueryRepository;
  let db: DatabaseProbe;
  const count = () => db.scalar<number>('SELECT count(*)::int FROM logs');

  beforeAll(async () => {
    archive = await createMediumArchive();
    logs = new LogRepository(archive.writes);
    reads = archive.reads;
    db = await DatabaseProbe.open(archive.database.url);
  });

  afterAll(async () => {
    await db?.close();
    await archive?.close();
  });

  beforeEach(() => db.rows('TRUNCATE logs'));

  it('stores text that COPY must escape exactly as sent (NUL and lone surrogates as U+FFFD)', async () => {
    const awkward = 'tab\there\nnewline\r\nCRLF back\\slash \\N \\. "quoted" emoji 🚀 ünïcödé';
    const records: LogRecord[] = [
      makeRecord({
        host: `web\t1\\${awkward}`,
        service: awkward,
        message: awkward,
        attributes: { path: 'C:\\logs\\app', nested: { list: [1, 'two\n', null] }, line: awkward },
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
      }),
      makeRecord({ message: 'with\u0000nul', attributes: { k: 'v\u0000' } }),
      makeRecord({ message: '' }),
      // jsonb refuses NUL and lone surrogates in keys as in values; the text columns take them as U+FFFD.
      makeRecord({ message: 'lone \ud800', attributes: { 'k\u0000\udc00': 'v\ud800 \ud83d\ude80' } }),
    ];
    expect(await logs.insertBatch(records)).toBe(4);
    expect(await reads.findById(records[0].id)).toEqual(records[0]);
    expect(await reads.findById(records[1].id)).toEqual({
      ...records[1],
      message: 'with\ufffdnul',
      attributes: { k: 'v\ufffd' },
    });
    expect(await reads.findById(records[2].id)).toEqual(records[2]);
    expect(await reads.findById(records[3].id)).toEqual({
      ...records[3],
      message: 'lone \ufffd',
      attributes: { 'k\ufffd\ufffd': 'v\ufffd \ud83d\ude80' },
    });
  });

  it('stores a redelivered batch once: a batch of stored records adds nothing, a partly stored one adds the rest', async () => {
    const first = Array.from({ length: 500 }, (_, i) => makeRecord({ message: `first ${i}` }));
    const second = Array.from({ length: 300 }, (_, i) => makeRecord({ message: `second ${i}` }));
    expect(await logs.insertBatch(first)).toBe(500);
    expect(await logs.insertBatch(first)).toBe(0);
    expect(await logs.insertBatch([...second, ...first.slice(0, 100)])).toBe(300);
    expect(await count()).toBe(800);
  });

  it('stores a record that appears twice in one batch once', async () => {
    const record = makeRecord();
    expect(await logs.insertBatch([record, makeRecord(), record])).toBe(2);
    expect(await count()).toBe(2);
  });

  it('refuses a batch holding a row PostgreSQL cannot store, as refused data, and stores none of it', async () => {
    // Too large for a btree entry of the (host, ts) index, even compressed.
    const poison = makeRecord({ host: randomBytes(6000).toString('hex') });
    const error = await logs.insertBatch([makeRecord(), poison]).catch((e: unknown) => e);
    expect(isRefusedData(error)).toBe(true);
    expect(await count()).toBe(0);
    // The connection that saw the refusal goes back to the pool in working order.
    expect(await logs.insertBatch([makeRecord()])).toBe(1);
  });
});
