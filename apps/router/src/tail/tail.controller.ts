import { BadRequestException, Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequiresToken } from '@logyard/auth';
import { parseTailQuery, TailParams } from './tail-query';
import { TailService } from './tail.service';

@Controller()
@ApiTags('Tail')
@ApiBearerAuth()
export class TailController {
  constructor(private readonly tails: TailService) {}

  /**
   * GET /tail?pattern=P[&pattern=P2…]: Server-Sent Events, one `data:` line
   * of LogRecord JSON per record matching any pattern from now on, a
   * `: heartbeat` comment every 15 s, and `event: dropped` with
   * `{"dropped":n}` when this reader fell behind and its queue shed records.
   */
  @Get('tail')
  @ApiOperation({ summary: 'Live records matching any pattern, as Server-Sent Events' })
  @ApiQuery({
    name: 'pattern',
    isArray: true,
    type: String,
    description: 'host.service.severity with AMQP topic wildcards, e.g. *.*.error; repeatable',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'data: lines of LogRecord JSON; event: subscribed, event: dropped; : heartbeat',
  })
  @ApiBadRequestResponse({ description: 'a pattern that can never match, with a hint' })
  @ApiServiceUnavailableResponse({
    description: 'TAIL_MAX_SESSIONS tails are open, or the broker is away; retry after Retry-After',
  })
  @RequiresToken('query')
  async tail(@Query() params: TailParams, @Res() response: Response): Promise<void> {
    const patterns = parseTailQuery(params);
    if (!patterns.ok)
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', ...patterns.error });
    await this.tails.open(patterns.value, response);
  }
}
