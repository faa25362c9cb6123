import { Inject, Injectable } from '@nestjs/common';
import { LOGYARD_CONFIG, LogyardConfig, recordLimits } from '@logyard/config';
import { nowIso, ok, Result } from '@logyard/contracts';
import { MetricsService } from '@logyard/observability';
import { RecordPublisher } from '../../record-publisher';
import { decodeLokiJson } from './loki-json.decoder';
import { decodeLokiProtobuf } from './loki-protobuf.decoder';
import { LokiMapping, mapLokiPush } from './loki-push.mapper';

export type LokiEncoding = 'json' | 'protobuf';

/** POST /loki/api/v1/push: Grafana Loki's push API, for Promtail, Alloy, pino-loki and other Loki clients. */
@Injectable()
export class LokiSource {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly publisher: RecordPublisher,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Resolves once the broker confirmed every accepted entry, with the refused ones. Fails, publishing
   * nothing, when the body is not a push request with streams.
   */
  async push(body: Buffer, encoding: LokiEncoding): Promise<Result<LokiMapping>> {
    const request =
      encoding === 'json' ? decodeLokiJson(body) : decodeLokiProtobuf(body, this.config.http.bodyLimitBytes);
    if (!request.ok) return request;
    const mapping = mapLokiPush(request.value, {
      observedTs: nowIso(),
      ...recordLimits(this.config),
    });
    if (mapping.records.length > 0) await this.publisher.publish(mapping.records);
    this.metrics.recordsAccepted.inc({ source: 'loki' }, mapping.records.length);
    this.metrics.recordsRejected.inc({ source: 'loki' }, mapping.errors.length);
    return ok(mapping);
  }
}
