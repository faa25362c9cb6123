import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RequiresToken } from '@logyard/auth';
import { openApiSchema } from '@logyard/runtime';
import {
  AlertRuleBody,
  alertRuleCreateSchema,
  AlertRuleListBody,
  alertRulePatchSchema,
} from '@logyard/contracts';
import { readJsonBody } from '@logyard/http';
import { badParam } from '../query/log-query.service';
import { AlertRulesService } from './alert-rules.service';

/** A rule body is a few filters and URLs; anything larger is refused before parsing. */
const MAX_RULE_BODY_BYTES = 16 * 1024;

@Controller('api/alerts')
@RequiresToken('query')
@ApiTags('Alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertRulesService) {}

  @Post()
  @ApiOperation({ summary: 'Create an alert rule on the live stream' })
  @ApiBody({ schema: openApiSchema(alertRuleCreateSchema, 'input') })
  async create(@Req() request: Request): Promise<AlertRuleBody> {
    return this.alerts.create(await jsonBody(request));
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
  @ApiBody({ schema: openApiSchema(alertRulePatchSchema, 'input') })
  async update(@Param('id') id: string, @Req() request: Request): Promise<AlertRuleBody> {
    return this.alerts.update(id, await jsonBody(request));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Remove a rule' })
  remove(@Param('id') id: string): Promise<void> {
    return this.alerts.remove(id);
  }
}

async function jsonBody(request: Request): Promise<unknown> {
  const body = await readJsonBody(request, {
    limit: MAX_RULE_BODY_BYTES,
    unsupported: 'send the rule as application/json',
    tooLarge: `a rule is at most ${MAX_RULE_BODY_BYTES} bytes`,
  });
  if (!body) throw badParam('body', 'is not valid JSON');
  return body.json;
}
