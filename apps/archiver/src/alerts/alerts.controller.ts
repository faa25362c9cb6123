import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Param,
  Patch,
  Post,
  Req,
  Res,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequiresToken } from '@logyard/auth';
import { AlertRuleBody, AlertRuleListBody } from '@logyard/contracts';
import { readRequestBody } from '@logyard/http';
import { badParam } from '../query/log-query.service';
import { AlertRulesService } from './alert-rules.service';

/** A rule body is a few filters and URLs; anything larger is refused before parsing. */
const MAX_RULE_BODY_BYTES = 16 * 1024;

const RULE_BODY_SCHEMA = {
  type: 'object',
  required: ['name', 'threshold', 'window'],
  properties: {
    name: { type: 'string' },
    threshold: { type: 'integer', minimum: 1 },
    window: { type: 'string', example: '5m', description: '30s to 24h; past 1h whole minutes' },
    service: { type: 'string' },
    host: { type: 'string' },
    severity: { type: 'string' },
    minSeverity: { type: 'string' },
    q: { type: 'string' },
    contains: { type: 'string' },
    webhook: { type: 'string', format: 'uri' },
    alertmanager: { type: 'string', format: 'uri' },
    secret: { type: 'string', minLength: 16 },
  },
  additionalProperties: { type: 'string', description: 'attr.<key>' },
};

@Controller('api/alerts')
@RequiresToken('query')
@ApiTags('Alerts')
@ApiBearerAuth()
export class AlertsController {
  constructor(private readonly alerts: AlertRulesService) {}

  @Post()
  @ApiOperation({ summary: 'Create an alert rule on the live stream' })
  @ApiBody({ schema: RULE_BODY_SCHEMA })
  async create(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AlertRuleBody> {
    return this.alerts.create(await jsonBody(request, response));
  }

  @Get()
  @ApiOperation({ summary: 'Every rule with its state and last notification' })
  async list(): Promise<AlertRuleListBody> {
    return { items: await this.alerts.list() };
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'One rule' })
  get(@Param('id') id: string): Promise<AlertRuleBody> {
    return this.alerts.get(id);
  }

  @Patch(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Change a rule; null removes an optional field' })
  @ApiBody({ schema: { ...RULE_BODY_SCHEMA, required: [] } })
  async update(
    @Param('id') id: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AlertRuleBody> {
    return this.alerts.update(id, await jsonBody(request, response));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Remove a rule' })
  remove(@Param('id') id: string): Promise<void> {
    return this.alerts.remove(id);
  }
}

async function jsonBody(request: Request, response: Response): Promise<unknown> {
  if (!request.is('application/json')) {
    throw new UnsupportedMediaTypeException({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'send the rule as application/json',
    });
  }
  const body = await readRequestBody(request, response, {
    limit: MAX_RULE_BODY_BYTES,
    limitName: 'the rule body limit',
    inflate: false,
  });
  if (!body.ok) throw new HttpException(body.error, body.error.statusCode);
  try {
    return JSON.parse(body.value.toString('utf8'));
  } catch {
    throw badParam('body', 'is not valid JSON');
  }
}
