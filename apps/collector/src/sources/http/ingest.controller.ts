import { BadRequestException, Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { HttpSource, IngestResult } from './http.source';

@Controller()
export class IngestController {
  constructor(private readonly source: HttpSource) {}

  /** 202 once every valid record is confirmed by the broker; 400 when none is valid. */
  @Post('ingest')
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
