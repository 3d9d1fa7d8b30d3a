/**
 * The checks `AddressSpace.attach` runs on a handle from `share()` before it
 * changes anything (attach.ts): its shape ({@link checkHandle}), then what it
 * says against its pin chunk and the fingerprints of its buffers
 * ({@link checkAgainstPin}). Reads only; each throws InvalidHandleError
 * ("forged").
 *
 * @module
 */
import { MAX_SLAB_BYTES, PT_FANOUT } from "./constants.js";
import { throwInvalidHandle } from "./share-errors.js";
import { dataBytes, FINGERPRINT_NODES, hasFingerprint, layoutHash, SHARED_TRAILER_BYTES } from "./share-fingerprint.js";
import {
  CHUNK_PAGE_SIZE,
  CHUNK_POOL_ID_HI,
  CHUNK_POOL_ID_LO,
  CHUNK_SLAB_BYTES,
  HANDLE_FORMAT,
  isMappingArrays,
  isPow2,
  isSpaceGeometry,
  isUint,
  PIN_ARENA,
  PIN_CHUNK_BYTES,
  PIN_CHUNK_SLOTS,
  PIN_ID,
  PIN_LAYOUT,
  PIN_LEVELS,
  PIN_NODE_COUNT,
  PIN_ROOT,
  PIN_SLABS,
  poolIdWords,
  type SharedSpaceHandle,
} from "./share-format.js";

/**
 * `handle` as a SharedSpaceHandle, or InvalidHandleError("forged"): its
 * fields have the types, ranges and sizes `share()` gives them. O(slabs +
 * mappings). @internal
 */
export function checkHandle(handle: unknown): SharedSpaceHandle {
  const h = handle as SharedSpaceHandle;
  const ok =
    typeof h === "object" &&
    h !== null &&
    h.format === HANDLE_FORMAT &&
    isUint(h.id) &&
    isUint(h.root) &&
    isUint(h.levels) &&
    h.levels >= 1 &&
    isUint(h.nodeCount) &&
    h.root < h.nodeCount &&
    // As the space's constructor takes them (it runs after the compare-and-swap).
    isSpaceGeometry(h.pageSize, h.size) &&
    isPow2(h.slabBytes, h.pageSize, MAX_SLAB_BYTES) &&
    typeof h.poolId === "number" &&
    Array.isArray(h.slabs) &&
    h.slabs.length > 0 &&
    allShared(h.slabs) &&
    // The view pool is built with the owner's first slab size (checked here: nothing throws after the attach).
    isPow2(dataBytes(h.slabs[0] as SharedArrayBuffer), h.pageSize, h.slabBytes) &&
    h.nodes instanceof SharedArrayBuffer &&
    h.nodes.byteLength >= h.nodeCount * PT_FANOUT * 4 + SHARED_TRAILER_BYTES &&
    h.pins instanceof SharedArrayBuffer &&
    h.pins.byteLength === PIN_CHUNK_BYTES &&
    isUint(h.slot) &&
    h.slot < PIN_CHUNK_SLOTS &&
    slabsFitGeometry(h.slabs, h.slabBytes) &&
    isMappingArrays(h.mappings, h.pageSize, h.size);
  if (!ok) throwInvalidHandle("forged", "not a handle made by share()");
  return h;
}

/**
 * Checks what `h` says against its pin chunk (`words`, the pin at `at`),
 * written by the owner's `share()`, and its buffers against their
 * fingerprints (share-format.ts): the chunk's pool id, page size and slab
 * size; the pin's root, levels, id, node count, slab count and layout hash
 * (size and mappings); the node arena's size and fingerprint (this pool's
 * arena of the pin's capacity: an older or newer arena of the same pool, a
 * fresh buffer or another pool's is refused) and each slab's (this pool's
 * slab of that index). Reads only. O(slabs + mappings).
 * @throws {InvalidHandleError} ("forged") when any differs; nothing changed.
 * @internal
 */
export function checkAgainstPin(h: SharedSpaceHandle, words: Int32Array, at: number): void {
  if (
    words[at + PIN_ROOT] !== h.root ||
    words[at + PIN_LEVELS] !== h.levels ||
    words[at + PIN_ID] !== h.id ||
    words[at + PIN_NODE_COUNT] !== h.nodeCount
  )
    throwInvalidHandle("forged", "the handle does not match the version it pins");
  const [lo, hi] = poolIdWords(h.poolId);
  if (
    words[CHUNK_POOL_ID_LO] !== lo ||
    words[CHUNK_POOL_ID_HI] !== hi ||
    words[CHUNK_PAGE_SIZE] !== h.pageSize ||
    words[CHUNK_SLAB_BYTES] !== h.slabBytes
  )
    throwInvalidHandle("forged", "the handle does not match its pool");
  if (words[at + PIN_LAYOUT] !== layoutHash(h.size, h.mappings))
    throwInvalidHandle("forged", "the handle's size or mappings are not the version's");
  const arena = words[at + PIN_ARENA] as number;
  if (
    h.nodes.byteLength !== arena * PT_FANOUT * 4 + SHARED_TRAILER_BYTES ||
    !hasFingerprint(h.nodes, lo, hi, FINGERPRINT_NODES)
  )
    throwInvalidHandle("forged", "the handle's page-table nodes are not its pool's (a swapped SharedArrayBuffer)");
  const slabs = h.slabs;
  if (slabs.length !== words[at + PIN_SLABS])
    throwInvalidHandle("forged", "the handle does not carry its pool's slabs");
  for (let k = 0; k < slabs.length; k++)
    if (!hasFingerprint(slabs[k] as SharedArrayBuffer, lo, hi, k))
      throwInvalidHandle("forged", `the handle's slab ${k} is not its pool's (a swapped SharedArrayBuffer)`);
}

/**
 * Whether the slabs after the first have the sizes the owner pool gives them
 * (FramePool.growFresh): slab k >= 1 holds `first * 2 ** (k - 1)` bytes, up to
 * the full slab size. The view pool finds a frame's slab by that geometry; a
 * slab of another size made reads land past its end, or on other bytes.
 */
function slabsFitGeometry(slabs: readonly SharedArrayBuffer[], slabBytes: number): boolean {
  const first = dataBytes(slabs[0] as SharedArrayBuffer);
  for (let k = 1; k < slabs.length; k++)
    if (dataBytes(slabs[k] as SharedArrayBuffer) !== Math.min(first * 2 ** (k - 1), slabBytes)) return false;
  return true;
}

/** Whether every element is a SharedArrayBuffer with room for a fingerprint (a loop: no closure per attach). */
function allShared(xs: readonly unknown[]): boolean {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!(x instanceof SharedArrayBuffer) || x.byteLength < SHARED_TRAILER_BYTES || x.byteLength % 4 !== 0)
      return false;
  }
  return true;
}
