import { loadConfig } from '@logyard/config';
import { IngestRateLimiter } from './ingest-rate-limiter';

describe(IngestRateLimiter.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-30T12:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  // 100 bytes per second, 1,000 at once: a window of 10 s.
  const limiter = () =>
    new IngestRateLimiter(loadConfig({ INGEST_RATE_LIMIT: '100', INGEST_RATE_BURST: '1000' }));

  it('admits a sender until its burst is spent, then until its window ends', async () => {
    const sut = limiter();
    await expect(sut.admit('a')).resolves.toEqual({ ok: true });
    await sut.charge('a', 999);
    await expect(sut.admit('a')).resolves.toEqual({ ok: true });
    await sut.charge('a', 1);
    await expect(sut.admit('a')).resolves.toEqual({ ok: false, retryAfterSeconds: 10 });
    jest.advanceTimersByTime(10_001);
    await expect(sut.admit('a')).resolves.toEqual({ ok: true });
  });

  it('lets one body larger than what is left through and makes its sender wait off the overdraft', async () => {
    const sut = limiter();
    await sut.charge('a', 1500);
    // The 10 s window, then 500 bytes over at 100 bytes per second.
    await expect(sut.admit('a')).resolves.toEqual({ ok: false, retryAfterSeconds: 15 });
    jest.advanceTimersByTime(14_000);
    await expect(sut.admit('a')).resolves.toMatchObject({ ok: false });
    jest.advanceTimersByTime(1_001);
    await expect(sut.admit('a')).resolves.toEqual({ ok: true });
  });

  it('keeps each sender to its own budget', async () => {
    const sut = limiter();
    await sut.charge('noisy', 5000);
    await expect(sut.admit('noisy')).resolves.toMatchObject({ ok: false });
    await expect(sut.admit('quiet')).resolves.toEqual({ ok: true });
  });

  it('admits everything when INGEST_RATE_LIMIT is 0', async () => {
    const sut = new IngestRateLimiter(loadConfig({ INGEST_RATE_LIMIT: '0' }));
    await sut.charge('a', 10 ** 12);
    await expect(sut.admit('a')).resolves.toEqual({ ok: true });
  });
});
