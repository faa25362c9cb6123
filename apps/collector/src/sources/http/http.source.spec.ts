import { loadConfig } from '@logyard/config';
import { LogRecord } from '@logyard/contracts';
import { LogsPublisher } from '@logyard/amqp';
import { MetricsService } from '@logyard/observability';
import { SourceRunner } from '../../source-runner';
import { HttpSource } from './http.source';
import { REFUSALS_KEPT } from '../../source-runner';

describe(HttpSource.name, () => {
  let published: LogRecord[];
  let sut: HttpSource;

  beforeEach(() => {
    published = [];
    const publish = jest.fn(async (records: LogRecord[]) => void published.push(...records));
    sut = new HttpSource(
      loadConfig({}),
      new SourceRunner({ publish } as unknown as LogsPublisher, new MetricsService()),
    );
  });

  it('names the first 100 refused records and counts the rest, however many a body holds', async () => {
    const lines = ['{"message":"kept"}', ...Array.from({ length: 100_000 }, () => 'a')].join('\n');
    const result = await sut.ingest(Buffer.from(lines), 'application/x-ndjson');
    expect(result).toMatchObject({ accepted: 1, rejected: 100_000, errorsOmitted: 100_000 - REFUSALS_KEPT });
    expect(result.errors.map((error) => error.index)).toEqual(
      Array.from({ length: REFUSALS_KEPT }, (_, i) => i + 1),
    );
    expect(published.map((record) => record.message)).toEqual(['kept']);
  });

  it('lists every refused record, without errorsOmitted, up to the cap', async () => {
    const lines = Array.from({ length: REFUSALS_KEPT }, () => 'a').join('\n');
    const result = await sut.ingest(Buffer.from(lines), 'application/x-ndjson');
    expect(result).toEqual({ accepted: 0, rejected: REFUSALS_KEPT, errors: expect.any(Array) });
    expect(result.errors).toHaveLength(REFUSALS_KEPT);
  });
});
