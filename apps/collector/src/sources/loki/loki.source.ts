import { Inject, Injectable } from '@nestjs/common';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { ok, Result } from '@logyard/contracts';
import { SourceRunner } from '../../source-runner';
import { decodeLokiJson } from './loki-json.decoder';
import { decodeLokiProtobuf } from './loki-protobuf.decoder';
import { mapLokiPush } from './loki-push.mapper';
import { mappingOptions, RequestMapping } from '../request-mapping';

export type LokiEncoding = 'json' | 'protobuf';

/** POST /loki/api/v1/push: Grafana Loki's push API, for Promtail, Alloy, pino-loki and other Loki clients. */
@Injectable()
export class LokiSource {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly runner: SourceRunner,
  ) {}

  /**
   * Resolves once the broker confirmed every accepted entry, with the refused ones. Fails, publishing
   * nothing, when the body is not a push request with streams.
   */
  async push(body: Buffer, encoding: LokiEncoding): Promise<Result<RequestMapping>> {
    const request =
      encoding === 'json' ? decodeLokiJson(body) : decodeLokiProtobuf(body, this.config.http.bodyLimitBytes);
    if (!request.ok) return request;
    return ok(await this.runner.run('loki', mapLokiPush(request.value, mappingOptions(this.config))));
  }
}
