import { refusalOf } from '@logyard/contracts';
import { CliError, failure, messageOf, usageError } from './cli-error';

/** Where the HTTP API answers, with which query token (LOGYARD_TOKEN), and how long the CLI waits for it. */
export interface ApiTarget {
  baseUrl: string;
  token?: string;
  timeoutMs: number;
}

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
  try {
    const response = await fetch(url, {
      method,
      headers: {
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    throw failure(
      `cannot reach Logyard at ${target.baseUrl} (${messageOf(cause)}); start it with 'logyard start' or set LOGYARD_URL`,
    );
  }
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
