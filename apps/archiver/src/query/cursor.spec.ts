import { decodeCursor, encodeCursor, KeysetPosition } from './cursor';

const POSITION: KeysetPosition = {
  ts: '2026-11-24T10:00:00.123456Z',
  id: '0193a3b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b',
};
const NOT_A_CURSOR = { ok: false, error: 'is not a cursor returned by this API' };

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe(encodeCursor.name, () => {
  it('writes URL-safe text with no padding', () => {
    expect(encodeCursor(POSITION)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('round-trips through decodeCursor', () => {
    expect(decodeCursor(encodeCursor(POSITION))).toEqual({ ok: true, value: POSITION });
  });
});

describe(decodeCursor.name, () => {
  it('canonicalises the timestamp it carries', () => {
    expect(decodeCursor(base64url(['2026-11-24T10:00:00Z', POSITION.id]))).toEqual({
      ok: true,
      value: { ts: '2026-11-24T10:00:00.000000Z', id: POSITION.id },
    });
  });

  it.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['not JSON', Buffer.from('not json').toString('base64url')],
    ['an object', base64url({ ts: POSITION.ts, id: POSITION.id })],
    ['one element', base64url([POSITION.ts])],
    ['three elements', base64url([POSITION.ts, POSITION.id, 'x'])],
    ['an id that is not a UUID', base64url([POSITION.ts, 'abc'])],
    ['a ts that is not a time', base64url(['yesterday', POSITION.id])],
    ['swapped elements', base64url([POSITION.id, POSITION.ts])],
  ])('refuses %s', (_kind, cursor) => {
    expect(decodeCursor(cursor)).toEqual(NOT_A_CURSOR);
  });
});
