import {
  BadRequestException,
  GatewayTimeoutException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { validate as isUuid } from 'uuid';
import { formatDuration, LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { LogRecord, Result } from '@logyard/contracts';
import { FacetCounts, LogQueryRepository, QueryTimeoutError } from '@logyard/db';
import { encodeCursor } from './cursor';
import { Histogram, INTERVALS, toHistogram } from './histogram';
import {
  ParamError,
  parseFacetQuery,
  parseHistogramQuery,
  parseLogQuery,
  QueryParams,
} from './log-query.parser';

export interface LogPage {
  items: LogRecord[];
  nextCursor: string | null;
}

/** Values per facet in a facet answer, the most frequent first. */
export const FACET_LIMIT = 50;

/**
 * Reads the archive for the HTTP API and the AMQP RPC. A read that runs
 * past QUERY_TIMEOUT rejects with QueryTimeoutError (see {@link timedOut}
 * for its answer); over HTTP it is a 504.
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
    const page = await answerHttp(this.page(params));
    if (!page.ok) throw badParam(page.error.field, page.error.message);
    return page.value;
  }

  async histogram(params: QueryParams): Promise<Histogram> {
    const query = parseHistogramQuery(params, this.maxRangeMs);
    if (!query.ok) throw badParam(query.error.field, query.error.message);
    const { filters, interval } = query.value;
    const counts = await answerHttp(this.logs.countByBucket(filters, INTERVALS[interval]));
    return toHistogram(filters.from, filters.to, interval, filters.severities, counts);
  }

  async facets(params: QueryParams): Promise<FacetCounts> {
    const filters = parseFacetQuery(params, this.maxRangeMs);
    if (!filters.ok) throw badParam(filters.error.field, filters.error.message);
    return answerHttp(this.logs.countFacets(filters.value, FACET_LIMIT));
  }

  async get(id: string): Promise<LogRecord> {
    if (!isUuid(id)) throw badParam('id', 'must be a UUID');
    const record = await answerHttp(this.logs.findById(id.toLowerCase()));
    if (!record)
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no log with id ${id}` });
    return record;
  }
}

export function badParam(field: string, message: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    field,
    message: `${field}: ${message}`,
  });
}

/** The answer to a read cancelled at QUERY_TIMEOUT, over HTTP (504) and RPC alike: what happened, and what to do. */
export function timedOut(error: QueryTimeoutError): { statusCode: number; message: string } {
  return {
    statusCode: 504,
    message:
      `the query ran longer than QUERY_TIMEOUT (${formatDuration(error.timeoutMs)}) and was cancelled; ` +
      'narrow the time range or add filters (host, service, severity)',
  };
}

async function answerHttp<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof QueryTimeoutError) {
      throw new GatewayTimeoutException({ ...timedOut(error), error: 'Gateway Timeout' });
    }
    throw error;
  }
}
