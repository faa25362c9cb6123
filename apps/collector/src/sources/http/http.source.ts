import { Inject, Injectable } from '@nestjs/common';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { SourceRunner } from '../../source-runner';
import { mappingOptions } from '../request-mapping';
import { IngestOutcome, parseIngestBody } from './ingest-body';

export interface IngestResult {
  accepted: number;
  rejected: number;
  errors: { index: number; error: string }[];
  /** Present only when more than REFUSALS_KEPT records were refused. */
  errorsOmitted?: number;
}

/** POST /ingest: Logyard's own JSON and NDJSON format, with partial success. */
@Injectable()
export class HttpSource {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly runner: SourceRunner,
  ) {}

  /** Parses and publishes; resolves once every valid record is confirmed by the broker. */
  async ingest(body: Buffer, contentType: string | undefined): Promise<IngestResult> {
    const outcome: IngestOutcome = await this.runner.run(
      'http',
      parseIngestBody(body, contentType, mappingOptions(this.config)),
    );
    // `rejected` counts every refusal and `errorsOmitted` the ones not named, so an answer stays small.
    const omitted = outcome.refused - outcome.errors.length;
    return {
      accepted: outcome.records.length,
      rejected: outcome.refused,
      errors: outcome.errors,
      ...(omitted > 0 ? { errorsOmitted: omitted } : {}),
    };
  }
}
