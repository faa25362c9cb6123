import { err, ok } from './result';

describe('Result', () => {
  it('wraps a value', () => {
    expect(ok(42)).toEqual({ ok: true, value: 42 });
  });

  it('wraps an error message', () => {
    expect(err('message is required')).toEqual({ ok: false, error: 'message is required' });
  });
});
