import type { Request, Response } from 'express';
import { raw } from 'express';
import { STATUS_CODES } from 'node:http';
import { Result } from '@logyard/contracts';

/** Content-Encodings a body may arrive in. Brotli and zstd are refused: their decoders can demand large windows. */
export const BODY_ENCODINGS: readonly string[] = ['identity', 'gzip', 'deflate'];

/** Why a body was not read, as the HTTP answer a sender gets: never a decoder's own message. */
export interface BodyRefusal {
  statusCode: number;
  error: string;
  message: string;
}

export interface BodyOptions {
  /** Bytes the body may hold (after inflation); a longer one, declared or sent, is refused with 413 unread. */
  limit: number;
  /** Names the limit in a 413's message, e.g. "BODY_LIMIT". */
  limitName: string;
  /**
   * Whether a gzip or deflate body is inflated (the ingest routes, after their token check); otherwise only
   * an identity body is read, so a route anyone may call never costs a decompression.
   */
  inflate: boolean;
}

/**
 * The one reader of request bodies (no global body parser runs, SECURITY.md): the whole body as one Buffer,
 * capped at `limit` bytes — refused from its Content-Length before any is read, or as soon as more arrives —
 * and inflated only when `inflate` says so. A request without a body reads as an empty Buffer.
 */
export async function readRequestBody(
  request: Request,
  options: BodyOptions,
): Promise<Result<Buffer, BodyRefusal>> {
  const encoding = contentEncodingOf(request);
  const accepted = options.inflate ? BODY_ENCODINGS : ['identity'];
  if (!accepted.includes(encoding)) {
    const allowed = options.inflate ? 'gzip or deflate (or none)' : 'none (identity)';
    return refused(415, `Content-Encoding must be ${allowed}, got ${encoding}`);
  }
  const parse = raw({ type: () => true, limit: options.limit, inflate: options.inflate });
  const failure = await new Promise<ReadFailure | undefined>((resolve) =>
    // Express gives every request its response; the parser only passes it along.
    parse(request, request.res as Response, (error?: ReadFailure) => resolve(error)),
  );
  if (failure) return refusal(failure, encoding, options);
  const body: unknown = request.body;
  return { ok: true, value: Buffer.isBuffer(body) ? body : Buffer.alloc(0) };
}

/** The request's Content-Encoding, lower case; 'identity' when it names none. */
export function contentEncodingOf(request: Request): string {
  return (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
}

/** What body-parser and raw-body hand back: a status and a type of theirs, or zlib's error with its code. */
interface ReadFailure {
  status?: number;
  type?: string;
  code?: string;
}

function refusal(failure: ReadFailure, encoding: string, options: BodyOptions): Result<never, BodyRefusal> {
  if (failure.type === 'entity.too.large' || failure.status === 413) {
    const after = options.inflate ? ' (after decompression)' : '';
    return refused(413, `body exceeds ${options.limitName} of ${options.limit} bytes${after}`);
  }
  if (typeof failure.code === 'string' && failure.code.startsWith('Z_')) {
    return refused(400, `body: not valid ${encoding}`);
  }
  if (failure.type === 'request.aborted') return refused(400, 'body: the request was aborted');
  if (failure.type === 'request.size.invalid')
    return refused(400, 'body: shorter or longer than Content-Length');
  return refused(400, 'body: could not be read');
}

function refused(statusCode: number, message: string): Result<never, BodyRefusal> {
  return { ok: false, error: { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message } };
}
