import { Controller, Get, Param, Query } from '@nestjs/common';
import { LogRecord } from '@logyard/contracts';
import { LogPage, LogQueryService } from './log-query.service';
import { QueryParams } from './log-query.parser';

@Controller('api/logs')
export class LogsController {
  constructor(private readonly logs: LogQueryService) {}

  @Get()
  list(@Query() params: QueryParams): Promise<LogPage> {
    return this.logs.list(params);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<LogRecord> {
    return this.logs.get(id);
  }
}
