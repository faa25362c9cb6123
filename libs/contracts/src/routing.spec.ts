import { MAX_ROUTING_TOKEN_LENGTH, parseRoutingKey, routingKey, routingToken } from './routing';
import { parseSeverity, Severity } from './severity';

describe(routingToken.name, () => {
  it.each([
    ['Web-1.prod', 'web-1_prod'],
    ['web-1.prod.example.com', 'web-1_prod_example_com'],
    ['*', '_'],
    ['#', '_'],
    ['a*b#c', 'a_b_c'],
    ['my service', 'my_service'],
    ['café', 'caf_'],
    ['😀x', '_x'],
    ['İ', '_'],
    ['under_score-dash09', 'under_score-dash09'],
    ['', 'unknown'],
  ])('turns %j into %j', (value, token) => {
    expect(routingToken(value)).toBe(token);
  });

  it('cuts tokens to 63 characters', () => {
    expect(routingToken('a'.repeat(100))).toBe('a'.repeat(MAX_ROUTING_TOKEN_LENGTH));
    expect(MAX_ROUTING_TOKEN_LENGTH).toBe(63);
  });

  it('counts a non-ASCII code point as one character when cutting', () => {
    expect(routingToken('😀'.repeat(100))).toBe('_'.repeat(63));
  });
});

describe(routingKey.name, () => {
  it('builds the example of the design', () => {
    const severity = parseSeverity('ERR');
    if (!severity.ok) throw new Error(severity.error);
    expect(routingKey({ host: 'Web-1.prod', service: 'checkout', severity: severity.value })).toBe(
      'web-1_prod.checkout.error',
    );
  });

  it('always has three words', () => {
    expect(routingKey({ host: '', service: 'a.b.c', severity: 'warn' })).toBe('unknown.a_b_c.warn');
  });
});

describe(parseRoutingKey.name, () => {
  it.each<[string, Severity]>([
    ['web-1.checkout.error', 'error'],
    ['web-1.checkout.ERR', 'error'],
    ['web-1.checkout.warning', 'warn'],
    ['web-1.checkout.50', 'error'],
  ])('reads %j', (key, severity) => {
    expect(parseRoutingKey(key)).toEqual({
      ok: true,
      value: { host: 'web-1', service: 'checkout', severity },
    });
  });

  it.each([['a.b'], ['a.b.c.d'], ['a..error'], ['.b.error'], ['a.b.'], ['']])('refuses %j', (key) => {
    expect(parseRoutingKey(key)).toEqual({
      ok: false,
      error: `routing key ${JSON.stringify(key)} must have three words: host.service.severity`,
    });
  });

  it('refuses an unknown severity word, naming it', () => {
    expect(parseRoutingKey('a.b.loud')).toEqual({
      ok: false,
      error: expect.stringMatching(/^routing key "a.b.loud": severity "loud" is not recognised; use trace/),
    });
  });
});
