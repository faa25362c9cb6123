import { Controller, Get, Headers, Inject, NotFoundException, Optional, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { sessionStatus, TokenSet } from '@logyard/auth';
import { LOGYARD_CONFIG, LogyardConfig } from '@logyard/config';
import { ExplorerBuild, indexWithSession, loadExplorerBuild, StaticFile } from './explorer-build';

/** Where the build is read from, when not dist/explorer (tests). */
export const EXPLORER_BUILD_DIRECTORY = Symbol('EXPLORER_BUILD_DIRECTORY');

/**
 * The page only ever talks to its own origin; the policy makes the browser enforce it (no CDN, no font
 * host, no beacon). uPlot sizes its canvas through style attributes, hence style-src 'unsafe-inline'.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the web log explorer (apps/explorer, built into dist/explorer by `npm run build`) at `/`, with the
 * content-hashed assets cached for a year and index.html revalidated on every load so a new build shows at
 * once. Files are read once at start and served from memory, gzipped when the browser accepts it. Explicit
 * routes rather than a catch-all, so the API, /tail, /health and /metrics are never shadowed.
 *
 * index.html carries the browser's session status (whether a query token is needed and held), as
 * GET /api/session would answer it: a deep link's first queries then leave with the page's first script
 * instead of one round trip later. It depends on the Cookie header, hence `Vary: Cookie`.
 */
@Controller()
@ApiTags('Explorer')
export class ExplorerController {
  private readonly build: ExplorerBuild | undefined;
  private readonly tokens: TokenSet;
  /** index.html per session status, built on first use: two booleans, so at most three pages. */
  private readonly pages = new Map<string, StaticFile>();

  constructor(
    @Inject(LOGYARD_CONFIG) config: LogyardConfig,
    @Optional() @Inject(EXPLORER_BUILD_DIRECTORY) directory?: string,
  ) {
    this.build = loadExplorerBuild(directory);
    this.tokens = new TokenSet(config.auth.queryTokens);
  }

  @Get()
  @ApiOperation({
    summary: 'The web log explorer (its URL takes the query parameters of GET /api/logs and id)',
  })
  @ApiProduces('text/html')
  index(
    @Headers('accept-encoding') encoding: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @Res() response: Response,
  ): void {
    const build = this.build;
    if (!build) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        message: 'the explorer is not built; run npm run build',
      });
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('Referrer-Policy', 'no-referrer');
    const status = sessionStatus(this.tokens, cookie);
    const key = `${status.tokenRequired}/${status.signedIn}`;
    let page = this.pages.get(key);
    if (!page) this.pages.set(key, (page = indexWithSession(build.index, status)));
    send(response, page, encoding, 'Accept-Encoding, Cookie');
  }

  @Get('assets/:name')
  @ApiOperation({ summary: "The explorer's scripts and styles, content-hashed and cached for a year" })
  asset(
    @Param('name') name: string,
    @Headers('accept-encoding') encoding: string | undefined,
    @Res() response: Response,
  ): void {
    const file = this.build?.assets.get(name);
    if (!file) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'no such asset' });
    response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    send(response, file, encoding, 'Accept-Encoding');
  }
}

function send(response: Response, file: StaticFile, acceptEncoding: string | undefined, vary: string): void {
  const gzip = /\bgzip\b/.test(acceptEncoding ?? '');
  response.setHeader('Content-Type', file.contentType);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Vary', vary);
  if (gzip) response.setHeader('Content-Encoding', 'gzip');
  response.status(200).end(gzip ? file.gzipped : file.body);
}
