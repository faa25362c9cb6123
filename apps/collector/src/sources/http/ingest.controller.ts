import { BadRequestException, Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestEndpoint } from '../../ingest-endpoint';
import { REFUSALS_KEPT } from '../../source-runner';
import { HttpSource, IngestResult } from './http.source';
import { INGEST_MEDIA_TYPES } from './ingest-body';

const INGEST_RESULT = {
  type: 'object',
  properties: {
    accepted: { type: 'integer' },
    rejected: { type: 'integer' },
    errors: {
      type: 'array',
      description: `the first ${REFUSALS_KEPT} refused records, in index order`,
      items: { type: 'object', properties: { index: { type: 'integer' }, error: { type: 'string' } } },
    },
    errorsOmitted: {
      type: 'integer',
      description: `refused records not listed; only when over ${REFUSALS_KEPT}`,
    },
  },
};

@Controller()
@ApiTags('Ingest')
export class IngestController {
  constructor(private readonly source: HttpSource) {}

  /** 202 once every valid record is confirmed by the broker; 400 when none is valid. */
  @Post('ingest')
  @ApiOperation({
    summary: 'Ingest one record, an array of records, or NDJSON; answered once the broker confirmed',
  })
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
  @IngestEndpoint(INGEST_MEDIA_TYPES)
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
