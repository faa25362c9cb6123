import { z } from 'zod';
import { INTERVALS } from './query-limits';
import type { LogRecord } from './record';
import { Severity, SEVERITIES } from './severity';

// The JSON answers of the query API, as its clients (the web explorer, the CLI, RPC callers) read them: one
// zod schema each is the source of its type and of its OpenAPI description (docs/design.md §6).

const severity = z.enum(SEVERITIES);

/** LogRecord as the API answers it; the interface in record.ts is the type, checked equal below. */
export const logRecordSchema = z.object({
  id: z.string().meta({ format: 'uuid', description: 'UUIDv7, the idempotency key' }),
  ts: z.string().meta({ format: 'date-time', example: '2026-11-24T10:00:00.123456Z' }),
  observedTs: z.string().meta({ format: 'date-time' }),
  host: z.string().meta({ example: 'web-1.prod' }),
  service: z.string().meta({ example: 'checkout' }),
  severity,
  message: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  spanId: z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
});
// Compile-time proof that the schema describes LogRecord exactly, in both directions.
const recordMatches: [z.infer<typeof logRecordSchema>, LogRecord] extends [
  LogRecord,
  z.infer<typeof logRecordSchema>,
]
  ? true
  : never = true;
void recordMatches;

/** GET /api/logs and the RPC: one page, newest first; `nextCursor` is null on the last page. */
export const logPageSchema = z.object({
  items: z.array(logRecordSchema),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last'),
});
export type LogPage = z.infer<typeof logPageSchema>;

/** GET /api/logs/histogram: every bucket of the range, oldest first, with a count per severity queried. */
export const histogramSchema = z.object({
  interval: z.enum(Object.keys(INTERVALS) as [keyof typeof INTERVALS]),
  buckets: z
    .array(
      z.object({
        ts: z.string().meta({ format: 'date-time' }),
        counts: z
          .object(
            Object.fromEntries(SEVERITIES.map((name) => [name, z.number().int().optional()])) as Record<
              Severity,
              z.ZodOptional<z.ZodNumber>
            >,
          )
          .describe('a key for each severity the query covers, 0 when none matched'),
      }),
    )
    .describe('every bucket of the range, oldest first, empty ones included'),
});
export type Histogram = z.infer<typeof histogramSchema>;

export const facetValueSchema = z.object({ value: z.string(), count: z.number().int() });
export type FacetValue = z.infer<typeof facetValueSchema>;
const facetValues = z.array(facetValueSchema).describe('the most frequent first');

/** GET /api/facets: the most frequent values of each field among the matching records. */
export const facetsSchema = z.object({ hosts: facetValues, services: facetValues, severities: facetValues });
export type Facets = z.infer<typeof facetsSchema>;

/** GET /api/facets?field=attr.<key>: the most frequent values of one attribute. */
export const attributeFacetSchema = z.object({ field: z.string(), values: facetValues });
export type AttributeFacet = z.infer<typeof attributeFacetSchema>;

/**
 * The one error envelope of the API (docs/design.md §6): every refusal, over HTTP and RPC, is an ApiError —
 * the status, the parameter at fault when one is, and a sentence saying what to do. HTTP answers it as the
 * body (beside `error`, the status's reason phrase, which Nest has always added); an RPC reply has no status
 * line, so it answers `{ "error": ApiError }`, which a caller tells from a page by its one key.
 */
export const apiErrorSchema = z.object({
  statusCode: z.number().int().meta({ example: 400 }),
  field: z.string().optional().meta({ example: 'limit' }),
  message: z.string().meta({ example: 'limit: must be an integer from 1 to 1000' }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** What the archiver answers on an RPC request's `reply_to`: exactly the page GET /api/logs would, or its error. */
export type RpcReply = LogPage | { error: ApiError };

/**
 * The refusal an answer carries, over either transport: an HTTP error body is the envelope itself, an RPC
 * reply holds it under `error`; undefined for an answer that is no refusal (a page).
 */
export function refusalOf(answer: unknown): ApiError | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { error } = answer as { error?: unknown };
  const envelope = apiErrorSchema.safeParse(typeof error === 'object' && error !== null ? error : answer);
  return envelope.success ? envelope.data : undefined;
}

/** A refusal of one parameter, as every 400 of the query API words it: `<field>: <why>`. */
export function badParamError(field: string, message: string): ApiError {
  return { statusCode: 400, field, message: `${field}: ${message}` };
}

/** GET /api/session: whether the query endpoints need a token, and whether this browser holds a valid one. */
export interface SessionStatus {
  tokenRequired: boolean;
  signedIn: boolean;
}
