import { loadConfig } from '@logyard/config';
import { LogRecord } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { waitFor } from '@logyard/testing';
import { RecordPublisher } from '../../record-publisher';
import { SyslogIngest } from './syslog-ingest';

const frame = (i: number) => Buffer.from(`<14>1 - web-1 app - - - line ${i}`);

describe(SyslogIngest.name, () => {
  let batches: LogRecord[][];
  let publish: jest.Mock<Promise<void>, [LogRecord[]]>;
  let metrics: MetricsService;
  let sut: SyslogIngest;
  const metric = async (name: string, labels: string) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) =>
      Object.entries(v.labels).every(([k, value]) => labels.includes(`${k}="${value}"`)),
    )?.value ?? 0;

  beforeEach(() => {
    batches = [];
    publish = jest.fn(async (records: LogRecord[]) => void batches.push(records));
    metrics = new MetricsService();
    sut = new SyslogIngest(
      loadConfig({ MAX_BATCH_RECORDS: '100' }),
      { publish } as unknown as RecordPublisher,
      metrics,
    );
  });

  it('publishes full batches at once and the rest after a short linger', async () => {
    sut.accept(
      Array.from({ length: 250 }, (_, i) => frame(i)),
      '10.0.0.7',
    );
    await waitFor('every record published', () => batches.flat().length === 250);
    expect(batches[0]).toHaveLength(100);
    expect(batches.flat().map((r) => r.message)).toEqual(Array.from({ length: 250 }, (_, i) => `line ${i}`));
    expect(sut.load).toBe(0);
    await expect(metric('logyard_records_accepted_total', 'source="syslog"')).resolves.toBe(250);
  });

  it('counts the records of a batch the broker refused as dropped', async () => {
    publish.mockRejectedValue(new Error('RabbitMQ is unavailable: not connected'));
    sut.accept([frame(1), frame(2), frame(3)], undefined);
    await sut.drain();
    await expect(metric('logyard_syslog_records_dropped_total', 'reason="broker_unavailable"')).resolves.toBe(
      3,
    );
    await expect(metric('logyard_records_accepted_total', 'source="syslog"')).resolves.toBe(0);
  });

  it('counts a message that cannot become a record as rejected and publishes the rest', async () => {
    sut.accept([Buffer.from('<14>1 2026-13-45T00:00:00Z h a - - - bad time'), frame(1)], undefined);
    await sut.drain();
    expect(batches.flat().map((r) => r.message)).toEqual(['line 1']);
    await expect(metric('logyard_records_rejected_total', 'source="syslog"')).resolves.toBe(1);
  });

  it('tells a listener after every publish, with the load already down', async () => {
    const loads: number[] = [];
    sut.onPublished(() => loads.push(sut.load));
    sut.accept([frame(1)], undefined);
    await sut.drain();
    expect(loads).toEqual([0]);
  });
});
