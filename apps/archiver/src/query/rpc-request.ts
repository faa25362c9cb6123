import { TokenSet } from '@logyard/auth';
import {
  badParamError,
  ParamError,
  parseRequest,
  QueryParams,
  Result,
  rpcRequest,
  RpcReply,
  TOKEN_HEADER,
} from '@logyard/contracts';

/** The parts of an RPC request message its vetting reads. */
export interface RpcRequestMessage {
  content: Buffer;
  properties: { replyTo?: string; headers?: Record<string, unknown> };
}

export interface RpcPolicy {
  /** QUERY_TOKENS: when set, a request needs one of them in TOKEN_HEADER. */
  tokens: TokenSet;
  /** RPC_MAX_REQUEST_BYTES. */
  maxRequestBytes: number;
}

/** What to do with a request: answer its parameters, refuse it with an error reply, or dead-letter it. */
export type RpcVerdict =
  | { action: 'answer'; params: QueryParams }
  | { action: 'reply'; reply: RpcReply }
  | { action: 'dead-letter'; reason: string };

/**
 * Decides what a request on the RPC queue gets, before any query runs. Its
 * reply_to is checked first: a reply is only ever published to a reply
 * queue (see isReplyQueue), since anyone who may publish to the RPC queue
 * could otherwise make the archiver write into any queue, its own included.
 * A request without one is dead-lettered with the reason; every other
 * refusal is an error reply shaped like the HTTP error: 401 without a
 * query token (when QUERY_TOKENS is set), 413 over the size cap, 400 for a
 * body that is no query. Time and memory are linear in the body's size.
 */
export function vetRpcRequest(message: RpcRequestMessage, policy: RpcPolicy): RpcVerdict {
  const { replyTo, headers } = message.properties;
  if (!replyTo) {
    return {
      action: 'dead-letter',
      reason: 'RPC request without reply_to: there is nowhere to send the answer',
    };
  }
  if (!isReplyQueue(replyTo)) {
    return {
      action: 'dead-letter',
      reason:
        `RPC request with reply_to ${JSON.stringify(replyTo.slice(0, 255))}, which is no reply queue: ` +
        'use amq.rabbitmq.reply-to (direct reply-to) or a server-named exclusive queue (amq.gen-…)',
    };
  }
  if (!policy.tokens.open && !policy.tokens.has(headerText(headers?.[TOKEN_HEADER]))) {
    const why =
      headers?.[TOKEN_HEADER] === undefined
        ? `this query needs header ${TOKEN_HEADER} with one of QUERY_TOKENS`
        : `the ${TOKEN_HEADER} header is not one of QUERY_TOKENS`;
    return { action: 'reply', reply: { error: { statusCode: 401, message: why } } };
  }
  if (message.content.length > policy.maxRequestBytes) {
    const why = `body: ${message.content.length} bytes; a request holds at most ${policy.maxRequestBytes} (RPC_MAX_REQUEST_BYTES)`;
    return { action: 'reply', reply: { error: { statusCode: 413, field: 'body', message: why } } };
  }
  const params = parseRpcRequest(message.content);
  return params.ok
    ? { action: 'answer', params: params.value }
    : { action: 'reply', reply: paramErrorReply(params.error) };
}

/**
 * Whether replies may be published to `name`: RabbitMQ's direct reply-to
 * (`amq.rabbitmq.reply-to`, which the broker rewrites per caller) or a
 * server-named queue (`amq.gen-…`). Clients cannot declare names under
 * `amq.`, so both are queues the broker made for a caller, never one of
 * Logyard's durable queues or anyone else's named queue.
 */
export function isReplyQueue(name: string): boolean {
  return name.startsWith('amq.rabbitmq.reply-to') || name.startsWith('amq.gen-');
}

/**
 * Reads the body of an RPC query with the contracts' rpcRequest schema: a JSON object of the parameters of
 * GET /api/logs, each a string or an array of strings (as a query string would carry them), e.g.
 * `{"service":"checkout","minSeverity":"warn","limit":"10"}`. The parameters themselves are validated by
 * the same schema as HTTP.
 */
export function parseRpcRequest(body: Buffer): Result<QueryParams, ParamError> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, error: { field: 'body', message: `is not valid JSON; ${NOT_AN_OBJECT}` } };
  }
  return parseRequest(rpcRequest, value);
}

const NOT_AN_OBJECT = 'must be a JSON object of the query parameters of GET /api/logs';

/** The error reply for a bad parameter: the HTTP 400's envelope, under `error` (docs/design.md §6). */
export function paramErrorReply(error: ParamError): RpcReply {
  return { error: badParamError(error.field, error.message) };
}

/** A header's text: AMQP clients send a string as a long string, some as bytes. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}
