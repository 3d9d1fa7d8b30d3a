/**
 * The fallback where shared memory is not available (a browser page without
 * cross-origin isolation): `transferCopy()` copies the pages a version holds
 * (those not on the zero frame, found by walking its page table, skipping
 * empty subtrees) into one ArrayBuffer that `postMessage` can transfer (move,
 * not copy), and `AddressSpace.attach` rebuilds a frozen space from it in the
 * receiving thread. O(pages written) on both sides, against O(1) for
 * `share()`; a sparse 1 GiB space with 10 pages written copies 10 pages.
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import { diffSpaces } from "./diff.js";
import { throwReleased } from "./errors.js";
import { FramePool } from "./frame-pool.js";
import { MappingList } from "./mappings.js";
import { throwInvalidHandle } from "./share-errors.js";
import { isMappingArrays, isSpaceGeometry, type MappingArrays } from "./share-format.js";

/** The `format` of a {@link SpaceCopy}. */
export const COPY_FORMAT = "pagefork.space-copy/1";

/**
 * A copy of a version, from {@link AddressSpace.transferCopy}: the pages it
 * holds (every other page reads as zero) in one ArrayBuffer, their byte
 * addresses, its page size, size and mappings. Send it with
 * `postMessage(copy, [copy.bytes])` to move the buffer rather than clone it;
 * {@link AddressSpace.attach} takes it.
 */
export interface SpaceCopy {
  /** `"pagefork.space-copy/1"`. */
  readonly format: typeof COPY_FORMAT;
  /** Page size in bytes. */
  readonly pageSize: number;
  /** Size of the space in bytes. */
  readonly size: number;
  /** Byte address of each page copied, ascending; page `k` is `bytes[k * pageSize, (k + 1) * pageSize)`. */
  readonly pages: readonly number[];
  /** The version's mappings. */
  readonly mappings: MappingArrays;
  /** The copied pages, `pages.length * pageSize` bytes. */
  readonly bytes: ArrayBuffer;
}

/**
 * See AddressSpace.transferCopy. The pages on a frame are those that differ,
 * frame-wise, from an empty tree: diffed against a bare root of 0, not a new
 * empty space, whose commit charge (the whole size, under overcommit
 * "never") refused the copy of any space larger than the room left, and
 * whose out-of-memory hook could release the space being copied.
 * @internal
 */
export function copySpace(space: AddressSpace): SpaceCopy {
  if (space.isReleased) throwReleased("address space");
  const maps = space.maps;
  const pool = space.pool;
  const ps = pool.pageSize;
  const pages = diffSpaces(space, { pool, root: 0, levels: 1, isReleased: false }, { compare: "frames" });
  const bytes = new ArrayBuffer(pages.length * ps);
  const out = new Uint8Array(bytes);
  for (let k = 0; k < pages.length; k++) {
    const pfn = pool.pt.lookup(space.root, space.levels, (pages[k] as number) / ps);
    const at = pool.frameByte(pfn);
    out.set(pool.slabOf(pfn).u8.subarray(at, at + ps), k * ps);
  }
  return {
    format: COPY_FORMAT,
    pageSize: ps,
    size: space.size,
    pages,
    mappings: { starts: maps.starts, ends: maps.ends, writable: maps.writable },
    bytes,
  };
}

/** Rebuilds a frozen space in a new pool from a copy. @internal */
export function attachCopy(copy: SpaceCopy, make: (pool: FramePool, size: number) => AddressSpace): AddressSpace {
  const m = copy.mappings;
  const ps = copy.pageSize;
  // Everything the pool and space constructors would refuse is refused here as a
  // forged copy (it threw their InvalidArgumentError), and the pages must be
  // ascending without repeats, as transferCopy() writes them (a repeated page
  // was silently overwritten by the last of its copies).
  const ok =
    isSpaceGeometry(ps, copy.size) &&
    Array.isArray(copy.pages) &&
    ascendingPages(copy.pages, ps, copy.size) &&
    copy.bytes instanceof ArrayBuffer &&
    copy.bytes.byteLength === copy.pages.length * ps &&
    isMappingArrays(m, ps, copy.size);
  if (!ok) throwInvalidHandle("forged", "not a copy made by transferCopy() (or its buffer was transferred away)");
  const pool = new FramePool({ pageSize: copy.pageSize });
  const space = make(pool, copy.size);
  try {
    for (let k = 0; k < copy.pages.length; k++)
      space.write(copy.pages[k] as number, new Uint8Array(copy.bytes, k * ps, ps));
  } catch (e) {
    space.release();
    throw e;
  }
  space.maps = new MappingList([...m.starts], [...m.ends], [...m.writable], copy.size);
  space.freeze();
  return space;
}

/** Whether `pages` are byte addresses of pages of a `size`-byte space, strictly ascending. */
function ascendingPages(pages: readonly unknown[], pageSize: number, size: number): boolean {
  let prev = -1;
  for (let k = 0; k < pages.length; k++) {
    const a = pages[k];
    if (typeof a !== "number" || !Number.isSafeInteger(a) || a <= prev || a % pageSize !== 0 || a >= size) return false;
    prev = a;
  }
  return true;
}
