import {
  alertRuleCreateSchema,
  alertRulePatchSchema,
  parseAlertBody,
  parseWindow,
  ruleFilterParams,
  ruleSlug,
  windowBucketSeconds,
} from './alert-rule';

const valid = { name: 'Checkout errors', threshold: 5, window: '1m', webhook: 'http://127.0.0.1:9/hook' };

describe('alert rule bodies', () => {
  it('accepts a rule with filters, attr.<key> and a target', () => {
    const body = {
      ...valid,
      service: 'checkout',
      minSeverity: 'error',
      'attr.region': 'eu',
      contains: ['timeout'],
    };
    const parsed = parseAlertBody(alertRuleCreateSchema, body);
    expect(parsed).toEqual({ ok: true, value: body });
    expect(parsed.ok && ruleFilterParams(parsed.value)).toEqual({
      service: 'checkout',
      minSeverity: 'error',
      'attr.region': 'eu',
      contains: ['timeout'],
    });
  });

  it.each([
    [{ ...valid, servce: 'x' }, 'servce', 'unknown field'],
    [{ ...valid, window: '29s' }, 'window', 'from 30s to 24h'],
    [{ ...valid, window: '25h' }, 'window', 'from 30s to 24h'],
    [{ ...valid, window: '3601s' }, 'window', 'whole minutes'],
    [{ ...valid, window: 'soon' }, 'window', 'unit'],
    [{ ...valid, threshold: 0 }, 'threshold', ''],
    [{ ...valid, threshold: 1.5 }, 'threshold', ''],
    [{ name: 'x', threshold: 1, window: '1m' }, 'webhook', 'a webhook or an alertmanager'],
    [{ ...valid, webhook: 'ftp://x/' }, 'webhook', 'http or https'],
    [{ ...valid, webhook: 'http://user:pw@x/' }, 'webhook', 'without credentials'],
    [{ ...valid, 'attr.region': 5 }, 'attr.region', 'string'],
    [{ ...valid, secret: 'short' }, 'secret', ''],
  ])('refuses %j naming %s', (body, field, message) => {
    const parsed = parseAlertBody(alertRuleCreateSchema, body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.field).toBe(field);
      expect(parsed.error.message).toContain(message);
    }
  });

  it('refuses a body that is not an object', () => {
    expect(parseAlertBody(alertRuleCreateSchema, [valid])).toMatchObject({
      ok: false,
      error: { field: 'body' },
    });
  });

  it('patches with null to remove a field, and refuses unknown ones', () => {
    expect(parseAlertBody(alertRulePatchSchema, { service: null, threshold: 3 })).toEqual({
      ok: true,
      value: { service: null, threshold: 3 },
    });
    expect(parseAlertBody(alertRulePatchSchema, { nme: 'x' })).toMatchObject({
      ok: false,
      error: { field: 'nme' },
    });
    expect(parseAlertBody(alertRulePatchSchema, { threshold: null })).toMatchObject({
      ok: false,
      error: { field: 'threshold' },
    });
  });
});

describe(parseWindow.name, () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['90m', 5400],
    ['24h', 86400],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseWindow(text)).toEqual({ ok: true, value: seconds });
  });
});

describe(windowBucketSeconds.name, () => {
  it('counts windows up to an hour by the second and longer ones in at most 3,600 exact buckets', () => {
    expect(windowBucketSeconds(30)).toBe(1);
    expect(windowBucketSeconds(3600)).toBe(1);
    for (let minutes = 61; minutes <= 1440; minutes++) {
      const seconds = minutes * 60;
      const width = windowBucketSeconds(seconds);
      expect(seconds % width).toBe(0);
      expect(seconds / width).toBeLessThanOrEqual(3600);
    }
  });
});

describe(ruleSlug.name, () => {
  it('is one routing word', () => {
    expect(ruleSlug('Checkout errors.EU')).toBe('checkout_errors_eu');
  });
});
