import { parseSessionMeta, SESSION_META_NAME, sessionMetaTag } from './explorer-page';

/** The attribute value as a browser reads it (the entities a double-quoted attribute needs, decoded). */
function contentOf(tag: string): string {
  const match = /content="([^"]*)"/.exec(tag);
  return (match?.[1] ?? '')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&');
}

describe('explorer page session meta', () => {
  it.each([
    { tokenRequired: false, signedIn: true },
    { tokenRequired: true, signedIn: true },
    { tokenRequired: true, signedIn: false },
  ])('carries %j through the HTML to the page', (status) => {
    const tag = sessionMetaTag(status);
    expect(tag).toMatch(new RegExp(`^<meta name="${SESSION_META_NAME}" content="[^"<>]*" />$`));
    expect(parseSessionMeta(contentOf(tag))).toEqual(status);
  });

  it('reads no status from a page served without one, so the page asks GET /api/session', () => {
    for (const content of [
      null,
      undefined,
      '',
      'signed-in',
      '{}',
      'null',
      '{"tokenRequired":"no","signedIn":true}',
    ]) {
      expect({ content, status: parseSessionMeta(content) }).toEqual({ content, status: undefined });
    }
  });
});
