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
 * an embedded text; 5 for a standalone one, from adoptText), so that an
 * older reader refuses the text once this one may have written narrow leaves
 * (version 3), inner nodes with totals (version 4) or a lagging path
 * (version 5). Skipped when the space is frozen or the header's page is
 * mapped read-only: false then, and the caller marks its handle with
 * {@link markStale}, whose first edit writes the version (or throws).
 * @returns true when the header is at `version` or later.
 * @throws {OutOfMemoryError} when the header's page must be copied and the pool has no frame.
 */
export function upgradeHeader(space: AddressSpace, at: number, version = TEXT_LAYOUT_EMBEDDED): boolean {
  if (space.getUint32(at + H_VERSION) >= version) return true;
  if (space.frozen) return false;
  try {
    space.setUint32(at + H_VERSION, version);
  } catch (e) {
    if (!(e instanceof ProtectionFault)) throw e; // refused before it wrote: the text stays readable
    return false;
  }
  return true;
}

/**
 * Handles whose header is older than what their edits write and could not
 * be raised when they were made (frozen space, read-only header page): the
 * version each writes into its header before its first edit. Before, such a
 * handle (or a writable fork of it, or the text after `space.protect` made the
 * page writable again) edited on, and left narrow leaves, totals or a
 * lagging path under a header that an older reader takes as its own layout.
 * A WeakMap, so that a handle pays no field for this rare case.
 */
const staleHeaders = new WeakMap<object, number>();
/** Set once any handle is stale: until then an edit's test is one load of this flag. */
let anyStale = false;

/** A text handle as the stale-header checks see it. */
interface HeaderOwner {
  readonly space: AddressSpace;
  /** Byte address of its header in `space`. */
  readonly address: number;
}

/** Marks `t` to write `version` into its header before its first edit (see {@link staleHeaders}). O(1). */
export function markStale(t: HeaderOwner, version: number): void {
  anyStale = true;
  staleHeaders.set(t, version);
}

/** `child` (a fork of `parent`'s space) inherits `parent`'s pending header version, if any. O(1). */
export function inheritStale(parent: HeaderOwner, child: HeaderOwner): void {
  const version = anyStale ? staleHeaders.get(parent) : undefined;
  if (version !== undefined) markStale(child, version);
}

/** True when `t` must write its header's version before it edits. O(1). */
export function isStale(t: HeaderOwner): boolean {
  return anyStale && staleHeaders.has(t);
}

/**
 * Writes the pending version into the header of a stale `t` (one u32) and
 * unmarks it. The edit that raises it (plan.ts `insertPlanned`,
 * `deletePlanned`) calls this once the header's page and the edit's pages
 * are checked writable and their frames reserved, so it cannot fail there;
 * raised first, an edit refused after it (a read-only node page, the pool or
 * the heap short) had changed the header and taken a frame for its page.
 * @throws {ProtectionFault} when the space is frozen or the header's page is read-only.
 * @throws {OutOfMemoryError} when the header's page must be copied and the pool has no frame.
 */
export function raiseStaleHeader(t: HeaderOwner): void {
  const version = staleHeaders.get(t);
  if (version === undefined) return;
  const space = t.space;
  const at = t.address + H_VERSION;
  if (space.getUint32(at) < version) space.setUint32(at, version);
  staleHeaders.delete(t);
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
