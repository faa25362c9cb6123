import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsService } from './metrics.service';
import { ReadinessRegistry } from './readiness.registry';

/** Liveness, readiness and Prometheus metrics; served by every role. */
const READINESS_SCHEMA = {
  type: 'object',
  properties: {
    ready: { type: 'boolean' },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { status: { type: 'string', enum: ['up', 'down'] }, reason: { type: 'string' } },
      },
    },
  },
};

@Controller()
@ApiTags('Health')
export class ObservabilityController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', enum: ['up'] } } } })
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: the broker and, where used, the database are reachable' })
  @ApiOkResponse({ schema: READINESS_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'a dependency is down', schema: READINESS_SCHEMA })
  async ready(@Res() response: Response): Promise<void> {
    const result = await this.readiness.evaluate();
    response.status(result.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(result);
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() response: Response): Promise<void> {
    response.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
