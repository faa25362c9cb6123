import { Inject, Injectable } from '@nestjs/common';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { ok, Result } from '@logyard/contracts';
import { SourceRunner } from '../../source-runner';
import { OtlpCodec, OtlpPartialSuccess } from './otlp-codec';
import { mapOtlpLogs } from './otlp-logs.mapper';
import { mappingOptions, RequestMapping } from '../request-mapping';

/** How many refused log records a partial success names; the count covers them all. */
const ERRORS_SHOWN = 3;

/** POST /v1/logs: OTLP/HTTP log exports, JSON or protobuf. */
@Injectable()
export class OtlpSource {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly runner: SourceRunner,
  ) {}

  /**
   * Resolves once the broker confirmed every accepted record, with the partial success to report when
   * some were refused. Fails, publishing nothing, when the body is not an export request at all.
   */
  async export(body: Buffer, codec: OtlpCodec): Promise<Result<OtlpPartialSuccess | undefined>> {
    const request = codec.decodeRequest(body, this.config.http.bodyLimitBytes);
    if (!request.ok) return request;
    const mapping = await this.runner.run('otlp', mapOtlpLogs(request.value, mappingOptions(this.config)));
    return ok(mapping.refused > 0 ? partialSuccess(mapping) : undefined);
  }
}

function partialSuccess({ records, errors, refused }: RequestMapping): OtlpPartialSuccess {
  const shown = errors.slice(0, ERRORS_SHOWN).map(({ path, error }) => `${path}: ${error}`);
  const more = refused > ERRORS_SHOWN ? `; and ${refused - ERRORS_SHOWN} more` : '';
  return {
    rejectedLogRecords: refused,
    errorMessage: `${refused} of ${records.length + refused} log records refused: ${shown.join('; ')}${more}`,
  };
}
