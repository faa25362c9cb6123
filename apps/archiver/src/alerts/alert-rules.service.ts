import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { v7 as uuidv7, validate as isUuid } from 'uuid';
import {
  AlertRuleBody,
  alertRuleCreateSchema,
  alertRulePatchSchema,
  AlertRuleSpec,
  LogFilters,
  parseAlertBody,
  parseWindow,
  ruleFilterParams,
  ruleSlug,
} from '@logyard/contracts';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { AlertRuleRepository, DuplicateRuleError, TooManyRulesError } from '@logyard/db';
import { badParam } from '../query/log-query.service';
import { parseAlertFilters } from '../query/log-query.parser';

/** What decides which records a rule counts: a change of any of these starts its window over. */
const COUNTING_FIELDS = new Set(['window', 'service', 'host', 'severity', 'minSeverity', 'q', 'contains']);

/** POST/GET/PATCH/DELETE /api/alerts: validation, then the repository. */
@Injectable()
export class AlertRulesService {
  constructor(
    private readonly rules: AlertRuleRepository,
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
  ) {}

  async create(body: unknown): Promise<AlertRuleBody> {
    const spec = validRule(body);
    try {
      return await this.rules.create(
        uuidv7(),
        ruleSlug(spec.name),
        spec,
        windowSeconds(spec),
        this.config.alerts.maxRules,
      );
    } catch (error) {
      throw conflictOr(error);
    }
  }

  list(): Promise<AlertRuleBody[]> {
    return this.rules.list();
  }

  async get(id: string): Promise<AlertRuleBody> {
    return (await this.find(id)).body;
  }

  /** Merges the patch (null removes a field) and validates the result as a whole rule. */
  async update(id: string, body: unknown): Promise<AlertRuleBody> {
    const patch = parseAlertBody(alertRulePatchSchema, body);
    if (!patch.ok) throw badParam(patch.error.field, patch.error.message);
    const { spec: current } = await this.find(id);
    const merged: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(patch.value)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    const spec = validRule(merged);
    const recount = Object.keys(patch.value).some(
      (key) => COUNTING_FIELDS.has(key) || key.startsWith('attr.'),
    );
    try {
      const updated = await this.rules.update(id, ruleSlug(spec.name), spec, windowSeconds(spec), recount);
      if (!updated) throw notFound(id);
      return updated;
    } catch (error) {
      throw conflictOr(error);
    }
  }

  async remove(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.rules.delete(id.toLowerCase()))) throw notFound(id);
  }

  private async find(id: string): Promise<{ body: AlertRuleBody; spec: AlertRuleSpec }> {
    const found = isUuid(id) ? await this.rules.find(id.toLowerCase()) : undefined;
    if (!found) throw notFound(id);
    return found;
  }
}

/** A rule's filters as the archive query reads them; the rule was validated when stored. */
export function ruleFilters(spec: AlertRuleSpec): LogFilters {
  const filters = parseAlertFilters(ruleFilterParams(spec));
  if (!filters.ok) throw new Error(`stored rule ${spec.name} has invalid filters: ${filters.error.message}`);
  return filters.value;
}

export function windowSeconds(spec: AlertRuleSpec): number {
  const window = parseWindow(spec.window);
  if (!window.ok) throw new Error(`stored rule ${spec.name} has an invalid window`);
  return window.value;
}

function validRule(body: unknown): AlertRuleSpec {
  const spec = parseAlertBody(alertRuleCreateSchema, body);
  if (!spec.ok) throw badParam(spec.error.field, spec.error.message);
  const filters = parseAlertFilters(ruleFilterParams(spec.value));
  if (!filters.ok) throw badParam(filters.error.field, filters.error.message);
  return spec.value;
}

function notFound(id: string): NotFoundException {
  return new NotFoundException({
    statusCode: 404,
    error: 'Not Found',
    message: `no alert rule with id ${id}`,
  });
}

function conflictOr(error: unknown): unknown {
  if (error instanceof TooManyRulesError) {
    return new ConflictException({
      statusCode: 409,
      error: 'Conflict',
      message: `the archive holds ${error.message} alert rules, its limit (ALERT_MAX_RULES); delete one first`,
    });
  }
  if (!(error instanceof DuplicateRuleError)) return error;
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    field: 'name',
    message: `name: another rule is already named so that its routing word is ${error.message}`,
  });
}
