import { SessionStatus } from '@logyard/contracts';
import { sessionToken } from './session-cookie';
import { TokenSet } from './token-set';

/**
 * Whether the query endpoints need a token, and whether the session cookie of a request's `Cookie` header
 * holds a valid one: what GET /api/session answers, and what the explorer's page carries in its HTML, so
 * the page can send its first queries without asking first.
 */
export function sessionStatus(tokens: TokenSet, cookieHeader: string | undefined): SessionStatus {
  const tokenRequired = !tokens.open;
  return { tokenRequired, signedIn: !tokenRequired || tokens.has(sessionToken(cookieHeader)) };
}
