import { LogRecord, makeRecord } from '@logyard/contracts';
import {
  DROP_REPORT_INTERVAL_MS,
  PublishOutcome,
  RecordShipper,
  RecordShipperOptions,
  RecordSink,
  RETRY_DELAY_MS,
  SinkEvents,
} from './record-shipper';

class FakeSink implements RecordSink {
  connected = true;
  closed = false;
  batches: LogRecord[][] = [];
  respond: (records: LogRecord[]) => Promise<PublishOutcome> = async () => ({
    unconfirmed: [],
    unroutable: 0,
  });

  isConnected(): boolean {
    return this.connected && !this.closed;
  }

  publish(records: LogRecord[]): Promise<PublishOutcome> {
    this.batches.push(records);
    return this.respond(records);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Holds the broker's answer to the next publish until the returned function confirms it; later ones answer as before. */
  holdNextConfirm(): () => void {
    const answer = this.respond;
    let confirm: (() => void) | undefined;
    this.respond = () => {
      this.respond = answer;
      return new Promise((resolve) => (confirm = () => resolve({ unconfirmed: [], unroutable: 0 })));
    };
    return () => {
      if (!confirm) throw new Error('nothing was published to confirm');
      confirm();
    };
  }
}

function makeShipper(options: Partial<RecordShipperOptions> = {}) {
  const sink = new FakeSink();
  const warnings: string[] = [];
  const gaps: number[] = [];
  let events!: SinkEvents;
  const sut = new RecordShipper(
    {
      maxBuffered: 100,
      flushIntervalMs: 50,
      maxBatchRecords: 10,
      destination: 'ly.ingest at amqp://h',
      ...options,
    },
    (given) => {
      events = given;
      return sink;
    },
    { warn: (text) => warnings.push(text), recovered: (dropped) => gaps.push(dropped) },
  );
  return { sut, sink, events, warnings, gaps };
}

const records = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => makeRecord({ message: `m${from + i}` }));
const messages = (batch: LogRecord[]) => batch.map((r) => r.message);

describe(RecordShipper.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('publishes after the flush interval, one batch for what arrived meanwhile', async () => {
    const { sut, sink } = makeShipper();
    records(3).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(49);
    expect(sink.batches).toEqual([]);
    expect(sut.stats()).toEqual({ published: 0, dropped: 0, buffered: 3 });
    await jest.advanceTimersByTimeAsync(1);
    expect(sink.batches.map(messages)).toEqual([['m0', 'm1', 'm2']]);
    expect(sut.stats()).toEqual({ published: 3, dropped: 0, buffered: 0 });
  });

  it('publishes full batches at once, oldest first', async () => {
    const { sut, sink } = makeShipper();
    records(25).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(sink.batches.flat().map((r) => r.message)).toEqual(records(25).map((r) => r.message));
  });

  it('keeps one publish in flight and counts its records as buffered', async () => {
    const { sut, sink } = makeShipper();
    const confirm = sink.holdNextConfirm();
    records(4).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(50);
    records(2, 4).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(500);
    expect(sink.batches).toHaveLength(1);
    expect(sut.stats()).toEqual({ published: 0, dropped: 0, buffered: 6 });
    confirm();
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.batches.map(messages)).toEqual([
      ['m0', 'm1', 'm2', 'm3'],
      ['m4', 'm5'],
    ]);
    expect(sut.stats()).toEqual({ published: 6, dropped: 0, buffered: 0 });
  });

  it('while the broker is away drops the oldest past maxBuffered, reports drops rate-limited, then recovers', async () => {
    const { sut, sink, events, warnings, gaps } = makeShipper();
    sink.connected = false;
    events.unavailable('connect ECONNREFUSED 127.0.0.1:1');
    events.unavailable('connect ECONNREFUSED 127.0.0.1:1');
    expect(warnings).toEqual([
      'cannot reach ly.ingest at amqp://h (connect ECONNREFUSED 127.0.0.1:1); buffering up to 100 log records and retrying',
    ]);

    records(250).forEach((r) => sut.add(r));
    expect(sut.stats()).toEqual({ published: 0, dropped: 150, buffered: 100 });
    await jest.advanceTimersByTimeAsync(0);
    expect(warnings[1]).toBe(
      'dropped 150 log records (150 since start): the buffer of 100 records is full while ly.ingest at amqp://h ' +
        'is unreachable (connect ECONNREFUSED 127.0.0.1:1)',
    );

    records(10, 250).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(DROP_REPORT_INTERVAL_MS - 1);
    expect(warnings).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(warnings[2]).toMatch(/^dropped 10 log records \(160 since start\): /);
    expect(sink.batches).toEqual([]);

    sink.connected = true;
    events.connected();
    expect(warnings[3]).toBe(
      'reconnected to ly.ingest at amqp://h; 160 log records were dropped while it was away, ' +
        '100 buffered records are being sent',
    );
    // Announced once a batch made room, so that the gap's own record displaces nothing.
    expect(gaps).toEqual([]);
    await jest.advanceTimersByTimeAsync(0);
    expect(gaps).toEqual([160]);
    expect(sink.batches.flat().map((r) => r.message)).toEqual(records(100, 160).map((r) => r.message));
    expect(sut.stats()).toEqual({ published: 100, dropped: 160, buffered: 0 });
  });

  it('says nothing on the first connect, and reports a return without drops as such', async () => {
    const { events, warnings, gaps } = makeShipper();
    events.connected();
    expect(warnings).toEqual([]);
    events.unavailable('connection closed');
    events.connected();
    expect(warnings[1]).toMatch(/; 0 log records were dropped while it was away/);
    expect(gaps).toEqual([]);
  });

  it('puts back what the broker did not confirm and retries it later', async () => {
    const { sut, sink, warnings } = makeShipper();
    sink.respond = async (batch) => ({
      unconfirmed: batch.slice(1),
      unroutable: 0,
      failure: 'message nacked',
    });
    records(3).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(50);
    expect(sut.stats()).toEqual({ published: 1, dropped: 0, buffered: 2 });
    expect(warnings).toEqual(['publishing to ly.ingest at amqp://h failed (message nacked); retrying']);
    sink.respond = async () => ({ unconfirmed: [], unroutable: 0 });
    await jest.advanceTimersByTimeAsync(RETRY_DELAY_MS);
    expect(sink.batches.map(messages)).toEqual([
      ['m0', 'm1', 'm2'],
      ['m1', 'm2'],
    ]);
    expect(sut.stats()).toEqual({ published: 3, dropped: 0, buffered: 0 });
  });

  it('treats a sink that throws like one that confirmed nothing', async () => {
    const { sut, sink, warnings } = makeShipper();
    sink.respond = async () => {
      throw new Error('boom');
    };
    records(2).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(50);
    expect(sut.stats()).toEqual({ published: 0, dropped: 0, buffered: 2 });
    expect(warnings).toEqual(['publishing to ly.ingest at amqp://h failed (boom); retrying']);
  });

  it('counts unroutable records as dropped and hints at the prefix', async () => {
    const { sut, sink, warnings } = makeShipper();
    sink.respond = async (batch) => ({ unconfirmed: [], unroutable: batch.length });
    records(4).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(51);
    expect(sut.stats()).toEqual({ published: 0, dropped: 4, buffered: 0 });
    expect(warnings).toEqual([
      'dropped 4 log records (4 since start): no queue is bound to ly.ingest at amqp://h; ' +
        'is Logyard running with this prefix?',
    ]);
  });

  it('counts and reports a record that could not be built', async () => {
    const { sut, warnings } = makeShipper();
    sut.discard('a log line could not become a record (bad)');
    await jest.advanceTimersByTimeAsync(0);
    expect(sut.stats().dropped).toBe(1);
    expect(warnings).toEqual([
      'dropped 1 log records (1 since start): a log line could not become a record (bad)',
    ]);
  });

  it('flushes on close without waiting for the interval, then closes the sink', async () => {
    const { sut, sink } = makeShipper({ flushIntervalMs: 60_000 });
    records(3).forEach((r) => sut.add(r));
    await sut.close(5_000);
    expect(sink.batches.map(messages)).toEqual([['m0', 'm1', 'm2']]);
    expect(sink.closed).toBe(true);
    expect(sut.stats()).toEqual({ published: 3, dropped: 0, buffered: 0 });
  });

  it('waits on close for a batch still awaiting its confirm', async () => {
    const { sut, sink } = makeShipper();
    const confirm = sink.holdNextConfirm();
    records(2).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(50);
    const closing = sut.close(5_000);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(sink.closed).toBe(false);
    confirm();
    await closing;
    expect(sink.closed).toBe(true);
    expect(sut.stats()).toEqual({ published: 2, dropped: 0, buffered: 0 });
  });

  it('gives up at the close deadline and counts what was left unsent', async () => {
    const { sut, sink, warnings } = makeShipper();
    sink.connected = false;
    records(5).forEach((r) => sut.add(r));
    const closing = sut.close(300);
    await jest.advanceTimersByTimeAsync(300);
    await closing;
    expect(sink.closed).toBe(true);
    expect(sut.stats()).toEqual({ published: 0, dropped: 5, buffered: 0 });
    expect(warnings).toEqual([
      'dropped 5 log records (5 since start): still unsent when the logger closed after 300 ms',
    ]);
    sut.add(makeRecord());
    expect(sut.stats().dropped).toBe(6);
  });

  it('counts a batch whose confirm never came before the deadline as dropped', async () => {
    const { sut, sink } = makeShipper();
    sink.respond = () => new Promise(() => undefined);
    records(4).forEach((r) => sut.add(r));
    await jest.advanceTimersByTimeAsync(50);
    const closing = sut.close(200);
    await jest.advanceTimersByTimeAsync(5_000);
    await closing;
    expect(sut.stats()).toEqual({ published: 0, dropped: 4, buffered: 0 });
  });
});
