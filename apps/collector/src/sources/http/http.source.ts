import { Inject, Injectable } from '@nestjs/common';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { nowIso } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { RecordPublisher } from '../../record-publisher';
import { IngestOutcome, parseIngestBody } from './ingest-body';

export interface IngestResult {
  accepted: number;
  rejected: number;
  errors: { index: number; error: string }[];
}

/** POST /ingest: Logyard's own JSON and NDJSON format, with partial success. */
@Injectable()
export class HttpSource {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly publisher: RecordPublisher,
    private readonly metrics: MetricsService,
  ) {}

  /** Parses and publishes; resolves once every valid record is confirmed by the broker. */
  async ingest(body: Buffer, contentType: string | undefined): Promise<IngestResult> {
    const outcome: IngestOutcome = parseIngestBody(body, contentType, {
      observedTs: nowIso(),
      maxMessageBytes: this.config.records.maxMessageBytes,
    });
    if (outcome.records.length > 0) await this.publisher.publish(outcome.records);
    this.metrics.recordsAccepted.inc({ source: 'http' }, outcome.records.length);
    this.metrics.recordsRejected.inc({ source: 'http' }, outcome.errors.length);
    return { accepted: outcome.records.length, rejected: outcome.errors.length, errors: outcome.errors };
  }
}
