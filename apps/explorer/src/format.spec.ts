import { describeTime, toLocalInput } from './format';

describe(describeTime.name, () => {
  it('shows a relative, an ISO and an epoch-ms time as the range line reads them', () => {
    expect(['now-1h', '2026-11-30T10:00:00Z', '1700000000000'].map(describeTime)).toEqual([
      'now-1h',
      '2026-11-30 10:00:00.000',
      '2023-11-14 22:13:20.000',
    ]);
  });

  it('shows what is no time as given rather than throwing', () => {
    const noTimes = ['x', ' now-1h', '2026-13-40', '9'.repeat(30)];
    expect(noTimes.map(describeTime)).toEqual(noTimes);
  });
});

describe(toLocalInput.name, () => {
  it('fills the custom range inputs from absolute times only', () => {
    expect(['', 'now-15m', '1700000000000', 'x'].map(toLocalInput)).toEqual([
      '',
      '',
      '2023-11-14T22:13:20',
      '',
    ]);
  });
});
