/** The cookie in which the explorer's login (POST /api/session) keeps a query token for the browser. */
export const SESSION_COOKIE = 'logyard_query_token';

/** The query token held by the session cookie of a `Cookie` header, if any. */
export function sessionToken(cookieHeader: string | undefined): string | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0 || pair.slice(0, separator).trim() !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(pair.slice(separator + 1).trim()) || undefined;
    } catch {
      return undefined; // malformed percent-encoding: no token, so the guard answers 401
    }
  }
  return undefined;
}

/**
 * The Set-Cookie value that hands a query token to the browser: HttpOnly so the page's scripts never read
 * it, SameSite=Strict so no other site's page can send it, Secure when the request came over HTTPS, and no
 * expiry, so it ends with the browser session. An empty token with Max-Age=0 clears it.
 */
export function sessionCookie(token: string, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    'HttpOnly',
    'SameSite=Strict',
    'Path=/',
    ...(token === '' ? ['Max-Age=0'] : []),
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
