import type { Request, Response } from 'express';
import { raw } from 'express';
import { STATUS_CODES } from 'node:http';
import { Result } from '@logyard/contracts';

/** Content-Encodings a body may arrive in. Brotli and zstd are refused: their decoders can demand large windows. */
export const BODY_ENCODINGS: readonly string[] = ['identity', 'gzip', 'deflate'];

/** The media type of a Content-Type header, lower case and without parameters; '' when there is none. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Why a body was not read, as the HTTP answer a sender gets: never a decoder's own message. */
export interface BodyRefusal {
  statusCode: number;
  error: string;
  message: string;
}

/**
 * Reads a request's whole body as one Buffer, inflated from gzip or deflate and capped at `limit` bytes after
 * inflation. Only an ingest route calls this, after its token check, so nobody else costs a decompression.
 * A request without a body reads as an empty Buffer.
 */
export async function readRequestBody(
  request: Request,
  response: Response,
  limit: number,
): Promise<Result<Buffer, BodyRefusal>> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (!BODY_ENCODINGS.includes(encoding)) {
    return refused(415, `Content-Encoding must be gzip or deflate (or none), got ${encoding}`);
  }
  const parse = raw({ type: () => true, limit, inflate: true });
  const failure = await new Promise<ReadFailure | undefined>((resolve) =>
    parse(request, response, (error?: ReadFailure) => resolve(error)),
  );
  if (failure) return refusal(failure, encoding, limit);
  const body: unknown = request.body;
  return { ok: true, value: Buffer.isBuffer(body) ? body : Buffer.alloc(0) };
}

/** What body-parser and raw-body hand back: a status and a type of theirs, or zlib's error with its code. */
interface ReadFailure {
  status?: number;
  type?: string;
  code?: string;
}

function refusal(failure: ReadFailure, encoding: string, limit: number): Result<never, BodyRefusal> {
  if (failure.type === 'entity.too.large' || failure.status === 413) {
    return refused(413, `body exceeds BODY_LIMIT of ${limit} bytes (after decompression)`);
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
