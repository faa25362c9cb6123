import { refusalOf } from '@logyard/contracts';
import { CliError, failure, messageOf, usageError } from './cli-error';

/** Where the HTTP API answers, with which query token (LOGYARD_TOKEN), and how long the CLI waits for it. */
export interface ApiTarget {
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  /** The longest answer read (default MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
}

/**
 * The longest answer the CLI reads: a page of 1,000 records at the record limits (64 KiB of message, 64 KiB
 * of attributes, both escaped as JSON) comes to about 260 MiB. A server sending more is not Logyard's API.
 */
export const MAX_ANSWER_BYTES = 512 * 1024 * 1024;

/**
 * One request to the HTTP API: its status and body, whatever the status. A Logyard that cannot be reached
 * is a failure saying how to start one or where to point the CLI.
 */
export async function callApi(
  target: ApiTarget,
  method: string,
  path: string,
  json?: unknown,
): Promise<{ status: number; body: string }> {
  const url = `${target.baseUrl.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    throw failure(
      `cannot reach Logyard at ${target.baseUrl} (${messageOf(cause)}); start it with 'logyard start' or set LOGYARD_URL`,
    );
  }
  return { status: response.status, body: await readAnswerText(response, target) };
}

/** The body of an answer, read only up to `maxAnswerBytes`; a body that breaks off is a failure of its own. */
async function readAnswerText(response: Response, target: ApiTarget): Promise<string> {
  const maxBytes = target.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for await (const chunk of response.body ?? []) {
      bytes += chunk.length;
      // Thrown out of the loop, which cancels the rest of the stream.
      if (bytes > maxBytes) {
        throw failure(
          `Logyard at ${target.baseUrl} answered with more than ${maxBytes} bytes; is it Logyard?`,
        );
      }
      text += decoder.decode(chunk, { stream: true });
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const cause = (error as { cause?: unknown }).cause ?? error;
    throw failure(`Logyard at ${target.baseUrl} broke off its answer (${messageOf(cause)})`);
  }
  return text + decoder.decode();
}

/**
 * The error a refusal exits with: a refused parameter is a usage error (exit 2), a missing or wrong token says
 * which variable to set, anything else fails with `otherwise`.
 */
export function refusalError(status: number, message: string, otherwise: string): CliError {
  if (status === 400) return usageError(message);
  if (status === 401) return failure(`${message}; set LOGYARD_TOKEN to a query token`);
  return failure(otherwise);
}

/**
 * The JSON an answer carries when it is a success, read as `T`; a refusal throws {@link refusalError}. The
 * refusal's own status wins over the transport's, as an RPC reply has none and says its status in the body.
 */
export function readAnswer<T>(status: number, body: string): T {
  let value: unknown;
  try {
    value = body ? JSON.parse(body) : undefined;
  } catch {
    throw failure(`Logyard answered ${status} with a body that is not JSON: ${body.slice(0, 200)}`);
  }
  const refusal = refusalOf(value);
  const code = refusal?.statusCode ?? status;
  if (code >= 200 && code < 300) return value as T;
  const message = refusal?.message ?? (body.slice(0, 200) || `HTTP ${code}`);
  throw refusalError(code, message, `Logyard answered ${code}: ${message}`);
}
