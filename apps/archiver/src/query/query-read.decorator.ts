import { applyDecorators, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiQueryParams, ApiRefusals } from '@logyard/runtime';
import { QUERY_REFUSALS } from './query-refused.filter';

export interface QueryReadSpec {
  /** Below the controller's path; none for the controller's own. */
  path?: string;
  summary: string;
  /** The query parameters, as the request schema the service parses them with. */
  request: z.ZodType;
  answer: SchemaObject;
}

/**
 * A read of the archive by GET with query parameters: documented with them, its answer's schema and the
 * refusals every read can meet (a bad parameter; QueryRefusedFilter's 503 and 504).
 */
export function QueryRead({ path, summary, request, answer }: QueryReadSpec): MethodDecorator {
  return applyDecorators(
    Get(path),
    ApiOperation({ summary }),
    ApiQueryParams(request),
    ApiOkResponse({ schema: answer }),
    ApiRefusals(QUERY_REFUSALS),
  );
}
