import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequiresToken } from '@logyard/auth';
import {
  AttributeFacet,
  attributeFacetSchema,
  Facets,
  facetsRequest,
  facetsSchema,
  QueryParams,
} from '@logyard/contracts';
import { ApiQueryParams, ApiRefusals, openApiSchema } from '@logyard/runtime';
import { LogQueryService } from './log-query.service';
import { QUERY_REFUSALS } from './query-refused.filter';

@Controller('api/facets')
@RequiresToken('query')
@ApiTags('Query')
export class FacetsController {
  constructor(private readonly logs: LogQueryService) {}

  @Get()
  @ApiOperation({ summary: 'The most frequent hosts, services and severities among matching records' })
  @ApiQueryParams(facetsRequest)
  @ApiOkResponse({ schema: { oneOf: [openApiSchema(facetsSchema), openApiSchema(attributeFacetSchema)] } })
  @ApiRefusals(QUERY_REFUSALS)
  facets(@Query() params: QueryParams): Promise<Facets | AttributeFacet> {
    return this.logs.facets(params);
  }
}
