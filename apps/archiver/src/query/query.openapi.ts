import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiGatewayTimeoutResponse,
  ApiQuery,
  ApiServiceUnavailableResponse,
  SchemaObject,
} from '@nestjs/swagger';
import { SEVERITIES } from '@logyard/contracts';
import { FACET_LIMIT } from './log-query.service';
import { INTERVALS } from './histogram';

/**
 * OpenAPI descriptions of the query API. The controllers take their query
 * string as one record (unknown parameters are refused, `attr.<key>` is open
 * ended), so each parameter is described here rather than reflected.
 */

const TIME = 'ISO-8601, epoch milliseconds, or relative: now, now-30s, now-15m, now-2h, now-1d, now-1w';

/** Names the parameter at fault, as every 400 of the API does. */
export const PARAM_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer', example: 400 },
    error: { type: 'string', example: 'Bad Request' },
    field: { type: 'string', example: 'limit' },
    message: { type: 'string', example: 'limit: must be an integer from 1 to 1000' },
  },
};

export const LOG_RECORD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'ts', 'observedTs', 'host', 'service', 'severity', 'message', 'attributes'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'UUIDv7, the idempotency key' },
    ts: { type: 'string', format: 'date-time', example: '2026-11-24T10:00:00.123456Z' },
    observedTs: { type: 'string', format: 'date-time' },
    host: { type: 'string', example: 'web-1.prod' },
    service: { type: 'string', example: 'checkout' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    message: { type: 'string' },
    attributes: { type: 'object', additionalProperties: true },
    traceId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    spanId: { type: 'string', pattern: '^[0-9a-f]{16}$' },
  },
};

export const LOG_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    items: { type: 'array', items: LOG_RECORD_SCHEMA },
    nextCursor: {
      type: 'string',
      nullable: true,
      description: 'pass as cursor for the next page; null on the last',
    },
  },
};

const SEVERITY_COUNTS: SchemaObject = {
  type: 'object',
  description: 'a key for each severity the query covers, 0 when none matched',
  properties: Object.fromEntries(SEVERITIES.map((s) => [s, { type: 'integer' }])),
};

export const HISTOGRAM_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    interval: { type: 'string', enum: Object.keys(INTERVALS) },
    buckets: {
      type: 'array',
      description: 'every bucket of the range, oldest first, empty ones included',
      items: {
        type: 'object',
        properties: { ts: { type: 'string', format: 'date-time' }, counts: SEVERITY_COUNTS },
      },
    },
  },
};

const FACET_VALUES: SchemaObject = {
  type: 'array',
  description: `at most ${FACET_LIMIT}, by count descending`,
  items: { type: 'object', properties: { value: { type: 'string' }, count: { type: 'integer' } } },
};

export const FACETS_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { hosts: FACET_VALUES, services: FACET_VALUES, severities: FACET_VALUES },
};

/** The filters of /api/logs, shared by the histogram and facets; `rangeDefault` describes the defaulted range. */
export function ApiLogFilters(rangeDefault?: string): MethodDecorator {
  const severity: SchemaObject = { type: 'string', enum: [...SEVERITIES] };
  return applyDecorators(
    ApiQuery({
      name: 'from',
      required: false,
      description: `inclusive; ${TIME}${rangeDefault ? `; default ${rangeDefault}` : ''}`,
    }),
    ApiQuery({
      name: 'to',
      required: false,
      description: `exclusive; ${TIME}${rangeDefault ? '; default now' : ''}`,
    }),
    ApiQuery({ name: 'host', required: false, isArray: true, type: String, description: 'repeatable' }),
    ApiQuery({ name: 'service', required: false, isArray: true, type: String, description: 'repeatable' }),
    ApiQuery({
      name: 'severity',
      required: false,
      isArray: true,
      schema: { type: 'array', items: severity },
      description: 'repeatable; aliases such as warning, err accepted',
    }),
    ApiQuery({
      name: 'minSeverity',
      required: false,
      schema: severity,
      description: 'this severity and above',
    }),
    ApiQuery({
      name: 'q',
      required: false,
      type: String,
      description: 'full text, web-search syntax: words, "a phrase", -word, a or b',
    }),
    ApiQuery({ name: 'traceId', required: false, type: String, description: '32 hexadecimal characters' }),
    ApiQuery({
      name: 'contains',
      required: false,
      isArray: true,
      type: String,
      description:
        'case-insensitive substring of the message (timeout finds ConnectTimeoutException); repeatable, all must occur',
    }),
    ApiQuery({
      name: '-host',
      required: false,
      isArray: true,
      type: String,
      description: 'leave out this host; repeatable',
    }),
    ApiQuery({
      name: '-service',
      required: false,
      isArray: true,
      type: String,
      description: 'leave out this service; repeatable',
    }),
    ApiQuery({
      name: '-severity',
      required: false,
      isArray: true,
      schema: { type: 'array', items: severity },
      description: 'leave out this severity; repeatable',
    }),
    ApiBadRequestResponse({
      description: 'a bad or unknown parameter; `attr.<key>=<value>` filters on an attribute (any number)',
      schema: PARAM_ERROR_SCHEMA,
    }),
    ApiGatewayTimeoutResponse({
      description:
        'the query ran longer than QUERY_TIMEOUT and was cancelled; narrow the range or filter more',
    }),
    ApiServiceUnavailableResponse({
      description:
        'every query connection (QUERY_POOL_SIZE) is busy and as many reads wait; retry after Retry-After',
    }),
  );
}
