import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { SessionStatus } from '@logyard/contracts';
import { readJsonBody } from '@logyard/http';
import { sessionCookie } from './session-cookie';
import { sessionStatus } from './session-status';
import { TokenSet } from './token-set';

/**
 * Bodies are read by the routes that take them, never by a global parser (SECURITY.md), and a session body
 * is one short token: more than this is refused unread.
 */
const MAX_SESSION_BODY_BYTES = 4 * 1024;

/**
 * The explorer's login: POST /api/session with `{"token":"<one of QUERY_TOKENS>"}` answers 204 and sets an
 * HTTP-only cookie that the query guard accepts in place of the Authorization header, because the browser's
 * EventSource (the live tail) cannot send headers. DELETE /api/session clears it, and GET /api/session says
 * whether a token is needed and held (the explorer's page gets the same answer inside its HTML).
 */
@Controller('api/session')
@ApiTags('Explorer')
export class SessionController {
  private readonly tokens: TokenSet;
  /**
   * PUBLIC_URL is https: people reach Logyard through TLS, which a proxy in front ends, so the request this
   * process sees is plain HTTP. The cookie holds a query token and must never travel without TLS.
   */
  private readonly behindTls: boolean;

  constructor(@Inject(LOGYARD_CONFIG) config: LogyardConfig) {
    this.tokens = new TokenSet(config.auth.queryTokens);
    this.behindTls = config.http.publicUrl?.startsWith('https:') ?? false;
  }

  @Get()
  @ApiOperation({ summary: 'Whether the query endpoints need a token, and whether this browser holds one' })
  status(@Req() request: Request): SessionStatus {
    return sessionStatus(this.tokens, request.headers.cookie);
  }

  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Trade a query token for an HttpOnly session cookie (body {"token": "…"})' })
  async login(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    // Only JSON is read, so no other site can sign a browser in with a token of its choosing.
    const body = await readJsonBody(request, {
      limit: MAX_SESSION_BODY_BYTES,
      unsupported: 'send {"token":"<query token>"} as application/json',
      tooLarge: `a session body is at most ${MAX_SESSION_BODY_BYTES} bytes`,
    });
    const token = tokenOf(body?.json);
    if (token === undefined) {
      throw new BadRequestException({
        statusCode: 400,
        field: 'token',
        message: 'token: send {"token":"<query token>"}',
      });
    }
    // Nothing to remember when the query endpoints are open.
    if (this.tokens.open) return;
    if (!this.tokens.has(token)) {
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'the token is not one of QUERY_TOKENS',
      });
    }
    response.setHeader('Set-Cookie', sessionCookie(token, this.secure(request)));
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Clear the session cookie' })
  logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): void {
    response.setHeader('Set-Cookie', sessionCookie('', this.secure(request)));
  }

  /** Whether the cookie is marked Secure: the request came over TLS, here or at the proxy PUBLIC_URL names. */
  private secure(request: Request): boolean {
    return request.secure || this.behindTls;
  }
}

/** The token of a JSON body `{"token": "…"}`. */
function tokenOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const token = (body as { token?: unknown }).token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}
