import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { validate as isUuid } from 'uuid';
import { LogRecord } from '@logyard/contracts';
import { LogRepository } from '@logyard/db';
import { encodeCursor } from './cursor';
import { parseLogQuery, QueryParams } from './log-query.parser';

export interface LogPage {
  items: LogRecord[];
  nextCursor: string | null;
}

/** Reads the archive for the HTTP API. */
@Injectable()
export class LogQueryService {
  constructor(private readonly logs: LogRepository) {}

  async list(params: QueryParams): Promise<LogPage> {
    const query = parseLogQuery(params);
    if (!query.ok) throw badParam(query.error.field, query.error.message);
    const { records, hasMore } = await this.logs.findPage(query.value);
    const last = records.at(-1);
    return { items: records, nextCursor: hasMore && last ? encodeCursor(last) : null };
  }

  async get(id: string): Promise<LogRecord> {
    if (!isUuid(id)) throw badParam('id', 'must be a UUID');
    const record = await this.logs.findById(id.toLowerCase());
    if (!record)
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no log with id ${id}` });
    return record;
  }
}

export function badParam(field: string, message: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    field,
    message: `${field}: ${message}`,
  });
}
