/**
 * The fingerprints that bind a shared handle to its pool (format /3, see
 * share-format.ts): the trailer at the end of every SharedArrayBuffer a
 * shared pool hands out, and the hash of a version's size and mappings its
 * pin word holds. The owner's share.ts writes them, attach checks them
 * (handle-check.ts).
 *
 * @module
 */
import { type MappingArrays, poolIdWords } from "./share-format.js";

/**
 * Bytes past the data of every SharedArrayBuffer a shared pool allocates (its
 * slabs and its page-table node arenas): the buffer's fingerprint. Never
 * part of a frame or a node (the views the pool reads through end before it,
 * or no pfn and node index reaches it), so a pool that never shares leaves
 * it zero. The owner's first `share()` of a buffer stamps it once
 * ({@link stampFingerprint}); `attach` checks every buffer of a handle
 * against it ({@link hasFingerprint}) before anything changes, so a handle
 * whose `nodes` or a slab was swapped for another SharedArrayBuffer of the
 * right size (a fresh one, another pool's, another slab of the same pool)
 * is refused instead of reading zeros or another version's bytes.
 * @internal
 */
export const SHARED_TRAILER_BYTES = 16;
/** The fingerprint's first word ("pfk3"). @internal */
const FINGERPRINT_MAGIC = 0x70666b33;
/** The fingerprint's last word for a node arena; a slab's holds its index, from 0. @internal */
export const FINGERPRINT_NODES = -1;

/**
 * Writes `buffer`'s fingerprint: the magic word, the pool id's two halves,
 * and `what` (a slab's index, or {@link FINGERPRINT_NODES}). The owner's
 * thread, before the buffer travels in a handle. O(1).
 * @internal
 */
export function stampFingerprint(buffer: SharedArrayBuffer, poolId: number, what: number): void {
  const w = new Int32Array(buffer, buffer.byteLength - SHARED_TRAILER_BYTES, 4);
  const [lo, hi] = poolIdWords(poolId);
  w[0] = FINGERPRINT_MAGIC;
  w[1] = lo;
  w[2] = hi;
  w[3] = what;
}

/**
 * Whether `buffer` carries the fingerprint {@link stampFingerprint} writes
 * for the pool id whose halves are `lo` and `hi` ({@link poolIdWords}) and
 * `what`. `buffer` has at least {@link SHARED_TRAILER_BYTES} bytes, a
 * multiple of 4. O(1), one small view.
 * @internal
 */
export function hasFingerprint(buffer: SharedArrayBuffer, lo: number, hi: number, what: number): boolean {
  const w = new Int32Array(buffer, buffer.byteLength - SHARED_TRAILER_BYTES, 4);
  return w[0] === FINGERPRINT_MAGIC && w[1] === lo && w[2] === hi && w[3] === what;
}

/** Data bytes of a shared pool's buffer: its length without the fingerprint. @internal */
export function dataBytes(buffer: SharedArrayBuffer): number {
  return buffer.byteLength - SHARED_TRAILER_BYTES;
}

/**
 * A 32-bit hash of a version's size and mappings (FNV-1a over their words),
 * kept in its pin word: a handle whose size or mappings were changed reads
 * through another layout than the version's, and is refused. `size` and the
 * mapping bounds are safe integers (checked before). O(mappings).
 * @internal
 */
export function layoutHash(size: number, m: MappingArrays): number {
  let h = 0x811c9dc5 | 0;
  h = mix(mix(h, size % 2 ** 32), Math.floor(size / 2 ** 32));
  const n = m.starts.length;
  h = mix(h, n);
  for (let i = 0; i < n; i++) {
    const s = m.starts[i] as number;
    const e = m.ends[i] as number;
    h = mix(mix(h, s % 2 ** 32), Math.floor(s / 2 ** 32));
    h = mix(mix(h, e % 2 ** 32), Math.floor(e / 2 ** 32));
    h = mix(h, m.writable[i] === true ? 1 : 0);
  }
  return h;
}

/** One FNV-1a step over the 4 bytes of `word`. */
function mix(h: number, word: number): number {
  let x = h;
  for (let k = 0; k < 32; k += 8) x = Math.imul(x ^ ((word >>> k) & 255), 0x01000193);
  return x | 0;
}
