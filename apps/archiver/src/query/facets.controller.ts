import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequiresToken } from '@logyard/auth';
import { AttributeFacetBody } from '@logyard/contracts';
import { FacetCounts } from '@logyard/db';
import { LogQueryService } from './log-query.service';
import { QueryParams } from './log-query.parser';
import { ApiLogFilters, FACETS_SCHEMA } from './query.openapi';

@Controller('api/facets')
@RequiresToken('query')
@ApiTags('Query')
@ApiBearerAuth()
export class FacetsController {
  constructor(private readonly logs: LogQueryService) {}

  @Get()
  @ApiOperation({ summary: 'The most frequent hosts, services and severities among matching records' })
  @ApiLogFilters('now-24h (24 hours before to)')
  @ApiQuery({
    name: 'field',
    required: false,
    type: String,
    description:
      'attr.<key>: the top values of that attribute instead, as {"field","values":[{"value","count"}]}',
  })
  @ApiOkResponse({ schema: FACETS_SCHEMA })
  facets(@Query() params: QueryParams): Promise<FacetCounts | AttributeFacetBody> {
    return this.logs.facets(params);
  }
}
