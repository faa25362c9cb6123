import { Result } from '@logyard/contracts';
import { ParamError, QueryParams } from './log-query.parser';
import { LogPage } from './log-query.service';

/** An RPC failure, shaped like the body of the HTTP error it stands for. */
export interface RpcError {
  statusCode: number;
  field?: string;
  message: string;
}

/** What the archiver answers on `reply_to`: exactly the body GET /api/logs would answer, or its error. */
export type RpcReply = LogPage | { error: RpcError };

const NOT_AN_OBJECT = 'must be a JSON object of the query parameters of GET /api/logs';

/**
 * Reads the body of an RPC query: a JSON object of the parameters of GET
 * /api/logs, each a string or an array of strings (as a query string would
 * carry them), e.g. `{"service":"checkout","minSeverity":"warn","limit":"10"}`.
 * The parameters themselves are validated by the same parser as HTTP.
 */
export function parseRpcRequest(body: Buffer): Result<QueryParams, ParamError> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse('body', `is not valid JSON; ${NOT_AN_OBJECT}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return refuse('body', NOT_AN_OBJECT);
  for (const [name, param] of Object.entries(value)) {
    const valid =
      typeof param === 'string' || (Array.isArray(param) && param.every((item) => typeof item === 'string'));
    if (!valid) return refuse(name, 'must be a string or an array of strings');
  }
  return { ok: true, value: value as QueryParams };
}

/** The error reply for a bad parameter, with the same message as the HTTP 400 (see badParam). */
export function paramErrorReply(error: ParamError): RpcReply {
  return { error: { statusCode: 400, field: error.field, message: `${error.field}: ${error.message}` } };
}

function refuse(field: string, message: string): Result<never, ParamError> {
  return { ok: false, error: { field, message } };
}
