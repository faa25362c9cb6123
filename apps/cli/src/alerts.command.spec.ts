import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AlertRuleBody } from '@logyard/contracts';
import { addAlert, formatAlertLine, listAlerts, removeAlert, ruleBody } from './alerts.command';
import { CliError, EXIT_USAGE } from './cli-error';

const rule: AlertRuleBody = {
  id: '0190f5d2-0000-7000-8000-000000000001',
  name: 'checkout \u001b[31merrors',
  slug: 'checkout_errors',
  threshold: 10,
  window: '5m',
  filters: { service: 'checkout' },
  webhook: 'http://hooks.example/x',
  signed: false,
  state: 'firing',
  since: '2026-11-30T18:00:00.000Z',
  lastCount: 12,
  lastNotification: { at: '2026-11-30T18:00:01.000Z', target: 'webhook', error: 'HTTP 503' },
  countingSince: '2026-11-30T17:00:00.000Z',
  createdAt: '2026-11-30T17:00:00.000Z',
  updatedAt: '2026-11-30T17:00:00.000Z',
};

describe('logyard alerts', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { method?: string; url?: string; authorization?: string; body: string }[] = [];
  let answer: { status: number; body?: unknown } = { status: 200 };
  let output = '';

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    seen.length = 0;
    output = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output += chunk.toString();
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const target = () => ({ baseUrl, token: 'a-query-token-0123456789', timeoutMs: 5000 });

  it('adds a rule with the token, repeated filters as lists and --attr as attr.<key>, and prints its id', async () => {
    answer = { status: 201, body: rule };
    await addAlert(target(), 'checkout errors', {
      threshold: 10,
      window: '5m',
      service: ['checkout', 'payments'],
      minSeverity: 'error',
      attr: ['region=eu'],
      webhook: 'http://hooks.example/x',
    });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/alerts',
      authorization: 'Bearer a-query-token-0123456789',
    });
    expect(JSON.parse(seen[0].body)).toEqual({
      name: 'checkout errors',
      threshold: 10,
      window: '5m',
      service: ['checkout', 'payments'],
      minSeverity: 'error',
      'attr.region': 'eu',
      webhook: 'http://hooks.example/x',
    });
    expect(output).toBe(`${rule.id}\n`);
  });

  it('lists rules one line each, escaping what the API sent', async () => {
    answer = { status: 200, body: { items: [rule] } };
    await listAlerts(target(), { json: false });
    expect(output).toBe(`${formatAlertLine(rule)}\n`);
    expect(output).not.toContain('\u001b');
    expect(output).toContain('firing  12/10 in 5m');
    expect(output).toContain('last webhook failed: HTTP 503');
  });

  it('removes a rule by id', async () => {
    answer = { status: 204 };
    await removeAlert(target(), rule.id);
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: `/api/alerts/${rule.id}` });
  });

  it("turns the API's 400 into a usage error naming the field", async () => {
    answer = {
      status: 400,
      body: { statusCode: 400, field: 'window', message: 'window: must be from 30s to 24h' },
    };
    const refused = addAlert(target(), 'x', { threshold: 1, window: '1s', webhook: 'http://h/' });
    await expect(refused).rejects.toBeInstanceOf(CliError);
    await expect(refused).rejects.toMatchObject({
      exitCode: EXIT_USAGE,
      message: 'window: must be from 30s to 24h',
    });
  });

  it('refuses an --attr without key=value before sending', () => {
    expect(() => ruleBody('x', { threshold: 1, window: '1m', attr: ['region'] })).toThrow('use key=value');
  });
});
