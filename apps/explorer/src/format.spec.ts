import { describeTime, toLocalInput } from './format';

describe(describeTime.name, () => {
  it.each([
    ['now-1h', 'now-1h'],
    ['2026-11-30T10:00:00Z', '2026-11-30 10:00:00.000'],
    ['1700000000000', '2023-11-14 22:13:20.000'],
  ])('shows %j as %j', (value, shown) => {
    expect(describeTime(value)).toBe(shown);
  });

  it.each([['x'], [' now-1h'], ['2026-13-40'], ['9'.repeat(30)]])(
    'shows %j, which is no time, as given rather than throwing',
    (value) => {
      expect(describeTime(value)).toBe(value);
    },
  );
});

describe(toLocalInput.name, () => {
  it.each([
    ['', ''],
    ['now-15m', ''],
    ['1700000000000', '2023-11-14T22:13:20'],
    ['x', ''],
  ])('fills the custom range input from %j with %j', (value, input) => {
    expect(toLocalInput(value)).toBe(input);
  });
});
