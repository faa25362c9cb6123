import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AlertNotificationBody } from '@logyard/contracts';
import { BenchService, percentile, progress } from './environment';
import { EndToEndRun, IngestWorkload, measureEndToEnd, post } from './ingest.bench';
import { makeHostBatch, SERVICES } from './workload';

/** Rules in the alerts part: most watch the workload itself, the rest are the crossings that are timed. */
export const ALERT_RULES = 100;
const TIMED_RULES = 40;
const REQUEST_RECORDS = 1_000;

export interface AlertsRun {
  without: EndToEndRun;
  withRules: EndToEndRun;
  p50: number;
  p99: number;
  /** The part of it after the evaluator decided: commit, outbox, the POST (the notification's `at` to receipt). */
  deliveryP99: number;
  samples: number;
  rate: number;
}

/**
 * Issue 15's alerts measurement, on one service: the end-to-end ingest run of
 * (2) with no rule, then again with 100 rules (their cost is the ratio of the
 * two), then notification latency at `rate` records/s with the 100 rules:
 * from the 202 of the request carrying a rule's crossing record to the
 * webhook receiving its firing notification, for each of 40 rules crossing in
 * turn. The other 60 rules watch the workload's services with the filters a
 * person writes (service and severity, words, substrings, attributes) and
 * thresholds it never reaches, so they cost matching but never notify.
 */
export async function measureAlerts(
  service: BenchService,
  /** Two workloads of the same shape and size: one service stores both, so their ids must differ. */
  workloads: { withoutRules: IngestWorkload; withRules: IngestWorkload },
  rate: number,
  seconds: number,
): Promise<AlertsRun> {
  const received = new Map<string, number>();
  const deliveryMs: number[] = [];
  const webhook = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertNotificationBody;
      if (body.state === 'firing' && !received.has(body.rule.name)) {
        received.set(body.rule.name, at);
        // Same machine, same clock: the evaluator's decision time to this receipt.
        if (body.rule.name.startsWith('timed-')) deliveryMs.push(Date.now() - Date.parse(body.at));
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  try {
    const { records } = workloads.withoutRules;
    progress(`alerts: ${records} records through POST /ingest without rules`);
    const without = await measureEndToEnd(service, workloads.withoutRules);
    for (let i = 0; i < ALERT_RULES - TIMED_RULES; i++) await createRule(service, backgroundRule(i, hook));
    for (let i = 0; i < TIMED_RULES; i++) {
      await createRule(service, {
        name: `timed-${i}`,
        threshold: 1,
        window: '5m',
        service: `timed-${i}`,
        webhook: hook,
      });
    }
    await waitForLoaded(service);
    progress(`alerts: ${records} records through POST /ingest with ${ALERT_RULES} rules`);
    const withRules = await measureEndToEnd(service, workloads.withRules);

    progress(`alerts: notification latency at ${rate} records/s for ${seconds} s`);
    const intervalMs = (REQUEST_RECORDS / rate) * 1000;
    const requests = Math.ceil((seconds * 1000) / intervalMs);
    const every = Math.max(1, Math.floor(requests / TIMED_RULES));
    const accepted = new Map<string, number>();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: requests }, async (_, i) => {
        const batch = makeHostBatch(i, REQUEST_RECORDS, records * 2 + i * REQUEST_RECORDS);
        const timed = i % every === 0 && i / every < TIMED_RULES ? `timed-${i / every}` : undefined;
        if (timed)
          batch[REQUEST_RECORDS / 2] = { ...batch[REQUEST_RECORDS / 2], service: timed, severity: 'error' };
        const body = JSON.stringify(batch);
        await new Promise((resolve) => setTimeout(resolve, started + i * intervalMs - performance.now()));
        // A connection refused or reset on an overloaded machine is retried: the clock starts at the 202.
        for (let attempt = 1; ; attempt++) {
          const sent = await post(service, body).then(
            () => true,
            (error: Error) => {
              if (attempt === 3) throw error;
              return false;
            },
          );
          if (sent) break;
        }
        if (timed) accepted.set(timed, performance.now());
      }),
    );
    const deadline = Date.now() + 30_000;
    while ([...accepted.keys()].some((name) => !received.has(name)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const latencies = [...accepted].map(([name, at]) => (received.get(name) ?? Infinity) - at);
    return {
      without,
      withRules,
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
      deliveryP99: Math.round(percentile(deliveryMs, 99)),
      samples: latencies.length,
      rate,
    };
  } finally {
    webhook.closeAllConnections();
    webhook.close();
  }
}

/** Rules a team writes against its services; thresholds far above what the run sends, so none fires. */
function backgroundRule(i: number, webhook: string): Record<string, unknown> {
  const service = SERVICES[i % SERVICES.length];
  const base = { name: `background-${i}`, threshold: 10_000_000, window: '5m', webhook };
  switch (i % 5) {
    case 0:
      return { ...base, service, minSeverity: 'error' };
    case 1:
      return { ...base, service, q: 'payment declined' };
    case 2:
      return { ...base, service, contains: 'status=503' };
    case 3:
      return { ...base, minSeverity: 'warn', 'attr.region': 'us-east-1' };
    default:
      return { ...base, q: 'timeout -retry', severity: ['error', 'fatal'] };
  }
}

async function createRule(service: BenchService, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${service.url}/api/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`creating a rule answered ${response.status}: ${await response.text()}`);
}

async function waitForLoaded(service: BenchService): Promise<void> {
  for (;;) {
    const response = await fetch(`${service.url}/api/alerts`);
    const { items } = (await response.json()) as { items: { countingSince: string | null }[] };
    if (items.length === ALERT_RULES && items.every((rule) => rule.countingSince)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
