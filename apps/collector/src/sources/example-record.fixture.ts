/**
 * The log line the push formats' specs all ship (DESIGN §6's example), and what every format must make of
 * it: the same line sent by Loki or by OTLP becomes the same record.
 */
export const EXAMPLE_TS_NANOS = '1764028167123456789';
export const EXAMPLE_OBSERVED_TS = '2026-11-24T23:49:27.123000Z';

export const EXAMPLE_RECORD = {
  ts: '2025-11-24T23:49:27.123456Z',
  observedTs: EXAMPLE_OBSERVED_TS,
  host: 'web-1.prod',
  service: 'checkout',
  severity: 'error',
  message: 'payment declined',
} as const;
