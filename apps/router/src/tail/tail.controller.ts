import { BadRequestException, Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RequiresToken } from '@logyard/auth';
import { parseRequest, QueryParams, tailRequest } from '@logyard/contracts';
import { ApiQueryParams, ApiRefusals } from '@logyard/runtime';
import { TailService } from './tail.service';

@Controller()
@ApiTags('Tail')
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
  @ApiQueryParams(tailRequest)
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'data: lines of LogRecord JSON; event: subscribed, event: dropped; : heartbeat',
  })
  @ApiRefusals({
    400: 'a pattern that can never match, with a hint',
    503: 'TAIL_MAX_SESSIONS tails are open, or the broker is away; retry after Retry-After',
  })
  @RequiresToken('query')
  async tail(@Query() params: QueryParams, @Res() response: Response): Promise<void> {
    const request = parseRequest(tailRequest, params);
    // The tail's messages are whole sentences already: the envelope carries them as they are.
    if (!request.ok)
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', ...request.error });
    await this.tails.open(request.value.pattern, response);
  }
}
