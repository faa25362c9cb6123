import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { addDays, PartitionRepository, RetentionOutcome, startOfUtcDay } from '@logyard/db';
import { planRetention } from './retention.policy';

const HOUR_MS = 3_600_000;

/**
 * Keeps day partitions created ahead of time (yesterday through
 * PARTITION_DAYS_AHEAD days from now), so records never pile up in the
 * default partition during normal operation, and enforces retention (see
 * planRetention) — at start and hourly. Both run under the schema advisory
 * lock, so any number of archivers may do this at once.
 */
@Injectable()
export class PartitionMaintainer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PartitionMaintainer.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly partitions: PartitionRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.run();
    this.timer = setInterval(() => {
      this.run().catch((error: Error) => this.logger.warn(`partition maintenance failed: ${error.message}`));
    }, HOUR_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(now = new Date()): Promise<void> {
    const today = startOfUtcDay(now);
    const days = Array.from({ length: this.config.archiver.partitionDaysAhead + 2 }, (_, i) =>
      addDays(today, i - 1),
    );
    const created = await this.partitions.ensureDays(days);
    if (created.length) this.logger.log(`created partitions ${created.join(', ')}`);
    const outcome = await this.partitions.applyRetention((names) =>
      planRetention(names, today, this.config.retention.days),
    );
    this.report(outcome);
  }

  private report({ dropped, deletedRows, failures }: RetentionOutcome): void {
    if (dropped.length) this.logger.log(`retention dropped partitions ${dropped.join(', ')}`);
    const deleted = Object.entries(deletedRows).map(([severity, count]) => `${count} ${severity}`);
    if (deleted.length) {
      this.logger.log(`retention deleted expired rows from default partitions: ${deleted.join(', ')}`);
    }
    for (const { step, error } of failures) {
      this.logger.warn(`retention could not ${step} (${error}); the next run retries`);
    }
  }
}
