/**
 * Up-front refusal of the operations made of several writes (a shift and a
 * write, a grow and a write, a write-back of several pages): "a call that
 * throws changes nothing".
 *
 * Each core write (`write`, `fill`, `copyWithin`, a write span cursor) refuses
 * on its own before it changes anything, but an operation of two of them could
 * be refused halfway: the shift of a `splice` done, its items not written. So
 * such an operation first asks the core how many frames all its writes need
 * (`space.framesNeeded`: pages mapping the zero frame or shared), has the pool
 * check them at once (`space.reserveFrames`, which gives the out-of-memory hook
 * one chance), and only then writes. Each page needs at most one frame however
 * often the operation writes it, so the later writes' own checks then pass.
 *
 * The hook may release spaces, this array's own among them: after it ran, an
 * operation on a released array throws {@link ReleasedError} before it writes.
 * The hook is user code and may do more to the array's space (see
 * {@link afterHook}): fork it (then every page the operation had to itself is
 * shared, and each write needs a copy the count did not include: the
 * operation ran out of frames halfway, a splice's shift done and its items
 * not written), freeze it, unmap or write-protect pages the operation writes
 * (it stopped at the first such write, the earlier ones done), or write the
 * array itself (the operation's plan is then stale). So after the hook the
 * operation checks its writes again, as the core's bulk writes do, and
 * refuses before it writes.
 *
 * @module
 */
import {
  type AddressSpace,
  type FramePool,
  type Mapping,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
} from "@pagefork/core";
import { EMBEDDING } from "./space-owner.js";
import type { ElementView } from "./view.js";

/** Page ranges `[lo, hi)` of one reservation (module scratch: reservations do not nest). */
const lo = new Float64Array(3);
const hi = new Float64Array(3);

/**
 * Throws OutOfMemoryError unless the pool can supply every frame that writes
 * to the byte ranges `[a0, b0)`, `[a1, b1)` and `[a2, b2)` of `view`'s space
 * would take, plus `extra` frames (an upper bound of the heap calls the
 * operation makes). Empty ranges (`b <= a`) count nothing; a page in several
 * ranges counts once. O(1) without a limit or with frames to spare, else
 * O(pages x page-table levels). Changes nothing, except what the
 * out-of-memory hook does.
 * @throws {ProtectionFault} when the space is frozen: the error that comes
 * first (a heap call would otherwise check its frames before the protection).
 * @throws {ReleasedError} when the hook released the view or its space.
 */
export function reserveWrites(
  view: ElementView,
  extra: number,
  a0: number,
  b0: number,
  a1 = 0,
  b1 = 0,
  a2 = 0,
  b2 = 0,
): void {
  const space = view.space;
  const pool = space.pool;
  if (space.frozen && (b0 > a0 || b1 > a1 || b2 > a2 || extra > 0)) throwFrozen(a0, b0);
  const ps = pool.pageSize;
  let n = 0;
  n = addPages(n, a0, b0, ps);
  n = addPages(n, a1, b1, ps);
  n = addPages(n, a2, b2, ps);
  // Merge overlapping page ranges (at most three, sorted by insertion in addPages).
  let upper = extra;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (m > 0 && (lo[i] as number) <= (hi[m - 1] as number)) {
      hi[m - 1] = Math.max(hi[m - 1] as number, hi[i] as number);
    } else {
      lo[m] = lo[i] as number;
      hi[m] = hi[i] as number;
      m++;
    }
  }
  for (let i = 0; i < m; i++) upper += (hi[i] as number) - (lo[i] as number);
  // One frame at most, within the limit: nothing to refuse (a single fault that the engine
  // refuses changes nothing). Else reserveRanges counts the frames the writes take (a rewrite of
  // private pages takes none) and has the core make the engine's allocations for them now.
  if (upper <= 1 && upper <= pool.framesAvailable()) return;
  // The ranges as (address, length) pairs, copied from the module scratch
  // (a reservation made in the hook, for another array, reuses it).
  const r = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) {
    r[2 * i] = (lo[i] as number) * ps;
    r[2 * i + 1] = ((hi[i] as number) - (lo[i] as number)) * ps;
  }
  reserveRanges(view, extra, r, m);
}

/**
 * Throws OutOfMemoryError unless the pool can supply every frame that writes
 * to the `k` byte ranges `r[2i] .. r[2i] + r[2i + 1]` of `view`'s space
 * (disjoint, in its mappings) would take, plus `extra`. When that runs the
 * out-of-memory hook, checks the writes again afterwards ({@link afterHook}).
 * O(pages x page-table levels). Changes nothing, except what the hook does.
 * @throws {ReleasedError} when the hook released the view or its space.
 * @throws {ProtectionFault} / {SegmentationFault} when the hook froze the
 * space, or write-protected or unmapped a page the writes touch.
 */
export function reserveRanges(view: ElementView, extra: number, r: Float64Array, k: number): void {
  const space = view.space;
  const need = extra + framesFor(space, r, k);
  if (need <= space.pool.framesAvailable()) {
    space.reserveFrames(need); // no hook: the core readies the engine's allocations (see reserveWrites)
    return;
  }
  // The hook runs: note what it may change.
  const writes = view.owner.writes;
  const maps = space.mappings();
  space.reserveFrames(need); // the core's one check: the hook may release the space (ReleasedError)
  afterHook(view, writes, maps, extra, r, k);
}

/** Frames writes to the `k` ranges of `r` (see {@link reserveRanges}) take now. */
function framesFor(space: AddressSpace, r: Float64Array, k: number): number {
  let n = 0;
  for (let i = 0; i < k; i++) n += space.framesNeeded(r[2 * i] as number, r[2 * i + 1] as number);
  return n;
}

/**
 * After the out-of-memory hook ran for writes to the ranges of `r`, refuses
 * them unless they can still all be done: the view and its space still live
 * (ReleasedError); the array not written meanwhile (its write generation
 * still `writes`: a hook that wrote it made the operation's plan stale, so
 * OutOfMemoryError, nothing changed, "call again"); the space not frozen
 * (ProtectionFault); every byte of the ranges that a read-write mapping held
 * before the hook (`maps`) still read-write (ProtectionFault, or
 * SegmentationFault when unmapped; ranges outside every mapping are a
 * growth the operation maps itself), and, when the operation makes heap
 * calls (`extra` > 0 on an embedded array), every such byte of the heap's
 * range (a moved block lands on pages no range names; this refuses a call
 * the hook's change might not have stopped, never one halfway); and the
 * frames counted again (a fork
 * shared the pages the operation had to itself) still available, without
 * running the hook a second time (OutOfMemoryError).
 */
function afterHook(
  view: ElementView,
  writes: number,
  maps: readonly Mapping[],
  extra: number,
  r: Float64Array,
  k: number,
): void {
  checkLive(view);
  const space = view.space;
  const first = k > 0 ? (r[0] as number) : 0;
  if (view.owner.writes !== writes) throwHookWrote(extra * space.pageSize);
  if (space.frozen) throwFrozen(first, first + (k > 0 ? (r[1] as number) : 1));
  // Every byte of the ranges a read-write mapping held before the hook, still writable (the core's check).
  for (let i = 0; i < k; i++)
    stillWritable(space, maps, r[2 * i] as number, (r[2 * i] as number) + (r[2 * i + 1] as number));
  // Heap calls (an embedded vector's block grown, moved or shrunk) may write any page of
  // the heap's range: its metadata, and a moved block's new pages past the break.
  const blocks = view.owner[EMBEDDING];
  if (extra > 0 && blocks !== null) stillWritable(space, maps, blocks.heap.base, blocks.heap.limit);
  const need = extra + framesFor(space, r, k);
  if (need > space.pool.framesAvailable()) throwPoolLimitAfterHook(space.pool, need);
}

/** The OutOfMemoryError of a call whose plan the out-of-memory hook made stale by writing the array. */
export function throwHookWrote(bytes: number): never {
  throw new OutOfMemoryError(
    bytes,
    "the onOutOfMemory hook wrote this array while this call waited for frames; nothing changed, call again",
  );
}

/** The OutOfMemoryError of a call still `frames` frames short after the out-of-memory hook ran (it runs once). */
export function throwPoolLimitAfterHook(pool: FramePool, frames: number): never {
  throw new OutOfMemoryError(
    frames * pool.pageSize,
    `pool limit maxBytes=${pool.maxBytes} reached (${pool.framesInUse} frames of ${pool.pageSize} B in use, after the onOutOfMemory hook)`,
  );
}

/**
 * Throws as a write would (ProtectionFault, SegmentationFault) unless every
 * byte of `[a, e)` that a read-write mapping of `maps` (the mappings before
 * the hook) held is still writable. O(mappings).
 */
export function stillWritable(space: AddressSpace, maps: readonly Mapping[], a: number, e: number): void {
  for (const b of maps) {
    const x = Math.max(a, b.start);
    const y = Math.min(e, b.end);
    if (b.protection === "read-write" && x < y) space.checkWritable(x, y - x);
  }
}

/** Adds the pages of bytes `[a, b)` to the first `n` ranges, kept sorted by start; returns the new count. */
function addPages(n: number, a: number, b: number, ps: number): number {
  if (b <= a) return n;
  const p = Math.floor(a / ps);
  const q = Math.floor((b - 1) / ps) + 1;
  let i = n;
  while (i > 0 && (lo[i - 1] as number) > p) {
    lo[i] = lo[i - 1] as number;
    hi[i] = hi[i - 1] as number;
    i--;
  }
  lo[i] = p;
  hi[i] = q;
  return n + 1;
}

/** Throws ReleasedError when the view, or the space under it, was released (say, by the out-of-memory hook). */
export function checkLive(view: ElementView): void {
  view.check();
  if (view.space.released) throw new ReleasedError("address space");
}

/**
 * `view.space.fork()`, refused with ReleasedError when the out-of-memory hook
 * (run by a refused commit charge, overcommit "never" or "heuristic")
 * released the view or its space: the fork would be of an emptied space.
 */
export function forkSpace(view: ElementView): AddressSpace {
  const child = view.space.fork();
  if (view.space.released || view.isReleased) {
    child.release();
    checkLive(view);
  }
  return child;
}

/** Throws the ProtectionFault of a write to a frozen space. */
export function throwFrozen(a: number, b: number): never {
  throw new ProtectionFault(a, Math.max(b - a, 1), "the address space is frozen");
}
