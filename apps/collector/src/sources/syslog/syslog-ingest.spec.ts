import { loadConfig } from '@logyard/config';
import { LogRecord } from '@logyard/contracts';
import { LogsPublisher } from '@logyard/amqp';
import { MetricsService } from '@logyard/observability';
import { metricValue, waitFor } from '@logyard/testing';
import { SourceRunner } from '../../source-runner';
import { MAX_PENDING_RECORDS, SyslogIngest } from './syslog-ingest';

const frame = (i: number) => Buffer.from(`<14>1 - web-1 app - - - line ${i}`);

describe(SyslogIngest.name, () => {
  let batches: LogRecord[][];
  let publish: jest.Mock<Promise<void>, [LogRecord[]]>;
  let metrics: MetricsService;
  let sut: SyslogIngest;
  const metric = (name: string, labels: Record<string, string>) =>
    metricValue(metrics.registry, name, labels);

  beforeEach(() => {
    batches = [];
    publish = jest.fn(async (records: LogRecord[]) => void batches.push(records));
    metrics = new MetricsService();
    sut = new SyslogIngest(
      loadConfig({ SYSLOG_LINGER_MS: '20' }),
      new SourceRunner({ publish } as unknown as LogsPublisher, metrics),
      metrics,
    );
  });

  it('publishes a full batch at once and the rest after the linger', async () => {
    const total = MAX_PENDING_RECORDS + 250;
    sut.accept(
      Array.from({ length: total }, (_, i) => frame(i)),
      '10.0.0.7',
    );
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(MAX_PENDING_RECORDS);
    await waitFor('every record published', () => batches.flat().length === total);
    expect(batches.flat().map((r) => r.message)).toEqual(
      Array.from({ length: total }, (_, i) => `line ${i}`),
    );
    expect(sut.load).toBe(0);
    await expect(metric('logyard_records_accepted_total', { source: 'syslog' })).resolves.toBe(total);
  });

  it('counts the records of a batch the broker refused as dropped', async () => {
    publish.mockRejectedValue(new Error('RabbitMQ is unavailable: not connected'));
    sut.accept([frame(1), frame(2), frame(3)], undefined);
    await sut.drain();
    await expect(
      metric('logyard_syslog_records_dropped_total', { reason: 'broker_unavailable' }),
    ).resolves.toBe(3);
    await expect(metric('logyard_records_accepted_total', { source: 'syslog' })).resolves.toBe(0);
  });

  it('counts a message that cannot become a record as rejected and publishes the rest', async () => {
    sut.accept([Buffer.from('<14>1 2026-13-45T00:00:00Z h a - - - bad time'), frame(1)], undefined);
    await sut.drain();
    expect(batches.flat().map((r) => r.message)).toEqual(['line 1']);
    await expect(metric('logyard_records_rejected_total', { source: 'syslog' })).resolves.toBe(1);
  });

  it('tells a listener after every publish, with the load already down', async () => {
    const loads: number[] = [];
    sut.onPublished(() => loads.push(sut.load));
    sut.accept([frame(1)], undefined);
    await sut.drain();
    expect(loads).toEqual([0]);
  });

  it('counts the bytes of the messages it holds until they are published', async () => {
    sut.accept([frame(1), frame(22), Buffer.from('<14>1 2026-13-45T00:00:00Z h a - - - refused')], undefined);
    expect(sut.heldBytes).toBe(frame(1).length + frame(22).length);
    await sut.drain();
    expect(sut.heldBytes).toBe(0);
  });
});
