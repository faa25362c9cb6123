import { BrokerUnavailableError, LogsPublisher } from '@logyard/amqp';
import { LogRecord, makeRecord } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { metricValue } from '@logyard/testing';
import { SourceRunner } from './source-runner';

describe(SourceRunner.name, () => {
  let published: LogRecord[][];
  let publish: jest.Mock<Promise<void>, [LogRecord[]]>;
  let metrics: MetricsService;
  let sut: SourceRunner;
  const counted = (name: string, source: string) => metricValue(metrics.registry, name, { source });

  beforeEach(() => {
    published = [];
    publish = jest.fn(async (records: LogRecord[]) => void published.push(records));
    metrics = new MetricsService();
    sut = new SourceRunner({ publish } as unknown as LogsPublisher, metrics);
  });

  it('publishes the records once, then counts them and the errors, and hands the output back', async () => {
    const output = {
      records: [makeRecord(), makeRecord()],
      errors: [{ index: 2, error: 'bad' }],
      refused: 1,
    };
    await expect(sut.run('loki', output)).resolves.toBe(output);
    expect(published).toEqual([output.records]);
    await expect(counted('logyard_records_accepted_total', 'loki')).resolves.toBe(2);
    await expect(counted('logyard_records_rejected_total', 'loki')).resolves.toBe(1);
  });

  it('publishes nothing when a source refused every record, and counts every refusal, kept in full or not', async () => {
    await sut.run('otlp', { records: [], errors: ['a', 'b', 'c'], refused: 5 });
    expect(publish).not.toHaveBeenCalled();
    await expect(counted('logyard_records_rejected_total', 'otlp')).resolves.toBe(5);
  });

  it('counts nothing while the broker is away: the sender is answered 503 and sends everything again', async () => {
    publish.mockRejectedValueOnce(new BrokerUnavailableError('not connected'));
    const output = { records: [makeRecord()], errors: [{ index: 1, error: 'bad' }], refused: 1 };
    await expect(sut.run('http', output)).rejects.toBeInstanceOf(BrokerUnavailableError);
    await expect(counted('logyard_records_accepted_total', 'http')).resolves.toBe(0);
    await expect(counted('logyard_records_rejected_total', 'http')).resolves.toBe(0);
  });

  it('counts refusals made outside a run', async () => {
    sut.refused('syslog', 1);
    sut.refused('syslog', 1);
    await expect(counted('logyard_records_rejected_total', 'syslog')).resolves.toBe(2);
  });
});
