import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SessionStatus, sessionMetaTag } from '@logyard/contracts';

/** One file of the explorer's build, held in memory with its gzip form (the whole build is ~100 KB). */
export interface StaticFile {
  contentType: string;
  body: Buffer;
  gzipped: Buffer;
}

/** The built page: index.html and the content-hashed files under assets/, keyed by file name. */
export interface ExplorerBuild {
  index: StaticFile;
  assets: ReadonlyMap<string, StaticFile>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * Loads the build `vite build` wrote to dist/explorer, or undefined when it has not been built (a unit test,
 * or a process started without `npm run build`). Only the files present at start can ever be served, so a
 * request path never reaches the file system.
 */
export function loadExplorerBuild(directory = explorerBuildDirectory()): ExplorerBuild | undefined {
  const indexPath = join(directory, 'index.html');
  if (!existsSync(indexPath)) return undefined;
  const assetsDirectory = join(directory, 'assets');
  const names = existsSync(assetsDirectory) ? readdirSync(assetsDirectory) : [];
  const assets = new Map<string, StaticFile>();
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType) assets.set(name, staticFile(join(assetsDirectory, name), contentType));
  }
  return { index: staticFile(indexPath, CONTENT_TYPES['.html']), assets };
}

/**
 * dist/explorer under the package root. The root is found by walking up to package.json, because this file
 * runs both from source (jest) and from dist/apps/archiver/src/explorer (the built service).
 */
export function explorerBuildDirectory(start = __dirname): string {
  let directory = start;
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) return join(start, 'explorer');
    directory = parent;
  }
  return join(directory, 'dist', 'explorer');
}

/**
 * index.html as served to a browser whose session is `status`: the status goes in a meta element at the end
 * of the head (libs/contracts/src/explorer-page.ts), so the page knows it before any request of its own.
 */
export function indexWithSession(index: StaticFile, status: SessionStatus): StaticFile {
  const html = index.body.toString('utf8');
  const end = html.indexOf('</head>');
  const at = end < 0 ? 0 : end;
  const page = `${html.slice(0, at)}${sessionMetaTag(status)}${html.slice(at)}`;
  return inMemory(Buffer.from(page, 'utf8'), index.contentType);
}

function staticFile(path: string, contentType: string): StaticFile {
  return inMemory(readFileSync(path), contentType);
}

function inMemory(body: Buffer, contentType: string): StaticFile {
  return { contentType, body, gzipped: gzipSync(body, { level: 9 }) };
}
