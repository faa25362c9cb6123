import { BadRequestException, Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiRefusals } from '@logyard/runtime';
import { IngestEndpoint } from '../../ingest-endpoint';
import { mediaTypeOf } from '../../request-body';
import { LokiEncoding, LokiSource } from './loki.source';
import { snappyBlockLength } from './snappy-block';

const ENCODINGS: Readonly<Record<string, LokiEncoding>> = {
  'application/json': 'json',
  'application/x-protobuf': 'protobuf',
};
/** How many refused entries a 400 names; the count covers them all. */
const ERRORS_SHOWN = 10;

/**
 * A protobuf push is snappy-compressed inside: it is charged the length its block declares, at most
 * BODY_LIMIT. A block declaring more than its body can hold is refused unread by the decoder, and its sender
 * is still charged what it declared: only a forged block pays more than it sent.
 */
function inflatedLength(body: Buffer, mediaType: string): number {
  return ENCODINGS[mediaType] === 'protobuf' ? snappyBlockLength(body) : body.length;
}

@Controller()
@ApiTags('Ingest')
export class LokiController {
  constructor(private readonly source: LokiSource) {}

  /**
   * 204 once every entry is confirmed by the broker. Like Loki, a push with refused entries still keeps the
   * valid ones and answers 400 naming the refused; a push without streams is refused whole.
   */
  @Post('loki/api/v1/push')
  @ApiOperation({ summary: 'Loki push: JSON (gzip accepted) or snappy-compressed protobuf' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['streams'],
      properties: {
        streams: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              stream: { type: 'object', additionalProperties: { type: 'string' } },
              values: { type: 'array', items: { type: 'array', items: {} } },
            },
          },
        },
      },
    },
  })
  @ApiNoContentResponse({ description: 'every entry is durable in the broker' })
  @ApiRefusals({ 400: 'no streams, or some entries refused (the others were accepted)' })
  @IngestEndpoint(Object.keys(ENCODINGS), inflatedLength)
  @HttpCode(HttpStatus.NO_CONTENT)
  async push(@Body() body: Buffer, @Headers('content-type') contentType: string | undefined): Promise<void> {
    // IngestEndpoint answered 415 to any other Content-Type.
    const outcome = await this.source.push(body, ENCODINGS[mediaTypeOf(contentType)]);
    if (!outcome.ok) throw new BadRequestException(outcome.error);
    const { records, errors, refused } = outcome.value;
    if (refused > 0) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `${refused} of ${records.length + refused} entries refused; the others were accepted`,
        accepted: records.length,
        rejected: refused,
        errors: errors.slice(0, ERRORS_SHOWN),
      });
    }
  }
}
