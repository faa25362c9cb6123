import { randomUUID } from 'node:crypto';
import { TopologyNames } from '@logyard/amqp/client';
import { LogPage, QueryParams, TOKEN_HEADER } from '@logyard/contracts';
import { callApi, readAnswer } from './api-client';
import { connectBroker, describeBrokerError, missingOnBroker } from './broker';
import { failure } from './cli-error';
import { escapeControls, escapeJson, formatQueryLine } from './format';
import { toSearchParams } from './query-params';

/** RabbitMQ's direct reply-to pseudo-queue: replies come straight back on this channel, no queue declared. */
const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

export interface QueryTarget {
  via: 'http' | 'amqp';
  /** The HTTP API, for `via: 'http'`. */
  baseUrl: string;
  /** A query token (LOGYARD_TOKEN): a bearer token over HTTP, header x-logyard-token over AMQP. */
  token?: string;
  amqpUrls: readonly string[];
  names: TopologyNames;
  timeoutMs: number;
}

/**
 * `logyard query …`: one page of the archive, newest first, over HTTP or the
 * archiver's AMQP RPC (both answer the same body). Prints the raw JSON with
 * `json`, else one line per record; a parameter the API refuses is a usage
 * error naming the field.
 */
export async function queryLogs(
  target: QueryTarget,
  params: QueryParams,
  options: { json: boolean },
): Promise<void> {
  const { status, body } =
    target.via === 'amqp'
      ? await askOverAmqp(target, params)
      : await callApi(target, 'GET', `/api/logs?${toSearchParams(params)}`);
  const page = readAnswer<LogPage>(status, body);
  if (!Array.isArray(page?.items))
    throw failure(`Logyard answered ${status} without a page: ${body.slice(0, 200)}`);
  if (options.json) {
    // Written again from the parsed page: what the answer held between tokens (a carriage return is JSON
    // whitespace) never reaches the terminal.
    process.stdout.write(`${escapeJson(JSON.stringify(page))}\n`);
    return;
  }
  process.stdout.write(page.items.map((record) => `${formatQueryLine(record)}\n`).join(''));
  if (page.items.length === 0) process.stderr.write('(no logs matched)\n');
  if (page.nextCursor) process.stderr.write(`(more: add --cursor ${escapeControls(page.nextCursor)})\n`);
}

/**
 * The classic RabbitMQ RPC: the parameters as a JSON body on the RPC queue,
 * `reply_to` direct reply-to and a fresh `correlation_id`. The request
 * expires with the timeout, so an archiver that comes up later does not
 * answer a caller that gave up. The reply carries no HTTP status, so the
 * body alone says whether it is an error.
 */
async function askOverAmqp(
  target: QueryTarget,
  params: QueryParams,
): Promise<{ status: number; body: string }> {
  const connection = await connectBroker(target.amqpUrls);
  try {
    const channel = await connection.createChannel();
    let channelError: Error | undefined;
    channel.on('error', (error: Error) => (channelError = error));
    const correlationId = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<string>((resolve, reject) => {
      // Mandatory: with no queue to take the request, the broker returns it instead of dropping it.
      channel.on('return', () => reject(failure(missingOnBroker(`queue ${target.names.rpc}`))));
      channel.on('close', () =>
        reject(
          failure(
            channelError
              ? describeBrokerError(channelError, `queue ${target.names.rpc}`)
              : 'lost the connection to RabbitMQ',
          ),
        ),
      );
      timer = setTimeout(
        () =>
          reject(
            failure(
              `no answer on ${target.names.rpc} within ${target.timeoutMs} ms; is an archiver with the query RPC running?`,
            ),
          ),
        target.timeoutMs,
      );
      // Direct reply-to needs the consumer in place before the request is published.
      void channel
        .consume(
          DIRECT_REPLY_TO,
          (message) =>
            message?.properties.correlationId === correlationId && resolve(message.content.toString('utf8')),
          { noAck: true },
        )
        .then(() =>
          channel.sendToQueue(target.names.rpc, Buffer.from(JSON.stringify(params)), {
            replyTo: DIRECT_REPLY_TO,
            correlationId,
            contentType: 'application/json',
            headers: target.token ? { [TOKEN_HEADER]: target.token } : {},
            expiration: String(target.timeoutMs),
            mandatory: true,
          }),
        )
        .catch(reject);
    });
    try {
      return { status: 200, body: await answer };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
