import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequiresToken } from '@logyard/auth';
import {
  Histogram,
  histogramRequest,
  histogramSchema,
  LogPage,
  logPageSchema,
  logQueryRequest,
  LogRecord,
  logRecordSchema,
  QueryParams,
} from '@logyard/contracts';
import { ApiRefusals, openApiSchema } from '@logyard/runtime';
import { LogQueryService } from './log-query.service';
import { QueryRead } from './query-read.decorator';

@Controller('api/logs')
@RequiresToken('query')
@ApiTags('Query')
export class LogsController {
  constructor(private readonly logs: LogQueryService) {}

  @QueryRead({
    summary: 'Records matching the filters, newest first, keyset-paged',
    request: logQueryRequest,
    answer: openApiSchema(logPageSchema),
  })
  list(@Query() params: QueryParams): Promise<LogPage> {
    return this.logs.list(params);
  }

  // Declared before :id, which would otherwise take "histogram" for an id.
  @QueryRead({
    path: 'histogram',
    summary: 'Record counts per time bucket and severity',
    request: histogramRequest,
    answer: openApiSchema(histogramSchema),
  })
  histogram(@Query() params: QueryParams): Promise<Histogram> {
    return this.logs.histogram(params);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One record by id' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ schema: openApiSchema(logRecordSchema) })
  @ApiRefusals({ 400: 'the id is no UUID', 404: 'no record with this id' })
  get(@Param('id') id: string): Promise<LogRecord> {
    return this.logs.get(id);
  }
}
