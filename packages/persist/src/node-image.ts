/**
 * The stored image of a page-table node, and its decoding.
 *
 * Format 2 (written now): a sparse image. The 8-byte header (u32 magic
 * "PFTS", u8 level, u8 log2(fanout), u16 bitmap of the non-empty entries)
 * is followed by those entries only, 32 bytes each, in index order. Format 1
 * (read only): the dense image, magic "PFTN", a zero u16, then every entry,
 * empty ones as 32 zero bytes.
 *
 * Why sparse: a version of a text, map or state changes a few pages of a
 * large, mostly empty space, so most entries of the nodes on its paths are
 * empty. On the automerge-paper trace (first 30,000 edits, 256-byte pages,
 * fanout 8) the nodes average 3.5 entries of 8: their images took 55.29 MiB
 * dense and take 25.76 MiB sparse (node bytes were 3.2x the page bytes). A
 * full node costs the same in both (8 + 16 x 32 = 520 bytes at fanout 16).
 *
 * In memory a node keeps its dense image (updateTree writes entries in
 * place); its content address is the SHA-256 of its stored image, so the
 * checksum covers exactly what is stored, and equal contents still get
 * equal addresses (the encoding is canonical: one image per dense image).
 *
 * @module
 */
import { HASH_BYTES, isZeroEntry } from "./hash.js";

/** "PFTN" as a little-endian uint32: a dense node (format 1), and the header of every node in memory. */
export const NODE_MAGIC = 0x4e544650;
/** "PFTS" as a little-endian uint32: a sparse node (format 2). */
export const SPARSE_NODE_MAGIC = 0x53544650;
/** Bytes before a node's entries: u32 magic, u8 level, u8 log2(fanout), u16 (sparse: the bitmap). */
export const NODE_HEADER_BYTES = 8;
/** Largest log2(fanout) a sparse node's 16-bit bitmap can describe. */
export const MAX_SPARSE_SHIFT = 4;

/** The stored (sparse) image of the dense node image `dense`. O(fanout). */
export function encodeNode(dense: Buffer): Buffer {
  const fanout = 1 << (dense[5] as number);
  let bitmap = 0;
  let n = 0;
  for (let i = 0; i < fanout; i++)
    if (!isZeroEntry(dense, NODE_HEADER_BYTES + i * HASH_BYTES)) {
      bitmap |= 1 << i;
      n++;
    }
  const out = Buffer.allocUnsafe(NODE_HEADER_BYTES + n * HASH_BYTES);
  out.writeUInt32LE(SPARSE_NODE_MAGIC, 0);
  out[4] = dense[4] as number;
  out[5] = dense[5] as number;
  out.writeUInt16LE(bitmap, 6);
  let at = NODE_HEADER_BYTES;
  for (let i = 0; i < fanout; i++)
    if ((bitmap >>> i) & 1) {
      dense.copy(out, at, NODE_HEADER_BYTES + i * HASH_BYTES, NODE_HEADER_BYTES + (i + 1) * HASH_BYTES);
      at += HASH_BYTES;
    }
  return out;
}

/**
 * The dense image of a stored node (sparse or dense), or null when `stored`
 * is not a well-formed node of `level` (wrong magic, level, fanout or
 * length, a bitmap naming entries past the fanout, or a sparse entry that is
 * empty). The caller checks the SHA-256 first. O(fanout).
 */
export function decodeNode(stored: Buffer, level: number): Buffer | null {
  if (stored.length < NODE_HEADER_BYTES || stored[4] !== level) return null;
  const shift = stored[5] as number;
  const magic = stored.readUInt32LE(0);
  if (magic === NODE_MAGIC)
    return shift >= 3 && shift <= MAX_SPARSE_SHIFT && stored.length === NODE_HEADER_BYTES + (1 << shift) * HASH_BYTES
      ? stored
      : null;
  if (magic !== SPARSE_NODE_MAGIC || shift < 3 || shift > MAX_SPARSE_SHIFT) return null;
  const fanout = 1 << shift;
  const bitmap = stored.readUInt16LE(6);
  if (bitmap >>> fanout !== 0) return null;
  const dense = Buffer.alloc(NODE_HEADER_BYTES + fanout * HASH_BYTES);
  dense.writeUInt32LE(NODE_MAGIC, 0);
  dense[4] = level;
  dense[5] = shift;
  let at = NODE_HEADER_BYTES;
  for (let i = 0; i < fanout; i++)
    if ((bitmap >>> i) & 1) {
      if (at + HASH_BYTES > stored.length || isZeroEntry(stored, at)) return null;
      stored.copy(dense, NODE_HEADER_BYTES + i * HASH_BYTES, at, at + HASH_BYTES);
      at += HASH_BYTES;
    }
  return at === stored.length ? dense : null;
}
