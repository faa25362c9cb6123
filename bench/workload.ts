import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { LogRecord, SEVERITIES, Severity, SEVERITY_NUMBER } from '@logyard/contracts';

/** 20 hosts, 12 services, 6 severities, as the issue describes a realistic fleet. */
export const HOSTS = Array.from(
  { length: 20 },
  (_, i) => `${i < 12 ? 'web' : 'worker'}-${i + 1}.prod.example.com`,
);
export const SERVICES = [
  'checkout',
  'payments',
  'search',
  'catalog',
  'cart',
  'auth',
  'shipping',
  'inventory',
  'notifications',
  'recommendations',
  'gateway',
  'billing',
];
/** Severity mix of a production fleet: mostly info, a tail of warnings and errors. */
const SEVERITY_WEIGHTS: [Severity, number][] = [
  ['trace', 2],
  ['debug', 18],
  ['info', 62],
  ['warn', 11],
  ['error', 6],
  ['fatal', 1],
];
const WORDS = [
  'order',
  'payment',
  'declined',
  'timeout',
  'retry',
  'cache',
  'miss',
  'user',
  'session',
  'upstream',
];

/** A record as a sender gives it: the collector sets observedTs; every bench record carries a trace. */
export type BenchRecord = Omit<LogRecord, 'observedTs'> & Required<Pick<LogRecord, 'traceId' | 'spanId'>>;

function pickSeverity(n: number): Severity {
  let acc = 0;
  for (const [severity, weight] of SEVERITY_WEIGHTS) {
    acc += weight;
    if (n % 100 < acc) return severity;
  }
  return 'info';
}

/** Who sent a request: one host's agent, or a relay forwarding a whole fleet. */
export type WorkloadShape = 'agent' | 'relay';

/**
 * One request's records. `agent`: each request comes from one host's agent,
 * so a host's batch spans the services that host runs (four of the twelve)
 * and every severity. `relay`: an OTel Collector gateway, a Vector aggregator
 * or a syslog relay interleaves the whole fleet, so every request mixes 20
 * hosts × 12 services × 6 severities. Messages are ~300-byte log lines.
 */
export function makeBatch(
  shape: WorkloadShape,
  requestIndex: number,
  size: number,
  sequence: number,
): BenchRecord[] {
  const now = Date.now();
  return Array.from({ length: size }, (_, i) => {
    const n = sequence + i;
    // The relay cycles host, service and severity independently: 60 routing keys in every request, so
    // per-key batching makes ~17 records a message, as the relay-shaped run of issue 17 measured.
    const host = HOSTS[shape === 'agent' ? requestIndex % HOSTS.length : n % HOSTS.length];
    const service =
      shape === 'agent'
        ? SERVICES[(requestIndex * 3 + (n % 4)) % SERVICES.length]
        : SERVICES[n % SERVICES.length];
    const severity = shape === 'agent' ? pickSeverity((n * 37) % 100) : SEVERITIES[n % SEVERITIES.length];
    const words = `${WORDS[n % WORDS.length]} ${WORDS[(n * 7) % WORDS.length]} ${WORDS[(n * 13) % WORDS.length]}`;
    return {
      id: uuidv7(),
      ts: new Date(now - (n % 1000)).toISOString(),
      host,
      service,
      severity,
      message:
        `${service} request ${n} ${words} method=POST path=/api/v1/${service}/${n % 5000} status=${n % 7 ? 200 : 503} ` +
        `duration_ms=${n % 997} user=${randomBytes(8).toString('hex')} ` +
        `detail=${randomBytes(60).toString('base64')}`,
      attributes: {
        region: n % 3 ? 'eu-west-1' : 'us-east-1',
        pod: `${service}-${n % 9}`,
        http_status: n % 7 ? 200 : 503,
      },
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
    };
  });
}

/** Agent-shaped records: the reference workload of (1) and (2). */
export function makeHostBatch(hostIndex: number, size: number, sequence: number): BenchRecord[] {
  return makeBatch('agent', hostIndex, size, sequence);
}

/** One CSV line per record in the column order of `logs` (for the raw COPY reference). */
export function toCsvRow(record: BenchRecord, observedTs: string): string {
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  return [
    record.id,
    record.ts,
    observedTs,
    quote(record.host),
    quote(record.service),
    SEVERITY_NUMBER[record.severity],
    quote(record.message),
    quote(JSON.stringify(record.attributes)),
    record.traceId,
    record.spanId,
  ].join(',');
}
