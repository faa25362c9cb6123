/**
 * Substring sketches (docs/design.md §5): a Bloom filter of the 5-grams of a
 * batch's messages, stored beside the rows, so `contains=` can skip every
 * batch that cannot hold the substring instead of reading the whole range.
 * ClickHouse's `ngrambf_v1` skip index is the same idea; a trigram GIN over
 * `message` serves more queries but costs 2.7× PostgreSQL's insert CPU per
 * row (BENCHMARKS.md), a sketch about 1 µs of the archiver's per record.
 *
 * `contains=` is `message ILIKE`: PostgreSQL lower-cases both sides a
 * character at a time. A sketch must never rule out a batch that matches, so
 * grams are taken over a fold that agrees with that lower-casing wherever it
 * can yield ASCII — ASCII letters lower-cased, and the only two other
 * characters whose lower case is ASCII (KELVIN SIGN → k, LATIN CAPITAL I WITH
 * DOT ABOVE → i) folded the same — and every other character ends a run, so
 * no gram spans it. A substring's grams are therefore among its match's
 * grams; a substring with no run of SKETCH_GRAM foldable characters has no
 * grams and rules nothing out.
 */
export const SKETCH_GRAM = 5;
// Small: a batch spread over many hours files a sketch for each, and each costs at least this much.
const MIN_SKETCH_BITS = 1 << 9;
const MAX_SKETCH_BITS = 1 << 23;

/**
 * Each character's 6-bit code in a gram, or -1 where a run ends. ASCII
 * letters fold to lower case; digits, lower-case letters and the common
 * punctuation get codes of their own, the rarer ASCII characters share one
 * (a shared code only lets more batches through). Five codes fill 30 bits,
 * so a gram is a small integer and rolls with a shift.
 */
const GRAM_CODES = (() => {
  const codes = new Int8Array(128);
  const distinct = '0123456789abcdefghijklmnopqrstuvwxyz _-.:=/,;"\'()[]{}<>@#$%&*+?';
  for (let code = 0; code < 128; code++) {
    const folded = String.fromCharCode(code).toLowerCase();
    codes[code] = distinct.indexOf(folded) + 1;
  }
  return codes;
})();

/** The 6-bit code of UTF-16 unit `unit`, or -1 for a character no ASCII character ILIKE-matches. */
function gramCode(unit: number): number {
  if (unit < 128) return GRAM_CODES[unit];
  if (unit === 0x212a) return GRAM_CODES[0x6b];
  if (unit === 0x130) return GRAM_CODES[0x69];
  return -1;
}

/**
 * Writes the hash of every gram of `text` (repeats included) into `hashes`
 * from index 0 and returns how many; `hashes` holds at least text.length.
 */
function gramHashes(text: string, hashes: Uint32Array): number {
  let count = 0;
  let gram = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = gramCode(text.charCodeAt(i));
    if (code < 0) {
      run = 0;
      continue;
    }
    gram = ((gram << 6) | code) & 0x3fffffff;
    if (++run >= SKETCH_GRAM) {
      // murmur3's finaliser: every input bit reaches the low bits a sketch's mask keeps.
      let h = Math.imul(gram ^ (gram >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      hashes[count++] = (h ^ (h >>> 16)) >>> 0;
    }
  }
  return count;
}

/** Gram positions of one batch's messages: at most one per character. */
function gramCount(messages: readonly string[]): number {
  let count = 0;
  for (const message of messages) count += Math.max(0, message.length - SKETCH_GRAM + 1);
  return count;
}

/** The bits of a sketch for `grams` gram positions: a power of two, 64 bytes to 1 MiB. */
export function sketchBits(grams: number): number {
  let bits = MIN_SKETCH_BITS;
  while (bits < grams && bits < MAX_SKETCH_BITS) bits *= 2;
  return bits;
}

/**
 * The sketch of a batch: a power-of-two number of bits, about one per gram
 * position (repeats set the same bit, so a batch of similar lines fills a
 * fraction of it), one hash per gram.
 */
export function sketchMessages(messages: readonly string[]): Buffer {
  const bits = sketchBits(gramCount(messages));
  const sketch = Buffer.alloc(bits / 8);
  const mask = bits - 1;
  let hashes = new Uint32Array(256);
  for (const message of messages) {
    if (message.length > hashes.length) hashes = new Uint32Array(message.length);
    const count = gramHashes(message, hashes);
    for (let i = 0; i < count; i++) {
      const bit = hashes[i] & mask;
      sketch[bit >>> 3] |= 1 << (bit & 7);
    }
  }
  return sketch;
}

/**
 * A batch's sketches as the insert trigger of `logs` reads them (migration 1764633600000): one for each UTC
 * hour of `ts`, keyed `YYYY-MM-DDTHH`, as JSON. Each hour's span gets the sketch of its own messages, so the
 * sketches of a batch come to about a bit per gram however many hours its records fall in; one sketch of the
 * whole batch, filed for each hour, would cost hours × batch.
 */
export function sketchHours(records: readonly { ts: string; message: string }[]): string {
  const messages = new Map<string, string[]>();
  for (const { ts, message } of records) {
    // A record's ts is canonical ISO-8601 in UTC, so its first 13 characters name its hour.
    const hour = ts.slice(0, 13);
    const ofHour = messages.get(hour);
    if (ofHour) ofHour.push(message);
    else messages.set(hour, [message]);
  }
  const sketches: Record<string, string> = {};
  for (const [hour, ofHour] of messages) sketches[hour] = sketchMessages(ofHour).toString('base64');
  return JSON.stringify(sketches);
}

/**
 * The gram hashes a batch must hold for a message of it to contain every one
 * of `substrings`, deduplicated; empty when they rule nothing out.
 */
export function sketchProbe(substrings: readonly string[]): number[] {
  const probe = new Set<number>();
  for (const substring of substrings) {
    const hashes = new Uint32Array(substring.length);
    const count = gramHashes(substring, hashes);
    for (let i = 0; i < count; i++) probe.add(hashes[i]);
  }
  return [...probe];
}
