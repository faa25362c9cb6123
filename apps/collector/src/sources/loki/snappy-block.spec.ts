import fc from 'fast-check';
import { compress } from 'snappyjs';
import { LINEAR_TIME_RATIO, propertyRuns, timeGrowth } from '@logyard/testing';
import { inflateSnappyBlock, snappyBlockLength } from './snappy-block';

const RUNS = propertyRuns(300);
const LIMIT = 10 * 1024 * 1024;

const inflate = (bytes: number[], limit = LIMIT) => inflateSnappyBlock(Uint8Array.from(bytes), limit);
const text = (result: ReturnType<typeof inflate>) => (result.ok ? result.value.toString('latin1') : result);

/**
 * Snappy elements of every kind with any lengths and offsets, so that most bodies are wrong somewhere in
 * the middle: literal lengths in one to four extra bytes (a four-byte one over 2^31 is what snappyjs read
 * as negative), copies with offsets of one, two and four bytes.
 */
const element = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 59 }), fc.uint8Array({ maxLength: 8 }))
    .map(([short, bytes]) => [short << 2, ...bytes]),
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.uint8Array({ minLength: 4, maxLength: 4 }))
    .map(([extra, bytes]) => [(59 + extra) << 2, ...bytes.slice(0, extra)]),
  fc
    .tuple(
      fc.integer({ min: 0, max: 63 }),
      fc.integer({ min: 1, max: 3 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
    )
    .map(([high, kind, bytes]) => [(high << 2) | kind, ...bytes.slice(0, kind === 3 ? 4 : kind)]),
);
const preamble = fc
  .oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
  .map((length) => {
    const bytes: number[] = [];
    for (let rest = length; ; rest = Math.floor(rest / 128)) {
      if (rest < 128) return [...bytes, rest];
      bytes.push((rest % 128) | 0x80);
    }
  });
const hostileBlock = fc
  .tuple(preamble, fc.array(element, { maxLength: 40 }))
  .map(([head, elements]) => [...head, ...elements.flat()]);

describe(inflateSnappyBlock.name, () => {
  it('inflates literals and copies, an overlapping copy repeating its period', () => {
    // 10 bytes: literal "ab", then a copy of 8 from 2 back ("abababab").
    expect(text(inflate([10, 1 << 2, 0x61, 0x62, ((8 - 4) << 2) | 1, 2]))).toBe('ababababab');
    expect(text(inflate([0]))).toBe('');
  });

  it('refuses, and returns, on the 6-byte body that looped snappyjs forever', () => {
    // A literal whose four-byte length reads as -5 when taken as signed.
    expect(inflate([10, 0xfc, 0xfa, 0xff, 0xff, 0xff])).toEqual({
      ok: false,
      error: 'snappy: literal at byte 1 runs past the body',
    });
  });

  it.each([
    ['a declared length cut short', [0x80], 'snappy: the declared length is cut short or over 32 bits'],
    [
      'a declared length over 32 bits',
      [0xff, 0xff, 0xff, 0xff, 0x7f],
      'snappy: the declared length is over 32 bits',
    ],
    ['a literal cut short', [4, 0xf0], 'snappy: literal at byte 1 is cut short'],
    [
      'a literal past the declared length',
      [1, 1 << 2, 0x61, 0x62],
      'snappy: literal at byte 1 runs past the declared length',
    ],
    ['a copy cut short', [8, 0, 0x61, 0x02], 'snappy: copy at byte 3 is cut short'],
    ['a copy from offset 0', [8, 0, 0x61, 0x01, 0], 'snappy: copy at byte 3 reaches before the start'],
    [
      'a copy from before the start',
      [8, 0, 0x61, 0x01, 2],
      'snappy: copy at byte 3 reaches before the start',
    ],
    [
      'a copy past the declared length',
      [3, 0, 0x61, 0x01, 1],
      'snappy: copy at byte 3 runs past the declared length',
    ],
    ['less than the declared length', [3, 0, 0x61], 'snappy: declares 3 bytes uncompressed, holds 1'],
  ])('refuses %s', (_, bytes, error) => {
    expect(inflate(bytes)).toEqual({ ok: false, error });
  });

  it('refuses a declared length over the limit, or over what the body could hold, before allocating it', () => {
    const alloc = jest.spyOn(Buffer, 'allocUnsafe');
    try {
      expect(inflate([0x80, 0x80, 0x80, 0x05, 0, 0x61], LIMIT)).toEqual({
        ok: false,
        error: 'snappy: declares 10485760 bytes uncompressed, more than 6 bytes can hold',
      });
      expect(inflate([0xe9, 0x07, 0, 0x61], 1000)).toEqual({
        ok: false,
        error: 'snappy: declares 1001 bytes uncompressed, over the limit of 1000',
      });
      expect(alloc).not.toHaveBeenCalled();
    } finally {
      alloc.mockRestore();
    }
  });

  it('property: inflates whatever snappy compressed back to the same bytes', () => {
    const data = fc.oneof(
      fc.uint8Array({ maxLength: 5000 }),
      // Repetitive data, so the compressor writes copies, overlapping ones among them.
      fc
        .tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 2000 }))
        .map(([period, times]) =>
          Uint8Array.from({ length: period.length * times }, (_, i) => period[i % period.length]),
        ),
    );
    fc.assert(
      fc.property(data, (bytes) => {
        const sut = inflateSnappyBlock(compress(bytes), LIMIT);
        expect(sut.ok && Buffer.compare(sut.value, Buffer.from(bytes))).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('property: answers any sequence of elements with a buffer or a refusal', () => {
    fc.assert(
      fc.property(hostileBlock, (bytes) => {
        const sut = inflate(bytes);
        if (sut.ok) expect(sut.value.length).toBeLessThanOrEqual(bytes.length * 22);
        else expect(sut.error).toMatch(/^snappy: /);
      }),
      { numRuns: RUNS },
    );
  });

  it('property: takes time linear in the body', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (period) => {
        // What the compressor makes of repeated data: literals and copies, overlapping ones among them.
        const body = (count: number) =>
          compress(
            Uint8Array.from({ length: count }, (_, i) => period[i % period.length] ^ (i % 251 === 0 ? i : 0)),
          );
        expect(timeGrowth(body, (input) => inflateSnappyBlock(input, LIMIT), { size: 20_000 })).toBeLessThan(
          LINEAR_TIME_RATIO,
        );
      }),
      { numRuns: 3 },
    );
  }, 60_000);
});

describe(snappyBlockLength.name, () => {
  it('reads the length a block declares, and 0 from one that declares none', () => {
    expect(snappyBlockLength(compress(Buffer.alloc(100_000)))).toBe(100_000);
    expect(snappyBlockLength(Buffer.alloc(0))).toBe(0);
    expect(snappyBlockLength(Buffer.from([0xff, 0xff]))).toBe(0);
  });
});
