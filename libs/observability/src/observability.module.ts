import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { ObservabilityController } from './observability.controller';
import { ReadinessRegistry } from './readiness.registry';

@Global()
@Module({
  controllers: [ObservabilityController],
  providers: [MetricsService, ReadinessRegistry],
  exports: [MetricsService, ReadinessRegistry],
})
export class ObservabilityModule {}
