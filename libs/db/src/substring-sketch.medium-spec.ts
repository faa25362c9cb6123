import fc from 'fast-check';
import { Pool } from 'pg';
import { LogQuery, makeRecord, MAX_CONTAINS, MAX_CONTAINS_LENGTH } from '@logyard/contracts';
import { createMediumArchive, logQuery, MediumArchive, propertyRuns } from '@logyard/testing';
import { buildSketchSpanQuery, likePattern } from './log-query';
import { LogQueryRepository } from './log-query.repository';
import { LogRepository } from './log.repository';
import { PartitionRepository } from './partition.repository';
import { SKETCH_GRAM, sketchMessages, sketchProbe } from './substring-sketch';

/**
 * `contains=` through the substring sketches against PostgreSQL's own ILIKE over every row: the sketches
 * may only save reading, never lose a match (docs/design.md §5).
 */
describe('substring sketches on PostgreSQL', () => {
  let archive: MediumArchive;
  let writes: Pool;
  let sut: LogQueryRepository;
  const query = (overrides: Partial<LogQuery>) => logQuery({ limit: 1_000, ...overrides });
  const at = (hour: number, second = 0) =>
    new Date(Date.UTC(2026, 0, 15, hour, 0, second)).toISOString().replace('Z', '000Z');
  const ids = async (overrides: Partial<LogQuery>) =>
    (await sut.findPage(query(overrides))).records.map((record) => record.id).sort();
  const ilike = async (substrings: string[]) => {
    const where = substrings.map((_, i) => `message ILIKE $${i + 1} ESCAPE '\\'`).join(' AND ');
    const { rows } = await writes.query<{ id: string }>(
      `SELECT id FROM logs WHERE ${where} ORDER BY id`,
      substrings.map(likePattern),
    );
    return rows.map((row) => row.id);
  };
  const sketchCount = async () =>
    Number((await writes.query<{ n: string }>('SELECT count(*) AS n FROM log_sketches')).rows[0].n);

  beforeAll(async () => {
    archive = await createMediumArchive();
    ({ writes, reads: sut } = archive);
  });

  afterAll(() => archive?.close());

  beforeEach(async () => {
    await writes.query('TRUNCATE logs');
    await writes.query('DELETE FROM log_sketches');
  });

  it("files one span per hour of ts a batch touches, with the sketch of that hour's messages", async () => {
    const logs = new LogRepository(writes);
    await logs.insertBatch([
      makeRecord({ ts: at(1), message: 'connection timeout to db-7' }),
      makeRecord({ ts: at(1, 30), message: 'retrying in 5s' }),
      makeRecord({ ts: at(3), message: 'payment declined' }),
    ]);

    const { rows } = await writes.query<{ first: Date; last: Date; grams: Buffer }>(
      'SELECT first_ts AS first, last_ts AS last, grams FROM log_sketches ORDER BY 1',
    );
    expect(rows).toEqual([
      {
        first: new Date(at(1)),
        last: new Date(at(1, 30)),
        grams: sketchMessages(['connection timeout to db-7', 'retrying in 5s']),
      },
      { first: new Date(at(3)), last: new Date(at(3)), grams: sketchMessages(['payment declined']) },
    ]);
  });

  it("files the single sketch of the previous release's archiver for every hour, during an upgrade", async () => {
    const record = makeRecord({ ts: at(5), message: 'payment declined' });
    const sketch = sketchMessages([record.message]);
    const client = await writes.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('logyard.sketch', $1, true)`, [sketch.toString('base64')]);
      await client.query(
        `INSERT INTO logs (id, ts, observed_ts, host, service, severity, message)
         VALUES ($1, $2, $2, 'h', 's', 9, $3)`,
        [record.id, record.ts, record.message],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }

    const { rows } = await writes.query<{ grams: Buffer }>('SELECT grams FROM log_sketches');
    expect(rows).toEqual([{ grams: sketch }]);
  });

  it("reads a rare substring's batch alone, and still finds rows written without a sketch", async () => {
    const logs = new LogRepository(writes);
    for (let hour = 0; hour < 6; hour++) {
      await logs.insertBatch(
        Array.from({ length: 50 }, (_, i) =>
          makeRecord({ ts: at(hour, i), message: `GET /health ${hour}-${i} ok` }),
        ),
      );
    }
    const rare = makeRecord({ ts: at(2, 59), message: 'payment user=7f3a9c01d2e4 declined' });
    await logs.insertBatch([rare]);
    // A backfill's plain INSERT hands no sketch: its span is always read.
    const unsketched = makeRecord({ ts: at(4, 59), message: 'refund user=7F3A9C01D2E4 queued' });
    await writes.query(
      `INSERT INTO logs (id, ts, observed_ts, host, service, severity, message)
       VALUES ($1, $2, $2, 'h', 's', 9, $3)`,
      [unsketched.id, unsketched.ts, unsketched.message],
    );

    expect(await ids({ contains: ['USER=7f3a9c01d2e4'] })).toEqual([rare.id, unsketched.id].sort());
    expect(await ids({ contains: ['user=7f3a9c01d2e4', 'declined'] })).toEqual([rare.id]);
    expect(await ids({ contains: ['user=000000000000'] })).toEqual([]);
    // Of the eight spans, the rare record's and the unsketched one may hold it.
    const spans = buildSketchSpanQuery(query({}), sketchProbe(['USER=7f3a9c01d2e4']));
    expect((await writes.query(spans.text, spans.values)).rows).toHaveLength(2);
    expect(await sketchCount()).toBe(8);
  });

  it('property: finds exactly what ILIKE over every row finds', async () => {
    const logs = new LogRepository(writes);
    const alphabet = fc.constantFrom(...'abcKk\u212aIi\u0130\u0131 =-_%\\é'.split(''));
    const message = fc.array(alphabet, { maxLength: 24 }).map((chars) => chars.join(''));
    const batches = fc.array(fc.array(message, { minLength: 1, maxLength: 8 }), {
      minLength: 1,
      maxLength: 4,
    });
    // A substring typed anew, or cut from a stored message and re-cased the ways ILIKE forgives.
    const twins: Record<string, string> = {
      a: 'A',
      k: '\u212a',
      K: 'k',
      '\u212a': 'K',
      i: '\u0130',
      '\u0130': 'I',
    };
    const cut = fc.record({ message: fc.nat(), start: fc.nat(), length: fc.nat(), recase: fc.boolean() });
    const substring = fc.oneof(message, cut);
    await fc.assert(
      fc.asyncProperty(
        batches,
        fc.array(substring, { minLength: 1, maxLength: 2 }),
        async (written, wanted) => {
          await writes.query('TRUNCATE logs');
          await writes.query('DELETE FROM log_sketches');
          let second = 0;
          for (const batch of written) {
            await logs.insertBatch(batch.map((text) => makeRecord({ ts: at(5, second++), message: text })));
          }
          const stored = written.flat();
          const substrings = wanted.map((want) => {
            if (typeof want === 'string') return want;
            const text = stored[want.message % stored.length];
            const from = want.start % (text.length + 1);
            const piece = text.slice(from, from + (want.length % (text.length - from + 1)));
            return want.recase ? [...piece].map((char) => twins[char] ?? char).join('') : piece;
          });
          expect(await ids({ contains: substrings })).toEqual(await ilike(substrings));
        },
      ),
      { numRuns: propertyRuns(150) },
    );
  }, 120_000);

  it('reads one chunk of a large sketch per gram, not the whole sketch', async () => {
    // The largest sketch, every bit set, so that every gram of the probe is looked at.
    await writes.query(
      `INSERT INTO log_sketches (first_ts, last_ts, grams) VALUES ($1, $1, decode(repeat('ff', 1048576), 'hex'))`,
      [at(1)],
    );
    // The most grams a query can probe: MAX_CONTAINS substrings of MAX_CONTAINS_LENGTH characters.
    const grams = MAX_CONTAINS * (MAX_CONTAINS_LENGTH - SKETCH_GRAM + 1);
    const probe = Array.from({ length: grams }, (_, i) => i * 2_654_435_761);
    const spans = buildSketchSpanQuery(query({}), probe);

    const { rows } = await writes.query<{ 'QUERY PLAN': [{ Plan: Record<string, number> }] }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${spans.text}`,
      spans.values,
    );
    const plan = rows[0]['QUERY PLAN'][0].Plan;
    expect(plan['Actual Rows']).toBe(1);
    // A few index and heap pages of the TOAST table a gram; the whole sketch is 526 chunks.
    expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(probe.length * 10);
  });

  it('forgets the spans older than every row left after retention', async () => {
    const logs = new LogRepository(writes);
    await logs.insertBatch([makeRecord({ ts: at(1) })]);
    await logs.insertBatch([makeRecord({ ts: at(7) })]);
    await writes.query(`DELETE FROM logs WHERE ts < $1`, [at(2)]);
    expect(await sketchCount()).toBe(2);

    const outcome = await new PartitionRepository(writes).applyRetention(() => ({
      dropDays: [],
      dropSeverities: [],
      cutoffs: {
        trace: new Date(0),
        debug: new Date(0),
        info: new Date(0),
        warn: new Date(0),
        error: new Date(0),
        fatal: new Date(0),
      },
    }));

    expect(outcome.failures).toEqual([]);
    expect(await sketchCount()).toBe(1);
  });
});
