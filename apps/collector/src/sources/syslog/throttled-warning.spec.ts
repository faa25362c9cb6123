import { Logger } from '@nestjs/common';
import { ThrottledWarning } from './throttled-warning';

describe(ThrottledWarning.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('logs the first time, then at most once per interval with the count since', () => {
    const logger = { warn: jest.fn() } as unknown as Logger;
    const sut = new ThrottledWarning(logger, 1000);
    const describe = (n: number) => `dropped ${n}`;
    sut.report(3, describe);
    sut.report(2, describe);
    jest.advanceTimersByTime(500);
    sut.report(4, describe);
    jest.advanceTimersByTime(500);
    sut.report(1, describe);
    sut.report(5, describe);
    sut.flush(describe);
    sut.flush(describe);
    expect(jest.mocked(logger.warn).mock.calls).toEqual([['dropped 3'], ['dropped 7'], ['dropped 5']]);
  });
});
