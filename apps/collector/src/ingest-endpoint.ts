import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConsumes } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { bearerToken, RequiresToken } from '@logyard/auth';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { BodyRefusal, contentEncodingOf, readRequestBody } from '@logyard/http';
import { ApiRefusals } from '@logyard/runtime';
import { IngestRateLimiter } from './ingest-rate-limiter';
import { mediaTypeOf } from './request-body';

const MEDIA_TYPES = Symbol('ingest media types');
const INFLATED_LENGTH = Symbol('ingest inflated length');

/**
 * What a body of a format that compresses itself inside (Loki's snappy protobuf) inflates to, by its media
 * type: its sender is charged that, not the smaller body, as a gzip sender is charged what gzip inflates to.
 */
export type InflatedLength = (body: Buffer, mediaType: string) => number;

/**
 * Marks a route as one that takes a body from senders: behind an ingest token, then only the given
 * Content-Types (415 otherwise), then the sender's rate limit (429 + Retry-After), and only then is the body
 * read, inflated and capped at BODY_LIMIT, arriving in the handler as `@Body() body: Buffer`, and charged
 * to the sender at what it inflated to (`inflatedLength` for a format compressed inside). Nothing else in
 * Logyard reads a request body, so no other route or method can be made to inflate one. The OpenAPI document
 * gets the same Content-Types and every refusal answered here or by the broker filter, so each source's
 * controller documents only its own answers.
 */
export function IngestEndpoint(
  mediaTypes: readonly string[],
  inflatedLength: InflatedLength = (body) => body.length,
): MethodDecorator {
  return applyDecorators(
    ApiConsumes(...mediaTypes),
    ApiRefusals({
      401: 'INGEST_TOKENS is set and the request carries none of them as its bearer token',
      413: 'over BODY_LIMIT, once inflated',
      415: `a Content-Type other than ${mediaTypes.join(', ')}, or an unknown Content-Encoding`,
      429: 'over INGEST_RATE_LIMIT; retry after Retry-After',
      503: 'the broker is away; retry after Retry-After',
    }),
    RequiresToken('ingest'),
    SetMetadata(MEDIA_TYPES, mediaTypes),
    SetMetadata(INFLATED_LENGTH, inflatedLength),
    UseInterceptors(IngestBodyInterceptor),
  );
}

/** Interceptors run after guards: the token is known good (or tokens are off) by the time this runs. */
@Injectable()
class IngestBodyInterceptor implements NestInterceptor {
  constructor(
    @Inject(LOGYARD_CONFIG) private readonly config: LogyardConfig,
    private readonly reflector: Reflector,
    private readonly limiter: IngestRateLimiter,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();

    const accepted = this.reflector.get<readonly string[]>(MEDIA_TYPES, context.getHandler());
    const contentType = request.headers['content-type'];
    if (!accepted.includes(mediaTypeOf(contentType))) {
      throw new HttpException(
        {
          statusCode: 415,
          error: 'Unsupported Media Type',
          message: `Content-Type must be one of ${accepted.join(', ')}; got ${contentType ?? 'none'}`,
        },
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      );
    }

    const sender = this.senderOf(request);
    const admission = await this.limiter.admit(sender);
    if (!admission.ok) {
      response.setHeader('Retry-After', String(admission.retryAfterSeconds));
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          message: `this sender posted more than INGEST_RATE_LIMIT allows; retry after ${admission.retryAfterSeconds} s`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }

    const limit = this.config.http.bodyLimitBytes;
    const body = await readRequestBody(request, { limit, limitName: 'BODY_LIMIT', inflate: true });
    const inflatedLength = this.reflector.get<InflatedLength>(INFLATED_LENGTH, context.getHandler());
    const spent = body.ok
      ? Math.min(limit, Math.max(body.value.length, inflatedLength(body.value, mediaTypeOf(contentType))))
      : refusedBodyCost(request, body.error, limit);
    await this.limiter.charge(sender, spent);
    if (!body.ok) throw new HttpException(body.error, body.error.statusCode);
    request.body = body.value;
    return next.handle();
  }

  /**
   * Whom the rate limit counts: the bearer token when tokens are configured (the guard has checked it), else
   * the client address, since without tokens a sender could name a new "token" on every request.
   */
  private senderOf(request: Request): string {
    if (this.config.auth.ingestTokens.length > 0)
      return `token:${bearerToken(request.headers.authorization)}`;
    return `address:${request.socket.remoteAddress ?? 'unknown'}`;
  }
}

/**
 * What a refused body is charged, so that refusals are no free way to burn CPU. One over BODY_LIMIT was
 * inflated up to the limit; so may one that failed to inflate (a gzip stream cut before its trailer fails
 * only at its end), whatever length it declared, or none when it came chunked. One refused for its
 * Content-Encoding (415) was never read and costs nothing; any other is charged the length it declared.
 */
function refusedBodyCost(request: Request, refusal: BodyRefusal, limit: number): number {
  if (refusal.statusCode === HttpStatus.PAYLOAD_TOO_LARGE) return limit;
  if (refusal.statusCode === HttpStatus.UNSUPPORTED_MEDIA_TYPE) return 0;
  return contentEncodingOf(request) === 'identity' ? Number(request.headers['content-length']) || 0 : limit;
}
