import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { RequiresToken } from '@logyard/auth';
import { LogRecord } from '@logyard/contracts';
import { Histogram, INTERVALS } from './histogram';
import { LogPage, LogQueryService } from './log-query.service';
import { QueryParams } from './log-query.parser';
import {
  ApiLogFilters,
  HISTOGRAM_SCHEMA,
  LOG_PAGE_SCHEMA,
  LOG_RECORD_SCHEMA,
  PARAM_ERROR_SCHEMA,
} from './query.openapi';

@Controller('api/logs')
@RequiresToken('query')
@ApiTags('Query')
@ApiBearerAuth()
export class LogsController {
  constructor(private readonly logs: LogQueryService) {}

  @Get()
  @ApiOperation({ summary: 'Records matching the filters, newest first, keyset-paged' })
  @ApiLogFilters()
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ schema: LOG_PAGE_SCHEMA })
  list(@Query() params: QueryParams): Promise<LogPage> {
    return this.logs.list(params);
  }

  // Declared before :id, which would otherwise take "histogram" for an id.
  @Get('histogram')
  @ApiOperation({ summary: 'Record counts per time bucket and severity' })
  @ApiLogFilters('now-24h (24 hours before to)')
  @ApiQuery({
    name: 'interval',
    required: false,
    schema: { type: 'string', enum: ['auto', ...Object.keys(INTERVALS)], default: 'auto' },
    description: 'auto: the finest interval giving at most 120 buckets',
  })
  @ApiOkResponse({ schema: HISTOGRAM_SCHEMA })
  histogram(@Query() params: QueryParams): Promise<Histogram> {
    return this.logs.histogram(params);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One record by id' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ schema: LOG_RECORD_SCHEMA })
  @ApiNotFoundResponse({ description: 'no record with this id', schema: PARAM_ERROR_SCHEMA })
  get(@Param('id') id: string): Promise<LogRecord> {
    return this.logs.get(id);
  }
}
