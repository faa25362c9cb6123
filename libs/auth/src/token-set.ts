import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Configured tokens of one kind (INGEST_TOKENS or QUERY_TOKENS), matched the
 * same way wherever a token arrives: over HTTP and over the AMQP RPC.
 */
export class TokenSet {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  /** No token configured: the endpoints of this kind are open to anyone. */
  get open(): boolean {
    return this.digests.length === 0;
  }

  /**
   * Whether `token` is one of the set. Digests are compared in constant time,
   * against every token, so timing reveals neither a token nor which matched.
   */
  has(token: string | undefined): boolean {
    if (token === undefined) return false;
    const given = digest(token);
    return this.digests.map((known) => timingSafeEqual(known, given)).includes(true);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
