/**
 * The reservation check before writes: the one path by which every writer
 * (the space's own bulk writes, page spans and faults, the heap, and the
 * structures of the other packages through {@link AddressSpace.reserveFrames})
 * makes sure the pool can supply the frames a write will take, before the
 * write changes anything. So the pool's `onOutOfMemory` hook runs, and the
 * errors are the same, whatever structure writes:
 * - {@link OutOfMemoryError} when the frames cannot be had even after the hook;
 * - {@link ReleasedError} when the hook released the very space written to
 *   (the caller must then stop: frames faulted into a released space would
 *   never be given back).
 *
 * The fast path is one comparison with `pool.framesAvailable()`; only near
 * the limit are pages counted one by one (`PageTable.needsFrame`).
 *
 * @module
 */
import { PT_FANOUT, REF_MAX_INLINE } from "./constants.js";
import { throwInvalid, throwOom, throwProtection, throwReleased, throwSegv } from "./errors.js";
import { listPages, readyFaults } from "./fault-ready.js";
import { FAULT_NODES_MAX, levelsFor } from "./page-table-geometry.js";
import { type SpaceState, vpnOf } from "./space-state.js";

/**
 * Throws unless the pool of `s` can supply `n` frames now, after giving the
 * out-of-memory hook one chance (see the module comment). Changes nothing.
 * O(1) plus the hook when it runs.
 */
export function reserveFrames(s: SpaceState, n: number): void {
  if (n <= 0 || n <= s.pool.framesAvailable()) return;
  s.pool.requireFrames(n, s);
}

/**
 * Frames a write to every byte of `[addr, addr + length)` (inside the
 * space, length > 0) would take now. O(pages x levels), reads only.
 */
function countFrames(s: SpaceState, addr: number, length: number): number {
  const last = vpnOf(s, addr + length - 1);
  let need = 0;
  for (let vpn = vpnOf(s, addr); vpn <= last; vpn++) if (s.pool.pt.needsFrame(s.root, s.levels, vpn)) need++;
  return need;
}

/**
 * Reserves (as {@link reserveFrames}) the frames of a write to `[addr,
 * addr + length)`, range already checked. For a write over several pages it
 * also makes the allocations its faults would make (slabs, the free list,
 * page-table nodes, overflow refcount slots) now: one page's fault changes nothing when the engine
 * refuses one (fault.ts), but a refusal at the third page of a write left
 * the first two written (`write` promises every byte or none).
 */
export function reserveForWrite(s: SpaceState, addr: number, length: number): void {
  if (length === 0) return;
  const pool = s.pool;
  const first = vpnOf(s, addr);
  const pages = vpnOf(s, addr + length - 1) - first + 1;
  if (pool.maxBytes !== Number.POSITIVE_INFINITY && pages > pool.framesAvailable()) {
    reserveFrames(s, countFrames(s, addr, length));
    // The hook that may have run can also have forked `s`: pages it had to
    // itself are shared now and need frames too. Count again, and refuse now
    // rather than at the page that finds none (the hook had its one chance).
    recheckWrite(s, addr, length);
    const need = pages > pool.framesAvailable() ? countFrames(s, addr, length) : 0;
    if (need > pool.framesAvailable())
      throwOom(
        need * pool.pageSize,
        `pool limit maxBytes=${pool.maxBytes} reached (${pool.framesInUse} frames of ${pool.pageSize} B in use)`,
      );
  }
  if (pages === 1) return;
  writeFirst = first;
  writeLast = first + pages - 1;
  // Past the room the tables have, counted exactly: no slab added that a rewrite of private pages does not need.
  readyFaults(s, pages, faultNodes(pages), faultKeys(s, first, writeLast), listWrite);
}

/** The pages of the write {@link reserveForWrite} readies, for {@link listWrite}. */
let writeFirst = 0;
let writeLast = 0;

/** Lists the pages of the write {@link reserveForWrite} readies (a PageLister). */
function listWrite(): void {
  listPages(writeFirst, writeLast);
}

/**
 * Page-table nodes the faults of a write to `pages` consecutive pages may
 * take: path copies of at most one leaf per PT_FANOUT pages plus the two
 * ends', and so on up, and the levels a growing tree adds (each fault's own
 * room, FAULT_NODES_MAX, is added by `readyFaults`). O(1).
 */
export function faultNodes(pages: number): number {
  return Math.ceil(pages / (PT_FANOUT - 1)) + FAULT_NODES_MAX;
}

/**
 * Overflow-table keys the faults of a write to vpns `first..last` may take:
 * each leaf copied retains its frames, and those at 254 references pass to
 * the overflow table. The bound (every frame of every leaf covered) up to
 * OVERFLOW_BOUND_MAX, counted above it. O(1), or O(pages x levels).
 */
export function faultKeys(s: SpaceState, first: number, last: number): number {
  const leaves = Math.floor(last / PT_FANOUT) - Math.floor(first / PT_FANOUT) + 1;
  return leaves * PT_FANOUT <= OVERFLOW_BOUND_MAX ? leaves * PT_FANOUT : overflowKeys(s, first, last);
}

/**
 * Up to this many overflow-table keys (a table of 2,048 slots, 16 KiB) a
 * write reserves by the bound (every frame of every leaf it covers) rather
 * than by counting: the table never shrinks, so a large write counts.
 */
const OVERFLOW_BOUND_MAX = 1024;

/**
 * Frames a write to vpns `first..last` can take past 254 references: those
 * at exactly 254 now in the leaves that cover the range (a leaf copy retains
 * all its frames once). O(pages x levels), reads only.
 */
function overflowKeys(s: SpaceState, first: number, last: number): number {
  const pool = s.pool;
  const rc = pool.refcount;
  const end = last - (last % PT_FANOUT) + PT_FANOUT;
  let n = 0;
  for (let vpn = first - (first % PT_FANOUT); vpn < end; vpn++) {
    const pfn = pool.pt.lookup(s.root, s.levels, vpn);
    if (pfn !== 0 && rc[pfn] === REF_MAX_INLINE) n++;
  }
  return n;
}

/**
 * After the out-of-memory hook ran for a write to `[addr, addr + length)`:
 * throws, as the write's own checks would have, when the hook froze the
 * space or unmapped or write-protected part of the range (the write went on
 * into the frozen version, or into a hole whose bytes reappeared when the
 * range was mapped again). O(1) for a space without holes.
 * @throws {ProtectionFault} when the space is frozen now, or part of the range read-only.
 * @throws {SegmentationFault} when part of the range is unmapped now.
 */
export function recheckWrite(s: SpaceState, addr: number, length: number): void {
  if (s.isFrozen) throwProtection(addr, length, "the address space was frozen (by the out-of-memory hook)");
  s.maps.check(addr, length, true);
}

/**
 * Frames a write to every byte of `[addr, addr + length)` would take now: the
 * pages there that map the zero frame, or whose frame or page-table path is
 * shared with another space. Mappings are not consulted (an unmapped page
 * reads as the zero frame). Validates its arguments; reads only.
 */
export function framesForWrite(s: SpaceState, addr: number, length: number): number {
  checkRange(s, addr, length);
  return length === 0 ? 0 : countFrames(s, addr, length);
}

/** Throws unless `s` is live and `[addr, addr + length)` a range of integer bytes inside it. */
function checkRange(s: SpaceState, addr: number, length: number): void {
  if (s.isReleased) throwReleased("address space");
  if (typeof addr !== "number" || !Number.isInteger(addr)) throwInvalid("address", addr, "an integer byte address");
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0)
    throwInvalid("length", length, "an integer number of bytes >= 0");
  if (addr < 0 || addr + length > s.size) throwSegv(addr, length, s.size);
}

/**
 * `space.checkWritable(addr, length)`: validates, then throws as a write to
 * every byte of `[addr, addr + length)` would on the space's mappings and
 * freeze. Reads only. O(1) for a space without holes, else O(log mappings +
 * mappings in the range).
 */
export function checkWritableChecked(s: SpaceState, addr: number, length: number): void {
  checkRange(s, addr, length);
  if (length === 0) return;
  if (s.isFrozen) throwProtection(addr, length, "the address space is frozen");
  s.maps.check(addr, length, true);
}

/**
 * `space.reserveFrames(frames)`: validates, then {@link reserveFrames}, then
 * {@link readyFaultsFor} (a structure's change of several writes is then
 * refused by the engine before its first write, not halfway).
 */
export function reserveFramesChecked(s: SpaceState, frames: number): void {
  if (s.isReleased) throwReleased("address space");
  if (typeof frames !== "number" || !Number.isSafeInteger(frames) || frames < 0)
    throwInvalid("frames", frames, "a non-negative integer number of frames");
  reserveFrames(s, frames);
  readyFaultsFor(s, frames);
}

/**
 * Makes now the engine allocations that up to `n` write faults anywhere in
 * `s` may make (the slabs and free list of `n` frames, page-table nodes,
 * overflow-table keys), so that the engine refuses them (OutOfMemoryError)
 * before a structure's change of several writes starts: the array, map and
 * string packages reserve with `space.reserveFrames(n)` and then write
 * several pages with separate calls, and a slab refused at a later page left
 * the change half made (a vector's splice shifted and its items not
 * written). `n` 1 too: one fault alone changes nothing when refused
 * (fault.ts), but a change's one fault need not be its first write (a
 * fork's splice shifted its private tail, then the items' shared page was
 * refused a slab). The pages are not known here: nodes are bounded by
 * level (at most `n`, and at most the nodes of a tree covering the whole
 * space, per level), overflow keys by eight per leaf copied, or, past
 * the larger of OVERFLOW_BOUND_MAX and a quarter of the frames in use, and the table's room, by the frames now at 254
 * references (a scan of the pool's refcount bytes). `n` being an upper
 * bound, the slabs readied may come before they are needed; never more than
 * the frames counted. The TLBs the first write takes are taken too (fault-ready.ts
 * `readyFaults`, the helper the heap and the bulk writes use with their own bounds).
 * O(levels) when the pool and tables have room.
 * @throws {OutOfMemoryError} when the engine refuses an allocation; frames in use unchanged.
 */
export function readyFaultsFor(s: SpaceState, n: number): void {
  // A frozen space takes no fault: its writes throw ProtectionFault, which must come first.
  if (n < 1 || s.isFrozen) return;
  const pool = s.pool;
  const pages = Math.ceil(s.size / pool.pageSize);
  const levels = levelsFor(Math.max(0, pages - 1));
  let nodes = levels; // the levels a growing tree adds (readyFaults adds the last fault's own room)
  let span = pages;
  for (let l = 0; l < levels; l++) {
    span = Math.ceil(span / PT_FANOUT);
    nodes += Math.min(n, span);
  }
  const leaves = Math.min(n, Math.ceil(pages / PT_FANOUT));
  let keys = leaves * PT_FANOUT;
  const table = pool.refOverflow;
  // Past the bound, count (a scan of the pool's refcount bytes) only when the table has no room.
  if (
    keys > Math.max(OVERFLOW_BOUND_MAX, pool.framesInUse >> 2) &&
    keys + PT_FANOUT > table.byteLength / 16 - table.size
  )
    keys = Math.min(keys, framesAtInlineMax(s));
  readyFaults(s, n, nodes, keys, null); // the pages are not known: the bound
}

// readyFaultsFor's bound on overflow keys is the larger of OVERFLOW_BOUND_MAX and a quarter of
// the pool's frames in use (table room of at most 4 B per frame in use: 1.6% of a 256 B frame),
// not OVERFLOW_BOUND_MAX alone: session 32, a fill of 200 pages in a fork of a 1M-element
// array (8,200 frames) scanned every frame's refcount at every call, x1.39-1.45 CPU per fill
// against main; with this bound x1.04 (A/A x0.89-0.93, /tmp/fillab.mjs, in-process rounds).

/** Frames of the pool of `s` at exactly 254 references now (those a leaf copy can pass to the overflow table). O(frames). */
function framesAtInlineMax(s: SpaceState): number {
  const rc = s.pool.refcount;
  let n = 0;
  for (let i = 0; i < rc.length; i++) if (rc[i] === REF_MAX_INLINE) n++;
  return n;
}
