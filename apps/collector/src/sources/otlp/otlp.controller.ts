import { Body, Controller, Headers, HttpStatus, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { IngestEndpoint } from '../../ingest-endpoint';
import { mediaTypeOf } from '../../request-body';
import { OtlpCodec } from './otlp-codec';
import { OTLP_JSON_CODEC } from './otlp-json.codec';
import { OTLP_PROTOBUF_CODEC } from './otlp-protobuf.codec';
import { OtlpSource } from './otlp.source';

const CODECS: Readonly<Record<string, OtlpCodec>> = {
  'application/json': OTLP_JSON_CODEC,
  'application/x-protobuf': OTLP_PROTOBUF_CODEC,
  'application/protobuf': OTLP_PROTOBUF_CODEC,
};

@Controller()
@ApiTags('Ingest')
export class OtlpController {
  constructor(private readonly source: OtlpSource) {}

  /**
   * OTLP/HTTP logs, answered in the request's own encoding: 200 once every accepted record is confirmed
   * (with a partial success naming the refused ones), 400 when the body cannot be decoded.
   */
  @Post('v1/logs')
  @ApiOperation({ summary: 'OTLP/HTTP logs (ExportLogsServiceRequest), JSON or protobuf, gzip accepted' })
  @ApiProduces('application/json', 'application/x-protobuf')
  @ApiBody({ description: 'ExportLogsServiceRequest', schema: { type: 'object' } })
  @ApiOkResponse({
    description: 'ExportLogsServiceResponse: {} or {"partialSuccess":{"rejectedLogRecords","errorMessage"}}',
  })
  // OTLP's own google.rpc.Status, in the request's encoding: not the API's error envelope.
  @ApiBadRequestResponse({ description: 'the body cannot be decoded' })
  @IngestEndpoint(Object.keys(CODECS))
  async export(
    @Body() body: Buffer,
    @Headers('content-type') contentType: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    // IngestEndpoint answered 415 to any other Content-Type.
    const codec = CODECS[mediaTypeOf(contentType)];
    const outcome = await this.source.export(body, codec);
    response
      .status(outcome.ok ? HttpStatus.OK : HttpStatus.BAD_REQUEST)
      .type(codec.contentType)
      .send(outcome.ok ? codec.encodeResponse(outcome.value) : codec.encodeBadRequest(outcome.error));
  }
}
