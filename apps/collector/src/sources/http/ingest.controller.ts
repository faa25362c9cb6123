import { BadRequestException, Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequiresToken } from '@logyard/auth';
import { HttpSource, IngestResult } from './http.source';

const INGEST_RESULT = {
  type: 'object',
  properties: {
    accepted: { type: 'integer' },
    rejected: { type: 'integer' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, error: { type: 'string' } } },
    },
  },
};

@Controller()
@ApiTags('Ingest')
@ApiBearerAuth()
export class IngestController {
  constructor(private readonly source: HttpSource) {}

  /** 202 once every valid record is confirmed by the broker; 400 when none is valid. */
  @Post('ingest')
  @ApiOperation({
    summary: 'Ingest one record, an array of records, or NDJSON; answered once the broker confirmed',
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({
    description:
      'LogRecord fields: message (required), ts, host, service, severity, attributes, traceId, spanId, id',
    schema: {
      oneOf: [
        { type: 'object', required: ['message'], additionalProperties: true },
        { type: 'array', items: { type: 'object', required: ['message'], additionalProperties: true } },
      ],
    },
  })
  @ApiAcceptedResponse({ description: 'the valid records are durable in the broker', schema: INGEST_RESULT })
  @ApiBadRequestResponse({ description: 'no valid record', schema: INGEST_RESULT })
  @ApiPayloadTooLargeResponse({ description: 'over BODY_LIMIT' })
  @ApiServiceUnavailableResponse({ description: 'the broker is away; retry after Retry-After' })
  @RequiresToken('ingest')
  @HttpCode(HttpStatus.ACCEPTED)
  async ingest(@Body() body: Buffer, @Headers('content-type') contentType?: string): Promise<IngestResult> {
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new BadRequestException('body: expected a record, an array or NDJSON');
    const result = await this.source.ingest(body, contentType);
    if (result.accepted === 0) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'no valid record',
        ...result,
      });
    }
    return result;
  }
}
