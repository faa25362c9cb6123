import type { SessionStatus } from './query-api';

/**
 * The archiver writes the requesting browser's SessionStatus into the explorer's index.html as
 * `<meta name="logyard-session" content="{…}">`: the page then sends its first queries at once, instead of
 * first waiting for GET /api/session (a round trip on the way to a deep link's rows). No inline script,
 * because the Content-Security-Policy allows none.
 */
export const SESSION_META_NAME = 'logyard-session';

/** The `<meta>` element that carries `status` (its JSON, escaped for a double-quoted attribute). */
export function sessionMetaTag(status: SessionStatus): string {
  const json = JSON.stringify({ tokenRequired: status.tokenRequired, signedIn: status.signedIn });
  const escaped = json.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<meta name="${SESSION_META_NAME}" content="${escaped}" />`;
}

/** The status of the meta's `content`, or undefined when it is missing or not one (ask GET /api/session). */
export function parseSessionMeta(content: string | null | undefined): SessionStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content ?? '');
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { tokenRequired, signedIn } = parsed as Record<string, unknown>;
  return typeof tokenRequired === 'boolean' && typeof signedIn === 'boolean'
    ? { tokenRequired, signedIn }
    : undefined;
}
