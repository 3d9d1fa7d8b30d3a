/**
 * Where a CowVector's elements come to live: a new standalone space (sized
 * for `maxLength`, mapped for `capacity`), a new embedded vector's blocks in
 * a caller's heap, or an existing embedded vector found by its header. Each
 * function validates, makes or finds the room, and fills the one hand-off
 * (adoption.ts) that CowVector's constructor then adopts, so every vector,
 * whatever its origin, is made by the one constructor (one hidden class).
 *
 * @module
 */
import { AddressSpace, type Heap, InvalidArgumentError } from "@pagefork/core";
import { type Adoption, adoption } from "./adoption.js";
import {
  allocFrames,
  allocVectorBlocks,
  heapOf,
  readHeader,
  requirePoolFrames,
  VECTOR_MAGIC,
  writeHeader,
} from "./in-space.js";
import { type ElementKind, kindOf } from "./kinds.js";
import { poolFor } from "./options.js";
import { SpaceOwner } from "./space-owner.js";
import { type CowVectorOptions, defaultMaxLength, heapMaxLength, MAX_PAGES, throwNoRoom } from "./vector-options.js";
import type { ElementView } from "./view.js";

/**
 * A new standalone vector of `kind`: its space reserved for `maxLength`
 * elements, of which `capacity` are mapped (the rest unmapped: no frames, no
 * commit charge). Validates before it makes the space; releases the space if
 * the unmap is refused.
 * @throws {TypeError} when `kind` is not a TypedArray constructor.
 * @throws {InvalidArgumentError} for invalid options.
 * @throws {OutOfMemoryError} under overcommit "never" when the commit limit has no room.
 */
export function standaloneVector(kind: unknown, options: CowVectorOptions | undefined): Adoption {
  const k = kindOf(kind);
  const pool = poolFor(options);
  const limit = Math.floor(Math.min(MAX_PAGES * pool.pageSize, Number.MAX_SAFE_INTEGER) / k.bytes);
  const maxLen = options?.maxLength ?? defaultMaxLength(pool, k.bytes, limit);
  if (typeof maxLen !== "number" || !Number.isInteger(maxLen) || maxLen < 1 || maxLen > limit)
    throw new InvalidArgumentError("maxLength", maxLen, `an integer from 1 to ${limit} elements`);
  const capacity = options?.capacity ?? 0;
  if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0)
    throw new InvalidArgumentError("capacity", capacity, `an integer from 0 to maxLength (${maxLen})`);
  if (capacity > maxLen) {
    if (options?.maxLength === undefined && capacity <= limit) throwNoRoom(pool, capacity * k.bytes);
    throw new InvalidArgumentError("capacity", capacity, `an integer from 0 to maxLength (${maxLen})`);
  }
  const space = new AddressSpace({ size: maxLen * k.bytes, pool });
  const ps = pool.pageSize;
  const capBytes = Math.ceil((capacity * k.bytes) / ps) * ps;
  try {
    if (capBytes < space.size) space.unmap(capBytes, space.size - capBytes); // reserved, not mapped
  } catch (e) {
    space.release();
    throw e;
  }
  return adoption.of(space, null, k, 0, 0, maxLen, capBytes);
}

/**
 * A new embedded vector in `heap` with room for `capacity` elements and
 * length `len` (zeros when `zeroed`, else the caller writes them: `written`
 * elements are reserved for): reserves the frames of the allocations and
 * writes, allocates (element block first), writes the header. `watch`: the
 * vector a copy is made from (null for a new one), which the out-of-memory
 * hook must not have written or released meanwhile ({@link requirePoolFrames}).
 */
export function embeddedVector(
  heap: Heap,
  kind: ElementKind,
  capacity: number,
  len: number,
  zeroed: boolean,
  written: number,
  watch: ElementView | null,
): Adoption {
  const bytes = capacity * kind.bytes;
  const space = heap.space;
  requirePoolFrames(heap, allocFrames(heap, bytes, written * kind.bytes), watch);
  const [header, data] = allocVectorBlocks(heap, bytes, zeroed);
  writeHeader(space, header, VECTOR_MAGIC, kind, len, data);
  return adoption.of(
    space,
    new SpaceOwner(heap, header, data),
    kind,
    data,
    len,
    heapMaxLength(heap, kind),
    data === 0 ? 0 : heap.usableSize(data),
  );
}

/**
 * The embedded vector whose header is at `address` in `heap`. Reads only.
 * @throws {InvalidArgumentError} when `heap` is not a Heap, or `address` is
 * not the header block of a vector (of `kind`, when given).
 * @throws {TypeError} when `kind` is given and is not a TypedArray constructor.
 */
export function attachedVector(heap: Heap, address: number, kind: unknown): Adoption {
  const h = heapOf(heap);
  const f = readHeader(h, address, VECTOR_MAGIC, "vector", kind === undefined ? undefined : kindOf(kind));
  return adoption.of(
    h.space,
    new SpaceOwner(h, address, f.data),
    f.kind,
    f.data,
    f.length,
    heapMaxLength(h, f.kind),
    f.data === 0 ? 0 : h.usableSize(f.data),
  );
}
