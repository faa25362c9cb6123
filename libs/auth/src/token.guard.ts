import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
  Type,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { sessionToken } from './session-cookie';
import { TokenSet } from './token-set';

/** The two kinds of bearer token (DESIGN §7); a token of one kind never opens the other's endpoints. */
export type TokenKind = 'ingest' | 'query';

const VARIABLE: Record<TokenKind, string> = { ingest: 'INGEST_TOKENS', query: 'QUERY_TOKENS' };
const OPENS: Record<TokenKind, string> = { ingest: 'ingest endpoints', query: 'query and tail endpoints' };

// Nest makes one guard instance per module that uses it, so a process running every role would warn once
// per module; remembering the config object (one per app) keeps it to one warning per kind and app.
const warned = new WeakMap<LogyardConfig, Set<TokenKind>>();

/**
 * Lets a request through when its `Authorization: Bearer <token>` is one of the configured tokens of the
 * guard's kind (for query tokens, the explorer's session cookie too, since EventSource cannot send headers),
 * and answers 401 otherwise. With no tokens of that kind configured every request passes,
 * and the first guard of that kind says so once at start.
 */
abstract class TokenGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('auth');
  private readonly tokens: TokenSet;

  protected constructor(
    private readonly kind: TokenKind,
    private readonly config: LogyardConfig,
  ) {
    this.tokens = new TokenSet(kind === 'ingest' ? config.auth.ingestTokens : config.auth.queryTokens);
  }

  onModuleInit(): void {
    if (!this.tokens.open) return;
    const kinds = warned.get(this.config) ?? new Set<TokenKind>();
    warned.set(this.config, kinds);
    if (kinds.has(this.kind)) return;
    kinds.add(this.kind);
    this.logger.warn(`${VARIABLE[this.kind]} is not set: ${OPENS[this.kind]} are open to anyone`);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.tokens.open) return true;
    const http = context.switchToHttp();
    const { headers } = http.getRequest<Request>();
    const token =
      bearerToken(headers.authorization) ??
      (this.kind === 'query' ? sessionToken(headers.cookie) : undefined);
    if (this.tokens.has(token)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', `Bearer realm="logyard"`);
    throw new UnauthorizedException({
      statusCode: 401,
      error: 'Unauthorized',
      message:
        token === undefined
          ? `this endpoint needs 'Authorization: Bearer <token>' with one of ${VARIABLE[this.kind]}`
          : `the bearer token is not one of ${VARIABLE[this.kind]}`,
    });
  }
}

@Injectable()
class IngestTokenGuard extends TokenGuard {
  constructor(@Inject(LOGYARD_CONFIG) config: LogyardConfig) {
    super('ingest', config);
  }
}

@Injectable()
class QueryTokenGuard extends TokenGuard {
  constructor(@Inject(LOGYARD_CONFIG) config: LogyardConfig) {
    super('query', config);
  }
}

const GUARDS: Record<TokenKind, Type<CanActivate>> = { ingest: IngestTokenGuard, query: QueryTokenGuard };

/**
 * Puts a controller or route behind the bearer tokens of `kind` (INGEST_TOKENS or QUERY_TOKENS), and says so
 * in the OpenAPI document, which therefore never shows a guarded route as open. Needs only the
 * LOGYARD_CONFIG provider, which every Logyard app has, so any role module can use it without imports.
 */
export function RequiresToken(kind: TokenKind): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(GUARDS[kind]), ApiBearerAuth());
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 6750). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}
