/**
 * Content addresses: SHA-256 of a page's or a page-table node's bytes. The
 * address is also the checksum: every read recomputes it and compares.
 *
 * Why SHA-256 from node:crypto: a content-addressed store must not let two
 * different pages share a key, even pages an adversary chose (SHA-1 and
 * 64-bit hashes do not promise that); node:crypto's SHA-256 runs at ~1 GB/s
 * here (3.9 µs per 4 KiB page, measured), so a first save of 1 GiB hashes
 * in about a second and an incremental save hashes only its changed pages.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Bytes of a content address. */
export const HASH_BYTES = 32;

/** SHA-256 of `bytes` as a 32-byte Buffer. O(bytes). */
export function hashOf(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest();
}

/** Hash of an all-zero page of each page size seen (a zero page is never stored). */
const zeroHashes = new Map<number, Buffer>();

/** SHA-256 of `pageSize` zero bytes (cached per size). */
export function zeroPageHash(pageSize: number): Buffer {
  let h = zeroHashes.get(pageSize);
  if (h === undefined) {
    h = hashOf(new Uint8Array(pageSize));
    zeroHashes.set(pageSize, h);
  }
  return h;
}

/** True when the 32 bytes of `a` at `i` are all zero (an empty entry). */
export function isZeroEntry(a: Uint8Array, i: number): boolean {
  for (let k = 0; k < HASH_BYTES; k++) if (a[i + k] !== 0) return false;
  return true;
}
