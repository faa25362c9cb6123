import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { validate as isUuid } from 'uuid';
import { formatDuration, LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import {
  ApiError,
  AttributeFacet,
  badParamError,
  Facets,
  Histogram,
  INTERVALS,
  LogPage,
  LogRecord,
  ParamError,
  QueryParams,
  Result,
} from '@logyard/contracts';
import { LogQueryRepository, QueryBusyError, QueryTimeoutError } from '@logyard/db';
import { encodeCursor } from './cursor';
import { toHistogram } from './histogram';
import { parseFacetField, parseFacetQuery, parseHistogramQuery, parseLogQuery } from './log-query.parser';

/** Values per facet in a facet answer, the most frequent first. */
export const FACET_LIMIT = 50;

/** Seconds a client should wait before retrying a read refused while every query connection was busy. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/**
 * Reads the archive for the HTTP API and the AMQP RPC. A read that runs
 * past QUERY_TIMEOUT rejects with QueryTimeoutError, one refused while the
 * query pool is saturated with QueryBusyError (see {@link readFailure} for
 * their answers; QueryRefusedFilter gives them over HTTP).
 */
@Injectable()
export class LogQueryService {
  private readonly maxRangeMs: number;

  constructor(
    private readonly logs: LogQueryRepository,
    @Inject(LOGYARD_CONFIG) config: LogyardConfig,
  ) {
    this.maxRangeMs = config.query.maxRangeMs;
  }

  /** One page of GET /api/logs, or the parameter at fault; HTTP and RPC both answer with exactly this. */
  async page(params: QueryParams): Promise<Result<LogPage, ParamError>> {
    const query = parseLogQuery(params);
    if (!query.ok) return query;
    const { records, hasMore } = await this.logs.findPage(query.value);
    const last = records.at(-1);
    return { ok: true, value: { items: records, nextCursor: hasMore && last ? encodeCursor(last) : null } };
  }

  async list(params: QueryParams): Promise<LogPage> {
    const page = await this.page(params);
    if (!page.ok) throw badParam(page.error.field, page.error.message);
    return page.value;
  }

  async histogram(params: QueryParams): Promise<Histogram> {
    const query = parseHistogramQuery(params, this.maxRangeMs);
    if (!query.ok) throw badParam(query.error.field, query.error.message);
    const { filters, interval } = query.value;
    const counts = await this.logs.countByBucket(filters, INTERVALS[interval]);
    return toHistogram(filters.from, filters.to, interval, filters.severities, counts);
  }

  async facets(params: QueryParams): Promise<Facets | AttributeFacet> {
    const filters = parseFacetQuery(params, this.maxRangeMs);
    if (!filters.ok) throw badParam(filters.error.field, filters.error.message);
    const key = parseFacetField(params);
    if (!key.ok) throw badParam(key.error.field, key.error.message);
    if (key.value === undefined) return this.logs.countFacets(filters.value, FACET_LIMIT);
    const values = await this.logs.countAttributeValues(filters.value, key.value, FACET_LIMIT);
    return { field: `attr.${key.value}`, values };
  }

  async get(id: string): Promise<LogRecord> {
    if (!isUuid(id)) throw badParam('id', 'must be a UUID');
    const record = await this.logs.findById(id.toLowerCase());
    if (!record)
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no log with id ${id}` });
    return record;
  }
}

/** The HTTP 400 of a refused parameter: the API's error envelope, beside Nest's reason phrase. */
export function badParam(field: string, message: string): BadRequestException {
  return new BadRequestException({ ...badParamError(field, message), error: 'Bad Request' });
}

/**
 * The answer to a read the query side refused, over HTTP and RPC alike, saying
 * what happened and what to do: 504 for one cancelled at QUERY_TIMEOUT, 503
 * for one refused while the query pool was saturated; undefined for any other
 * error, which is a fault of Logyard's.
 */
export function readFailure(error: unknown): ApiError | undefined {
  if (error instanceof QueryTimeoutError) {
    return {
      statusCode: 504,
      message:
        `the query ran longer than QUERY_TIMEOUT (${formatDuration(error.timeoutMs)}) and was cancelled; ` +
        'narrow the time range or add filters (host, service, severity)',
    };
  }
  if (error instanceof QueryBusyError) {
    return {
      statusCode: 503,
      message: `${error.message} (QUERY_POOL_SIZE); retry in ${BUSY_RETRY_AFTER_SECONDS} s`,
    };
  }
  return undefined;
}
