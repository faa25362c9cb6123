import { Inject, Injectable } from '@nestjs/common';
import { AmqpConnection, ConfirmPublisher } from '@logyard/amqp';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { LogRecord } from '@logyard/contracts';

/**
 * The collector's one way out, shared by every source: batch messages on the
 * ingest exchange. Resolves only when the broker confirmed every message, so
 * a source may acknowledge its sender exactly then; rejects with
 * BrokerUnavailableError otherwise.
 */
@Injectable()
export class RecordPublisher {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly connection: AmqpConnection,
    private readonly publisher: ConfirmPublisher,
  ) {}

  publish(records: readonly LogRecord[]): Promise<void> {
    return this.publisher.publishRecords(
      this.connection.topology.names.ingest,
      records,
      this.config.records.maxPerMessage,
    );
  }
}
