import {
  MAX_ROUTING_TOKEN_LENGTH,
  parseRoutingKey,
  routingKey,
  routingToken,
  shorterRoutingKeys,
} from './routing';
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

  it.each<[string, string, Severity]>([
    ['error', 'unknown', 'error'],
    ['warning', 'unknown', 'warn'],
    ['INFO', 'unknown', 'info'],
    ['test.info', 'test', 'info'],
    ['error.apache', 'apache', 'error'],
    ['Checkout.ERR', 'Checkout', 'error'],
  ])('reads the tutorial key %j as service %j, severity %j, host unknown', (key, service, severity) => {
    expect(parseRoutingKey(key)).toEqual({ ok: true, value: { host: 'unknown', service, severity } });
  });

  it.each([['test.mysql'], ['checkout'], ['checkout.50'], ['7'], ['constructor']])(
    'refuses the short key %j, which has no severity word, naming the accepted shapes',
    (key) => {
      expect(parseRoutingKey(key)).toEqual({
        ok: false,
        error:
          `routing key ${JSON.stringify(key)} has no severity word; use host.service.severity, service.severity ` +
          `or severity (e.g. web-1.checkout.error, checkout.error, error), with one severity word ` +
          `(trace, debug, info, warn, error, fatal or an alias such as warning)`,
      });
    },
  );

  it.each([['info.error'], ['warning.warn'], ['log.info']])(
    'refuses the key %j, which has two severity words',
    (key) => {
      expect(parseRoutingKey(key)).toEqual({
        ok: false,
        error: expect.stringMatching(
          /has two severity words; use host\.service\.severity, service\.severity or severity/,
        ),
      });
    },
  );

  it.each([['a.b.c.d'], ['a..error'], ['.b.error'], ['a.b.'], ['.error'], ['']])('refuses %j', (key) => {
    expect(parseRoutingKey(key)).toEqual({
      ok: false,
      error:
        `routing key ${JSON.stringify(key)} must be host.service.severity, service.severity or severity ` +
        `(e.g. web-1.checkout.error, checkout.error, error)`,
    });
  });

  it.each([['loud'], ['constructor'], ['__proto__']])(
    'refuses the unknown severity word %j, naming it',
    (word) => {
      expect(parseRoutingKey(`a.b.${word}`)).toEqual({
        ok: false,
        error: expect.stringContaining(
          `routing key "a.b.${word}": severity "${word}" is not recognised; use trace`,
        ),
      });
    },
  );
});

describe(shorterRoutingKeys.name, () => {
  it('gives the service.severity and severity keys of a host.service.severity key', () => {
    expect(shorterRoutingKeys('web-1_prod.checkout.error')).toEqual(['checkout.error', 'error']);
    expect(shorterRoutingKeys(routingKey({ host: 'a.b', service: 'c.d', severity: 'warn' }))).toEqual([
      'c_d.warn',
      'warn',
    ]);
  });
});
