import { ConsoleLogger } from '@nestjs/common';
import { hostname } from 'node:os';
import { MAX_NAME_LENGTH, MAX_RECORDS_PER_MESSAGE } from '@logyard/contracts';
import { resolveSdkOptions, SDK_DEFAULTS } from './sdk-options';

describe(resolveSdkOptions.name, () => {
  it('fills in the defaults', () => {
    const options = resolveSdkOptions({ service: 'checkout' });
    expect(options).toEqual({
      service: 'checkout',
      url: 'amqp://guest:guest@127.0.0.1:5672',
      prefix: 'logyard',
      host: hostname(),
      maxBuffered: 10_000,
      flushIntervalMs: 50,
      maxBatchRecords: 500,
      console: expect.any(ConsoleLogger),
      logLevels: SDK_DEFAULTS.logLevels,
    });
  });

  it('keeps what the host gives, including its own console logger or none', () => {
    const console = new ConsoleLogger({ json: true });
    expect(resolveSdkOptions({ service: 's', host: 'web-1.prod', console })).toMatchObject({
      host: 'web-1.prod',
      console,
    });
    expect(resolveSdkOptions({ service: 's', console: false }).console).toBe(false);
  });

  it('lists every unusable option at once', () => {
    expect(() =>
      resolveSdkOptions({ service: ' ', maxBuffered: 0, flushIntervalMs: 2.5, prefix: '' }),
    ).toThrow(
      'LogyardLogger: service must be a non-empty string; prefix must be a non-empty string; ' +
        'maxBuffered must be a positive integer, got 0; flushIntervalMs must be a positive integer, got 2.5',
    );
  });

  it('refuses batches larger than Logyard reads from one message', () => {
    expect(
      resolveSdkOptions({ service: 's', maxBatchRecords: MAX_RECORDS_PER_MESSAGE }).maxBatchRecords,
    ).toBe(MAX_RECORDS_PER_MESSAGE);
    expect(() => resolveSdkOptions({ service: 's', maxBatchRecords: MAX_RECORDS_PER_MESSAGE + 1 })).toThrow(
      `LogyardLogger: maxBatchRecords must be a positive integer of at most ${MAX_RECORDS_PER_MESSAGE}, got ${MAX_RECORDS_PER_MESSAGE + 1}`,
    );
  });

  it('refuses a service or host longer than Logyard stores', () => {
    expect(() =>
      resolveSdkOptions({ service: 's'.repeat(MAX_NAME_LENGTH + 1), host: 'h'.repeat(MAX_NAME_LENGTH) }),
    ).toThrow(
      `LogyardLogger: service must be at most ${MAX_NAME_LENGTH} characters, got ${MAX_NAME_LENGTH + 1}`,
    );
  });

  it("takes a cluster's nodes as a comma-separated url, as AMQP_URL does", () => {
    const url = 'amqp://rabbit-1:5672,amqp://rabbit-2:5672';
    expect(resolveSdkOptions({ service: 's', url }).url).toBe(url);
    expect(() => resolveSdkOptions({ service: 's', url: ' , ' })).toThrow(
      'LogyardLogger: url must name at least one URL',
    );
  });

  it('refuses a missing service even from untyped callers', () => {
    expect(() => resolveSdkOptions({} as { service: string })).toThrow(/service must be a non-empty string/);
  });
});
