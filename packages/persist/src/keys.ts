/**
 * Keys of the `versions` database: names (and the internal keys of intent
 * records) as bytes, encoded and decoded here instead of by lmdb-js.
 *
 * lmdb-js's default key encoding (ordered-binary) writes a string of fewer
 * than 64 UTF-16 units one way (a leading 27 when the first unit is below
 * 28, each unit 0..4 escaped as 4 and the unit, a lone surrogate as its
 * 3-byte WTF-8 form) and a longer one another (plain UTF-8: units 0..4 raw,
 * a lone surrogate replaced by U+FFFD), and reads a raw 0 byte back as the
 * separator of a multi-part key (an array). So, before review 28:
 * - a name of 64 units or more holding U+0000..U+0004 saved and loaded, but
 *   `list()` and `stats()` threw a TypeError (its key read back as an array)
 *   for every name in the store;
 * - two names of 64 units or more differing only in lone surrogates were
 *   one key: the second save replaced the first name's version;
 * - the intent records of a history save of a name of ~33 units or more
 *   (the key passes 64 units) were written raw, outside the range the
 *   recovery scans: a crash or error midway leaked their blobs for good and
 *   broke `list()` and `stats()` the same way.
 *
 * The encoding here is ordered-binary's short form at every length, so the
 * key of every name a store could hold before (and of every intent record
 * under 64 units) is byte for byte what it was: a leading 27 when the first
 * unit is below 28 (or the string is empty), each unit 0..4 as 4 and the
 * unit, every other unit as UTF-8 with lone surrogates as 3-byte WTF-8.
 * It is one to one (every JS string has its own key), and it keeps prefixes
 * (the key of `a` is a prefix of the key of `a + b`). Decoding also reads
 * ordered-binary's long form (a raw 0..3 byte is that unit), so the keys of
 * intent records written before are found and read. A name of 64 units or
 * more holding U+0000..U+0004 or a lone surrogate that an older build saved
 * has another key now: it is listed, but not found by that name (such names
 * could not be listed before).
 *
 * @module
 */

/** The byte ordered-binary puts before a string whose first unit is below 28. */
const ESCAPE_FIRST = 27;
/** The byte ordered-binary puts before a unit 0..4. */
const ESCAPE_LOW = 4;

/**
 * The key bytes of `s` (see the module comment). O(s.length); at most
 * 1 + 3 x s.length bytes.
 */
export function encodeKey(s: string): Buffer {
  const out = Buffer.allocUnsafe(1 + 3 * s.length);
  let at = 0;
  if (!(s.charCodeAt(0) >= 28)) out[at++] = ESCAPE_FIRST; // NaN for "" too, as ordered-binary
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c <= 4) {
      out[at++] = ESCAPE_LOW;
      out[at++] = c;
    } else if (c < 0x80) out[at++] = c;
    else if (c < 0x800) {
      out[at++] = (c >> 6) | 0xc0;
      out[at++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
      out[at++] = (c >> 18) | 0xf0;
      out[at++] = ((c >> 12) & 0x3f) | 0x80;
      out[at++] = ((c >> 6) & 0x3f) | 0x80;
      out[at++] = (c & 0x3f) | 0x80;
    } else {
      out[at++] = (c >> 12) | 0xe0; // a lone surrogate too (WTF-8)
      out[at++] = ((c >> 6) & 0x3f) | 0x80;
      out[at++] = (c & 0x3f) | 0x80;
    }
  }
  return out.subarray(0, at);
}

/**
 * The string of key bytes `key`: the inverse of {@link encodeKey}, and also
 * reads ordered-binary's long form (a raw byte 0..3 is that unit). Bytes
 * that are not UTF-8 / WTF-8 read as U+FFFD each. O(key.length).
 */
export function decodeKey(key: Uint8Array): string {
  let i = key[0] === ESCAPE_FIRST ? 1 : 0;
  const units: number[] = [];
  while (i < key.length) {
    const b = key[i++] as number;
    if (b === ESCAPE_LOW && i < key.length) units.push(key[i++] as number);
    else if (b < 0x80) units.push(b);
    else if (b >= 0xc0 && b < 0xe0 && cont(key, i, 1)) {
      units.push(((b & 0x1f) << 6) | ((key[i] as number) & 0x3f));
      i += 1;
    } else if (b >= 0xe0 && b < 0xf0 && cont(key, i, 2)) {
      units.push(((b & 0x0f) << 12) | (((key[i] as number) & 0x3f) << 6) | ((key[i + 1] as number) & 0x3f));
      i += 2;
    } else if (b >= 0xf0 && b < 0xf8 && cont(key, i, 3)) {
      const c =
        ((b & 0x07) << 18) |
        (((key[i] as number) & 0x3f) << 12) |
        (((key[i + 1] as number) & 0x3f) << 6) |
        ((key[i + 2] as number) & 0x3f);
      i += 3;
      if (c < 0x10000 || c > 0x10ffff) units.push(0xfffd);
      else units.push(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 0x3ff));
    } else units.push(0xfffd);
  }
  let s = "";
  for (let k = 0; k < units.length; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096));
  return s;
}

/** True when `key[i .. i + n)` are UTF-8 continuation bytes. */
function cont(key: Uint8Array, i: number, n: number): boolean {
  if (i + n > key.length) return false;
  for (let k = 0; k < n; k++) if (((key[i + k] as number) & 0xc0) !== 0x80) return false;
  return true;
}

/** True when `key` begins with the bytes of `prefix`. */
export function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}
