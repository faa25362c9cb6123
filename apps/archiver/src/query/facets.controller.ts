import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequiresToken } from '@logyard/auth';
import {
  AttributeFacet,
  attributeFacetSchema,
  Facets,
  facetsRequest,
  facetsSchema,
  QueryParams,
} from '@logyard/contracts';
import { openApiSchema } from '@logyard/runtime';
import { LogQueryService } from './log-query.service';
import { QueryRead } from './query-read.decorator';

@Controller('api/facets')
@RequiresToken('query')
@ApiTags('Query')
export class FacetsController {
  constructor(private readonly logs: LogQueryService) {}

  @QueryRead({
    summary: 'The most frequent hosts, services and severities among matching records',
    request: facetsRequest,
    answer: { oneOf: [openApiSchema(facetsSchema), openApiSchema(attributeFacetSchema)] },
  })
  facets(@Query() params: QueryParams): Promise<Facets | AttributeFacet> {
    return this.logs.facets(params);
  }
}
