/**
 * How a frame pool grows: a new slab when every frame of the slabs was handed
 * out (as many frames as all slabs before it, up to the full slab size;
 * nothing is ever copied to make room), the refcount bytes and the free list
 * grown with it, and the adopted slabs of an attached pool (a worker's view of
 * another thread's shared pool). The pool's `allocFrame`, `prepareFrame` and
 * `prepareFrames` call {@link growFresh} only when the free list is empty and
 * the next never-used frame needs room: rare, and out of line.
 *
 * @module
 */
import type { Attachment } from "./attach.js";
import { INITIAL_SLAB_BYTES, ZERO_PFN } from "./constants.js";
import { throwOom, throwRefused } from "./errors.js";
import type { FramePool } from "./frame-pool.js";
import { Slab } from "./slab.js";
import { tlbEntries } from "./tlb.js";

/**
 * Slab bytes at which an unshared pool reserves room for a million
 * page-table nodes (`PageTable.reserve`, 36 MiB mapped lazily): a pool this
 * large reserves at most about half as much again for its page table, and a
 * smaller one keeps doubling its arena as before.
 * @internal
 */
export const RESERVE_POOL_BYTES = 64 * 1024 * 1024;

/** Most frames a pool can hold: pfns are stored in Int32Array page-table entries and free lists. */
const MAX_FRAMES = 2 ** 31 - 1;

/**
 * Makes room for never-used frame `pfn` (`nextPfn`; `freshEnd` when
 * `pool.prepareFrames` makes room ahead, one step per call): adds a slab when
 * the slabs are full (as many frames as all slabs before it, so the pool
 * doubles, up to the full slab size; copies no frame), and doubles the
 * free list when it could not hold every frame handed out so far plus
 * this one (see `freeList`). Allocates everything that can throw (the
 * slab, the larger refcount bytes, the larger free list) before it
 * changes a field, so a refusal changes nothing: a capacity raised before
 * a refused refcount array left frames past the array's end whose
 * refcount writes the typed array dropped (a shared frame then read as
 * free: corruption, frame-pool-grow.test.ts). O(frames) for the copies,
 * amortized O(1) per frame.
 * @throws {OutOfMemoryError} at the pfn limit, or when the engine refuses an allocation.
 * @internal
 */
export function growFresh(pool: FramePool, pfn: number): void {
  if (pool.attachment !== null) {
    growLocal(pool, pfn); // a worker's view of another thread's pool: small local slabs
    return;
  }
  const addSlab = pfn >= pool.capacity;
  const k = pool.slabs.length;
  const frames = !addSlab ? 0 : k > pool.geoLast ? pool.slabMask + 1 : 1 << (pool.firstShift + k - 1);
  const capacity = pool.capacity + frames;
  // A free list with room for `pfn` (one doubling at most: pfn <= freeBase + its length).
  const added = installGrowth(pool, frames, capacity, pfn - pool.freeBase + 1, false);
  // A large pool reserves its page table with its slabs (see PageTable.reserve).
  if (added && capacity * pool.pageSize >= RESERVE_POOL_BYTES) pool.pt.reserve();
}

/**
 * The step {@link growFresh} and {@link growLocal} share: allocates a slab
 * of `frames` frames (none when 0), the refcount bytes for `capacity`
 * frames and a free list of at least `listMin` entries (doubling), all
 * before it changes a field, so that a refusal changes nothing; then
 * installs them. The slab replaces the pool's last one when `replaceLast`
 * (a view pool's local slab no frame was taken from, growLocal), else is
 * appended; with it, the pool's capacity becomes `capacity` and its TLBs
 * may grow up to it on their next miss. Sets `freshEnd` either way. O(frames)
 * for the copies.
 * @returns true when a slab was installed.
 * @throws {OutOfMemoryError} at the pfn limit, or when the engine refuses an allocation (nothing changed).
 */
function installGrowth(
  pool: FramePool,
  frames: number,
  capacity: number,
  listMin: number,
  replaceLast: boolean,
): boolean {
  if (capacity > MAX_FRAMES) throwOom(pool.pageSize, `the pool holds the most frames a pfn can name (${MAX_FRAMES})`);
  let slab: Slab | null = null;
  let rc = pool.refcount;
  let list = pool.freeList;
  let what = "a slab";
  try {
    if (frames !== 0) {
      slab = new Slab(frames << pool.pageShift, pool.shared);
      what = "the refcount bytes of a slab";
      if (capacity > rc.length) rc = new Uint8Array(Math.max(capacity, rc.length * 2));
    }
    what = "the free list";
    let n = list.length;
    while (n < listMin) n *= 2;
    if (n !== list.length) list = new Int32Array(n);
  } catch (e) {
    throwRefused(e, pool.pageSize, what);
  }
  // Nothing below throws.
  if (list !== pool.freeList) {
    list.set(pool.freeList);
    pool.freeList = list;
  }
  if (slab !== null) {
    if (rc !== pool.refcount) {
      rc.set(pool.refcount);
      pool.refcount = rc;
    }
    if (replaceLast) pool.slabs[pool.slabs.length - 1] = slab;
    else pool.slabs.push(slab);
    pool.capacity = capacity;
    pool.tlbLimit[0] = tlbEntries(capacity) - 1; // TLBs of the pool grow up to it on their next miss
  }
  pool.freshEnd = Math.min(pool.capacity, pool.freeBase + pool.freeList.length);
  return slab !== null;
}

/**
 * Bytes of the first local slab of a view pool (at least 4 frames, at most
 * its slot): as a plain pool's first slab. A fork of an attached version
 * usually writes a few pages; its local slabs double from here.
 */
const LOCAL_FIRST_BYTES = INITIAL_SLAB_BYTES;

/** First pfn of slab `k` in `pool`'s geometry (see `FramePool.slabOf`). O(1). */
function slotStart(pool: FramePool, k: number): number {
  if (k === 0) return 0;
  return k <= pool.geoLast ? 1 << (pool.firstShift + k - 1) : (k - pool.geoLast) * (pool.slabMask + 1);
}

/** Frames slab `k` of `pool`'s geometry can hold: what `growFresh` gives a plain pool's slab `k`. O(1). */
function slotFrames(pool: FramePool, k: number): number {
  if (k === 0) return 1 << pool.firstShift;
  return k <= pool.geoLast ? 1 << (pool.firstShift + k - 1) : pool.slabMask + 1;
}

/**
 * {@link growFresh} for a view pool (an attached version's, attach.ts). Its
 * frame numbers follow the owner pool's geometry (the adopted slabs keep
 * their pfns), so its first local slab was the next slab of that geometry:
 * as many frames as all the owner's slabs together (16 MiB behind a shared
 * pool's first slab, up to the full slab size for a large owner), for a
 * fork that writes a few pages. Measured: a loop of 200 attach + fork + one
 * write held 3.2 GB of ArrayBuffers until the job ended (its pools wait for
 * the registry's microtask, space-registry.ts).
 *
 * Here a local slab takes a slot of the geometry (slab index `k`, pfns from
 * `slotStart(k)`) with a buffer of only part of it: {@link LOCAL_FIRST_BYTES}
 * first, then twice the last local buffer. When it is used up, the next
 * local slab takes the next slot and the pfns left in the last one are
 * never handed out (`nextPfn` jumps; slabOf never sees them, and the free
 * list and refcount bytes are sized to cover them). A slot whose buffer
 * reached the full slot size is followed by the next with no gap, so a large
 * write (`prepareFrames`) still finds its frames in consecutive pfns, as in
 * a plain pool. A local slab no frame was taken from yet (`prepareFrames`
 * asking for more) is replaced by a larger one instead: nothing refers to
 * it. No page-table reservation (`PageTable.reserve`): the local frames are
 * few, however large the owner. Allocates everything before it changes a
 * field, as growFresh.
 * @throws {OutOfMemoryError} at the pfn limit, or when the engine refuses an allocation.
 */
function growLocal(pool: FramePool, pfn: number): void {
  const last = pool.slabs.length - 1;
  const lastStart = slotStart(pool, last);
  const lastFrames = (pool.slabs[last] as Slab).buffer.byteLength >>> pool.pageShift;
  const local = lastStart >= pool.freeBase; // the last slab is a local one (not adopted)
  let slot = last; // the slot of the new local buffer (last: nothing changes but the free list)
  let start = lastStart;
  let frames = lastFrames;
  let next = pool.nextPfn;
  if (pfn >= pool.capacity) {
    const fullSlot = lastFrames === slotFrames(pool, last);
    const grown = Math.max(LOCAL_FIRST_BYTES >>> pool.pageShift, 4, local ? lastFrames * 2 : 0);
    if (local && next === lastStart && !fullSlot) {
      // No frame taken from the last local slab yet: a larger one replaces it.
      frames = Math.min(slotFrames(pool, last), grown);
    } else {
      slot = last + 1;
      start = slotStart(pool, slot);
      frames = Math.min(slotFrames(pool, slot), grown);
      // The pfns left in the last slot past its buffer (and in it, when prepareFrames
      // asks for more than it has left) are never handed out. A full-size slot ends
      // where the next starts: nothing is skipped.
      if (!fullSlot) next = start;
    }
  }
  const capacity = start + frames;
  const newFrames = slot !== last || frames !== lastFrames ? frames : 0; // 0: no new local buffer
  // Room on the free list for every pfn up to the capacity, the skipped ones included (see FramePool.freeList).
  if (installGrowth(pool, newFrames, capacity, capacity - pool.freeBase, slot === last)) pool.nextPfn = next;
}

/**
 * `pool.adoptSlabs`: makes the (new, empty) pool a worker's view of another thread's shared
 * pool: `slabs` become its slabs, and every pfn they hold counts as taken,
 * so frames this pool allocates later (for a fork's writes) go to new,
 * local slabs after them. The refcount bytes of the adopted frames are set
 * by {@link Attachment} before the first fork. @internal
 */
export function adoptSlabsInto(pool: FramePool, slabs: Slab[], attachment: Attachment): void {
  let capacity = 0;
  for (const s of slabs) capacity += s.buffer.byteLength >>> pool.pageShift;
  const none = new Uint8Array(0); // allocated before anything changes (see pinAdopted)
  pool.slabs.length = 0;
  pool.slabs.push(...slabs);
  pool.capacity = capacity;
  pool.nextPfn = capacity;
  pool.freeBase = capacity; // adopted frames are pinned (attach.ts): the free list never holds them
  pool.freshEnd = capacity;
  pool.refcount = none;
  pool.attachment = attachment;
  pool.tlbLimit[0] = tlbEntries(capacity) - 1;
}

/**
 * `pool.pinAdopted`: grows `refcount` to the capacity, every adopted frame's count set to `base`.
 * @throws {OutOfMemoryError} when the engine refuses the array (nothing changed).
 * @internal
 */
export function pinAdoptedFrames(pool: FramePool, base: number): void {
  let rc: Uint8Array;
  try {
    rc = new Uint8Array(pool.capacity);
  } catch (e) {
    throwRefused(e, pool.capacity, "the refcount bytes");
  }
  rc.fill(base, ZERO_PFN + 1);
  pool.refcount = rc;
}
