/**
 * A fingerprint of a document's text, so the undo/redo walk can compare a
 * version with the plain-string replay without keeping the plain strings.
 *
 * @module
 */

/** Length and 53-bit hash of a text; equal texts have equal digests. */
export interface TextDigest {
  readonly length: number;
  readonly hash: number;
}

/**
 * Digest of `s`: its length and cyrb53 (a public-domain 53-bit string hash,
 * two 32-bit multiply-xor lanes). O(length). Two different texts of the same
 * length collide with probability about 2^-53.
 */
export function digestText(s: string): TextDigest {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return { length: s.length, hash: 4294967296 * (2097151 & h2) + (h1 >>> 0) };
}
