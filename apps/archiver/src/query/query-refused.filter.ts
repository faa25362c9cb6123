import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { QueryBusyError, QueryTimeoutError } from '@logyard/db';
import { BUSY_RETRY_AFTER_SECONDS, readFailure } from './log-query.service';

/** The refusals of every read, as the OpenAPI document describes them. */
export const QUERY_REFUSALS: Record<number, string> = {
  400: 'a bad or unknown parameter, named in field; `attr.<key>=<value>` filters on an attribute (any number)',
  503: 'every query connection (QUERY_POOL_SIZE) is busy and as many reads wait; retry after Retry-After',
  504: 'the query ran longer than QUERY_TIMEOUT and was cancelled; narrow the range or filter more',
};

const ERROR_NAMES: Record<number, string> = { 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/**
 * The HTTP answer to a read the query side refused (see readFailure): 504
 * past QUERY_TIMEOUT, 503 with Retry-After while the query pool is
 * saturated. They are the query's or the moment's fault, not Logyard's, so
 * they say what to do instead of 500.
 */
@Catch(QueryTimeoutError, QueryBusyError)
export class QueryRefusedFilter implements ExceptionFilter {
  catch(error: QueryTimeoutError | QueryBusyError, host: ArgumentsHost): void {
    const failure = readFailure(error) ?? { statusCode: 500, message: 'Internal server error' };
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof QueryBusyError) response.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
    response.status(failure.statusCode).json({ ...failure, error: ERROR_NAMES[failure.statusCode] });
  }
}
