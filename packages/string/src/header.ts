/**
 * The text header (layout.ts): writing it, and reading and validating it to
 * attach a handle.
 *
 * @module
 */
import { type AddressSpace, type Heap, InvalidArgumentError, ProtectionFault } from "@pagefork/core";
import {
  ENTRY_BYTES,
  ENTRY_LENGTH,
  H_HEIGHT,
  H_MAGIC,
  H_ROOT,
  H_VERSION,
  HEADER_BYTES,
  INNER_COUNT,
  LEAF_COUNT,
  N_COUNT,
  NODE_ENTRIES,
  TEXT_LAYOUT_EMBEDDED,
  TEXT_LAYOUT_OLDEST,
  TEXT_LAYOUT_VERSION,
  TEXT_MAGIC,
} from "./layout.js";
import { MAX_DEPTH } from "./tree.js";

/** What {@link readHeader} found: root byte address (0: empty), height, length in code units. */
export const header = { root: 0, height: 0, len: 0 };

/**
 * Reads the header of the text whose header block is at `address` in
 * `heap`, into {@link header}. O(nodeCap): the length is the sum of the
 * root's entries. Writes nothing (the space may be frozen).
 *
 * @throws {InvalidArgumentError} unless `address` is a live heap block of at
 * least HEADER_BYTES holding a text header of layout version 2 to 4 whose
 * root lies inside the heap.
 */
export function readHeader(heap: Heap, address: number): void {
  const space = heap.space;
  const expected = `the address of a CowText header block in this heap (layout version ${TEXT_LAYOUT_OLDEST} to ${TEXT_LAYOUT_VERSION})`;
  let usable: number;
  try {
    usable = heap.usableSize(address);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throwNotText(address, expected);
    throw e;
  }
  if (
    usable < HEADER_BYTES ||
    space.getUint32(address + H_MAGIC) !== TEXT_MAGIC ||
    space.getUint32(address + H_VERSION) < TEXT_LAYOUT_OLDEST ||
    space.getUint32(address + H_VERSION) > TEXT_LAYOUT_VERSION
  )
    throwNotText(address, expected);
  const ps = space.pageSize;
  const root = space.getUint32(address + H_ROOT) * ps;
  const height = space.getUint32(address + H_HEIGHT);
  const st = heap.stats();
  if (height >= MAX_DEPTH || (root === 0 ? height !== 0 : root < st.dataStart || root >= st.dataEnd))
    throwNotText(address, `${expected}: its root or height is out of range`);
  header.root = root;
  header.height = height;
  header.len = root === 0 ? 0 : lengthOf(space, root, height);
}

/** Sum of a root's subtree lengths (or a root leaf's count). O(nodeCap). */
function lengthOf(space: AddressSpace, root: number, height: number): number {
  const n = space.getUint32(root + N_COUNT);
  if (height === 0) return n & LEAF_COUNT;
  const children = n & INNER_COUNT;
  let len = 0;
  for (let i = 0, e = root + NODE_ENTRIES + ENTRY_LENGTH; i < children; i++, e += ENTRY_BYTES)
    len += space.getUint32(e);
  return len;
}

/**
 * Marks the header at `at` of an older layout version as `version` (4 for
 * an embedded text; 5 for a standalone one, from adoptText), unless the
 * space is frozen or the header's page is mapped read-only (then nothing
 * writes this text through it), so that an older reader refuses the text once
 * this one may have written narrow leaves (version 3), inner nodes with
 * totals (version 4) or a lagging path (version 5).
 * @throws {OutOfMemoryError} when the header's page must be copied and the pool has no frame.
 */
export function upgradeHeader(space: AddressSpace, at: number, version = TEXT_LAYOUT_EMBEDDED): void {
  if (space.getUint32(at + H_VERSION) >= version || space.frozen) return;
  try {
    space.setUint32(at + H_VERSION, version);
  } catch (e) {
    if (!(e instanceof ProtectionFault)) throw e; // refused before it wrote: the text stays readable
  }
}

/** Writes a new header at `at`: an empty text (root 0, height 0). */
export function initHeader(space: AddressSpace, at: number): void {
  space.setUint32(at + H_MAGIC, TEXT_MAGIC);
  space.setUint32(at + H_VERSION, TEXT_LAYOUT_EMBEDDED);
  space.setUint32(at + H_ROOT, 0);
  space.setUint32(at + H_HEIGHT, 0);
}

/** Writes the root (byte address, stored as a page number; 0: empty) and the height of the header at `at`. */
export function writeHeader(space: AddressSpace, at: number, root: number, height: number): void {
  space.setUint32(at + H_ROOT, root / space.pageSize);
  space.setUint32(at + H_HEIGHT, height);
}

function throwNotText(address: unknown, expected: string): never {
  throw new InvalidArgumentError("address", address, expected);
}
