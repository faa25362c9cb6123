import { HttpException } from '@nestjs/common';
import type { Request } from 'express';
import { readRequestBody } from './request-body';

export interface JsonBodyOptions {
  /** Bytes the body may hold; a longer one is refused with 413 unread. */
  limit: number;
  /** The 415's message, saying what to send, e.g. "send the rule as application/json". */
  unsupported: string;
  /** The 413's message, e.g. "a rule is at most 16384 bytes". */
  tooLarge: string;
}

/**
 * The body of a route that takes one small JSON document (an alert rule, a login), never inflated. Only
 * application/json is read: a cross-site HTML form can post text/plain but never JSON without a CORS
 * preflight, which Logyard never grants. Throws the 415 and the 413 in the route's own words; resolves to
 * undefined for a body that cannot be read (compressed, cut short) or is no JSON, which each route refuses
 * as its own parameter error.
 */
export async function readJsonBody(
  request: Request,
  options: JsonBodyOptions,
): Promise<{ json: unknown } | undefined> {
  if (!request.is('application/json')) {
    throw new HttpException(
      { statusCode: 415, error: 'Unsupported Media Type', message: options.unsupported },
      415,
    );
  }
  // limitName only words readRequestBody's own 413, which tooLarge replaces.
  const body = await readRequestBody(request, {
    limit: options.limit,
    limitName: 'the limit',
    inflate: false,
  });
  if (!body.ok && body.error.statusCode === 413) {
    throw new HttpException({ statusCode: 413, error: 'Payload Too Large', message: options.tooLarge }, 413);
  }
  if (!body.ok) return undefined;
  try {
    return { json: JSON.parse(body.value.toString('utf8')) };
  } catch {
    return undefined;
  }
}
