import { createHmac } from 'node:crypto';
import { makeRecord } from '@logyard/contracts';
import {
  alertmanagerAlertsUrl,
  alertmanagerPayload,
  notificationBody,
  signature,
  TransitionFacts,
} from './alert-notification';

const at = new Date('2026-11-30T18:00:10.000Z');
const facts: TransitionFacts = {
  id: '0190f5d2-0000-7000-8000-000000000001',
  ruleId: '0190f5d2-0000-7000-8000-000000000002',
  slug: 'checkout_errors',
  spec: {
    name: 'Checkout errors',
    threshold: 2,
    window: '30s',
    service: ['checkout', 'cart'],
    minSeverity: 'error',
    'attr.region': 'eu',
    webhook: 'http://hooks.example/x',
  },
  state: 'firing',
  at,
  since: at,
  count: 2,
  fromMs: Date.parse('2026-11-30T17:59:41.000Z'),
  toMs: Date.parse('2026-11-30T18:00:11.000Z'),
  recent: [
    makeRecord({ ts: '2026-11-30T17:59:00.000000Z', message: 'before the window' }),
    makeRecord({ ts: '2026-11-30T18:00:01.000000Z', message: 'one' }),
    makeRecord({ ts: '2026-11-30T18:00:02.000000Z', message: 'two' }),
  ],
};

describe(notificationBody.name, () => {
  it("links the explorer with the API's parameters and keeps only samples from the window, newest first", () => {
    const body = notificationBody(facts, 'https://logs.example.com', true);
    expect(body).toMatchObject({
      state: 'firing',
      count: 2,
      from: '2026-11-30T17:59:41.000Z',
      to: '2026-11-30T18:00:11.000Z',
      since: at.toISOString(),
    });
    expect(body.samples.map((record) => record.message)).toEqual(['two', 'one']);
    const url = new URL(body.url);
    expect(url.origin + url.pathname).toBe('https://logs.example.com/');
    expect(url.searchParams.getAll('service')).toEqual(['checkout', 'cart']);
    expect(url.searchParams.get('attr.region')).toBe('eu');
    expect(url.searchParams.get('from')).toBe(body.from);
    expect(url.searchParams.has('webhook')).toBe(false);
  });

  it('links the API when the explorer is not built', () => {
    expect(notificationBody(facts, 'http://localhost:3000', false).url).toMatch(
      /^http:\/\/localhost:3000\/api\/logs\?/,
    );
  });
});

describe(alertmanagerAlertsUrl.name, () => {
  it("posts under the base's path, its query kept", () => {
    const bases = [
      'http://alertmanager:9093',
      'http://alertmanager:9093/',
      'https://proxy.example/am//',
      'https://proxy.example/am?tenant=a#top',
    ];
    expect(bases.map(alertmanagerAlertsUrl)).toEqual([
      'http://alertmanager:9093/api/v2/alerts',
      'http://alertmanager:9093/api/v2/alerts',
      'https://proxy.example/am/api/v2/alerts',
      'https://proxy.example/am/api/v2/alerts?tenant=a',
    ]);
  });
});

describe(alertmanagerPayload.name, () => {
  it('gives one v2 alert, without endsAt while firing and with it once resolved', () => {
    const firing = alertmanagerPayload(notificationBody(facts, 'https://l', true));
    expect(firing).toEqual([
      {
        labels: { alertname: 'Checkout errors', rule: 'checkout_errors', source: 'logyard' },
        annotations: expect.objectContaining({ count: '2', threshold: '2', window: '30s' }),
        startsAt: at.toISOString(),
        generatorURL: expect.stringMatching(/^https:\/\/l\/\?/),
      },
    ]);
    const later = new Date('2026-11-30T18:01:00.000Z');
    const resolved = alertmanagerPayload(
      notificationBody({ ...facts, state: 'resolved', at: later, since: at, count: 0 }, 'https://l', true),
    );
    expect(resolved[0]).toMatchObject({ startsAt: at.toISOString(), endsAt: later.toISOString() });
  });
});

describe(signature.name, () => {
  it('is the hex HMAC-SHA256 of the exact bytes', () => {
    const body = Buffer.from('{"a":1}');
    expect(signature('a-long-shared-secret', body)).toBe(
      `sha256=${createHmac('sha256', 'a-long-shared-secret').update(body).digest('hex')}`,
    );
  });
});
