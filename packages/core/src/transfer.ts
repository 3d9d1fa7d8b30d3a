/**
 * The fallback where shared memory is not available (a browser page without
 * cross-origin isolation): `transferCopy()` copies a version's mapped bytes
 * into one ArrayBuffer that `postMessage` can transfer (move, not copy), and
 * `AddressSpace.attach` rebuilds a frozen space from it in the receiving
 * thread. O(size of the space) on both sides, against O(1) for `share()`.
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import { throwReleased } from "./errors.js";
import { FramePool } from "./frame-pool.js";
import { MappingList } from "./mappings.js";
import { throwInvalidHandle } from "./share-errors.js";

/** The `format` of a {@link SpaceCopy}. */
export const COPY_FORMAT = "pagefork.space-copy/1";

/**
 * A copy of a version, from {@link AddressSpace.transferCopy}: its mapped
 * bytes in one ArrayBuffer (unmapped ranges are zero), its page size, size
 * and mappings. Send it with `postMessage(copy, [copy.bytes])` to move the
 * buffer rather than clone it; {@link AddressSpace.attach} takes it.
 */
export interface SpaceCopy {
  /** `"pagefork.space-copy/1"`. */
  readonly format: typeof COPY_FORMAT;
  /** Page size in bytes. */
  readonly pageSize: number;
  /** Size of the space in bytes (`bytes.byteLength`). */
  readonly size: number;
  /** The version's mappings: starts, ends (bytes) and writability, as parallel arrays. */
  readonly mappings: {
    readonly starts: readonly number[];
    readonly ends: readonly number[];
    readonly writable: readonly boolean[];
  };
  /** The bytes of the space. */
  readonly bytes: ArrayBuffer;
}

/** See AddressSpace.transferCopy. @internal */
export function copySpace(space: AddressSpace): SpaceCopy {
  if (space.isReleased) throwReleased("address space");
  const maps = space.maps;
  const bytes = new ArrayBuffer(space.size);
  for (let i = 0; i < maps.starts.length; i++) {
    const start = maps.starts[i] as number;
    space.read(start, new Uint8Array(bytes, start, (maps.ends[i] as number) - start));
  }
  return {
    format: COPY_FORMAT,
    pageSize: space.pageSize,
    size: space.size,
    mappings: { starts: maps.starts, ends: maps.ends, writable: maps.writable },
    bytes,
  };
}

/** Rebuilds a frozen space in a new pool from a copy. @internal */
export function attachCopy(copy: SpaceCopy, make: (pool: FramePool, size: number) => AddressSpace): AddressSpace {
  const m = copy.mappings;
  const ok =
    copy.bytes instanceof ArrayBuffer &&
    copy.bytes.byteLength === copy.size &&
    typeof m === "object" &&
    m !== null &&
    Array.isArray(m.starts) &&
    Array.isArray(m.ends) &&
    Array.isArray(m.writable) &&
    m.starts.length === m.ends.length &&
    m.starts.length === m.writable.length;
  if (!ok) throwInvalidHandle("forged", "not a copy made by transferCopy() (or its buffer was transferred away)");
  const pool = new FramePool({ pageSize: copy.pageSize });
  const space = make(pool, copy.size);
  try {
    for (let i = 0; i < m.starts.length; i++) {
      const start = m.starts[i] as number;
      space.write(start, new Uint8Array(copy.bytes, start, (m.ends[i] as number) - start));
    }
  } catch (e) {
    space.release();
    throw e;
  }
  space.maps = new MappingList([...m.starts], [...m.ends], [...m.writable], copy.size);
  space.freeze();
  return space;
}
