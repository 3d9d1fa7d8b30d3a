/**
 * Write reservation for heap operations: "a call that throws changes nothing".
 *
 * A heap operation first plans (reads only) and records every byte range it
 * will write, and every page range it will discard; then {@link reserveWrites}
 * refuses an operation that could not complete: ProtectionFault or
 * SegmentationFault (as the write would throw) when a recorded range is in a
 * read-only or unmapped page or the space is frozen (pages handed out to the
 * caller unwritten count: the caller's first write would fault), OutOfMemoryError when the
 * pool could not supply its frames. Only then does the operation write.
 * The fast path is two field tests and one comparison: a space without holes
 * or read-only pages that is not frozen (`maps.whole`) needs no mapping check,
 * and when the pool has at least as many frames available as pages touched
 * (always so without `maxBytes`), nothing more is done. Near the limit it
 * counts, page by page, the writes that really need a frame (zero-fill or
 * copy), as the bulk writes of the core do.
 *
 * State is module-level scratch (JS is single-threaded and heap operations do
 * not nest), so recording costs no allocation.
 *
 * @module
 */

import { PT_FANOUT } from "../constants.js";
import { throwOom } from "../errors.js";
import { listDiscards, listPages, readyFaults as readyFaultsIn } from "../fault-ready.js";
import { FAULT_NODES_MAX } from "../page-table-geometry.js";
import { checkWritableChecked, faultKeys, faultNodes, recheckWrite, reserveFrames } from "../reserve.js";
import { type SpaceState, vpnOf } from "../space-state.js";

const MAX_RANGES = 32;
/** Up to this many recorded pages, a call readies the engine for a fault per page without counting. */
const READY_UNCOUNTED = 16;
const rangeStart = new Float64Array(MAX_RANGES);
const rangeLen = new Float64Array(MAX_RANGES);
/** 1: a write (needs a frame per page); 0: a discard (needs a writable mapping, no frame). */
const rangeWrites = new Uint8Array(MAX_RANGES);
let ranges = 0;
/** Upper bound of the distinct pages recorded. */
let bound = 0;
/** Discards recorded: each may path-copy the boundary of its range (fault-ready.ts `listDiscards`). */
let discards = 0;
let overflow = false;
/**
 * Hull `[overLo, overHi)` of the ranges not recorded past MAX_RANGES (a moving
 * realloc, the call recording most, stays well below it). Checked whole
 * against the mappings, so a refusal may then be conservative, never missed.
 */
let overLo = 0;
let overHi = 0;
/** The space whose reservation is running the out-of-memory hook, or null. */
let reserving: SpaceState | null = null;
/**
 * Set when a heap call made in that hook reserved writes to that same space:
 * the waiting call's plan (slots, free lists, break) may be stale.
 */
let stale = false;

/** Starts recording the writes of one operation. */
export function beginWrites(): void {
  ranges = 0;
  bound = 0;
  discards = 0;
  overflow = false;
}

/** Records `[addr, addr + len)` (len > 0): `writes` 1 for a write, 0 for a discard. */
function record(addr: number, len: number, writes: number): void {
  if (ranges < MAX_RANGES) {
    rangeStart[ranges] = addr;
    rangeLen[ranges] = len;
    rangeWrites[ranges] = writes;
    ranges++;
  } else if (!overflow) {
    overflow = true;
    overLo = addr;
    overHi = addr + len;
  } else {
    if (addr < overLo) overLo = addr;
    if (addr + len > overHi) overHi = addr + len;
  }
}

/**
 * Records a write inside the page holding byte `addr` (checked as that one
 * byte: mappings and protection are per page, so it stands for the page).
 */
export function touch(addr: number): void {
  record(addr, 1, 1);
  bound++;
}

/** Records writes to bytes `[addr, addr + len)`. */
export function touchRange(addr: number, len: number, pageSize: number): void {
  if (len <= 0) return;
  record(addr, len, 1);
  bound += Math.floor((addr + len - 1) / pageSize) - Math.floor(addr / pageSize) + 1;
}

/**
 * Records a discard of bytes `[addr, addr + len)` (whole pages): it needs a
 * writable mapping, as `space.discard` does, but no frame.
 */
export function touchDiscard(addr: number, len: number): void {
  if (len <= 0) return;
  record(addr, len, 0);
  discards++;
}

/**
 * Records pages `[addr, addr + len)` that the operation hands out unwritten
 * (allocPage, allocPages, a large block's pages): the caller will write them,
 * so they must be in a writable mapping (a write-protected or unmapped free
 * page is refused with the fault the caller's first write would throw), but
 * the heap itself takes no frame for them.
 */
export function touchHandOut(addr: number, len: number): void {
  if (len > 0) record(addr, len, 0);
}

/**
 * Throws, changing nothing, unless every recorded write and discard can be
 * done: ProtectionFault (a read-only page, or the space frozen) or
 * SegmentationFault (an unmapped page), as the write would throw; then
 * OutOfMemoryError unless `space`'s pool can supply every frame the recorded
 * writes need, and ReleasedError when the out-of-memory hook released `space`
 * itself. The mappings are checked first, so a bad page gets its fault
 * whatever the pool holds, and the hook does not run for a call that would
 * fault anyway.
 */
export function reserveWrites(space: SpaceState): void {
  if (space === reserving) stale = true; // a heap call in the out-of-memory hook, on the space waiting below
  // Hot path: a space not frozen with one read-write mapping of all of it
  // (the usual case) passes on two field reads, with no loop and no call.
  if (space.isFrozen || !space.maps.whole) checkRecorded(space);
  if (space.pool.framesAvailable() < bound) reserveExactly(space);
  if (bound + discards > 1) readyFaults(space); // one write or one discard alone changes nothing when refused
}

/**
 * Makes the engine allocations the recorded writes' faults may make (slabs
 * for their frames, page-table nodes, overflow-table keys) before the
 * operation writes, through the helper the core's bulk writes use
 * (fault-ready.ts `readyFaults`): an operation writes several pages (a
 * slot's tag, a free list, a header), and a slab the engine refused at its
 * second page left the first written, the heap's metadata half changed.
 * The bound is the recorded ranges'; when the pool's tables lack the room
 * for it, the recorded pages are counted exactly instead, so that a heap
 * call inside a change readied as a whole (a structure's
 * `space.reserveFrames(n)`) asks for no more than that change readied.
 * O(1) up to READY_UNCOUNTED pages when the tables have room, else O(ranges).
 */
function readyFaults(space: SpaceState): void {
  if (bound <= READY_UNCOUNTED) {
    // A few pages (a malloc or free records up to 32 ranges on them): each fault takes at
    // most FAULT_NODES_MAX nodes (its own room among them: readyFaults adds one fault's)
    // and PT_FANOUT overflow keys, and one frame. O(1).
    const nodes = (bound - 1) * FAULT_NODES_MAX + discards * 2 * space.levels;
    readyFaultsIn(space, bound, nodes, (bound + 2 * discards) * PT_FANOUT, listRecorded, READY_UNCOUNTED);
    return;
  }
  let nodes = discards * 2 * space.levels;
  let keys = discards * 2 * PT_FANOUT;
  for (let i = 0; i <= ranges; i++) {
    if (i < ranges ? rangeWrites[i] === 0 : !overflow) continue; // a discard takes no frame
    const lo = i < ranges ? (rangeStart[i] as number) : overLo;
    const hi = i < ranges ? lo + (rangeLen[i] as number) : overHi;
    const first = vpnOf(space, lo);
    const last = vpnOf(space, hi - 1);
    nodes += faultNodes(last - first + 1);
    keys += faultKeys(space, first, last);
  }
  readyFaultsIn(space, bound, nodes, keys, listRecorded);
}

/** Lists the pages of the recorded writes, and the hull of those past MAX_RANGES (a PageLister). */
function listRecorded(space: SpaceState): void {
  for (let i = 0; i < ranges; i++) {
    if (rangeWrites[i] === 0) continue; // a discard takes no frame
    const start = rangeStart[i] as number;
    listPages(vpnOf(space, start), vpnOf(space, start + (rangeLen[i] as number) - 1));
  }
  if (overflow) listPages(vpnOf(space, overLo), vpnOf(space, overHi - 1));
  listDiscards(space, discards);
}

/**
 * Throws as a write would unless every recorded range (and the hull of the
 * unrecorded ones) is in writable pages of a space that is not frozen.
 * O(ranges * log mappings); reads only.
 */
function checkRecorded(space: SpaceState): void {
  for (let i = 0; i < ranges; i++) checkWritableChecked(space, rangeStart[i] as number, rangeLen[i] as number);
  if (overflow) checkWritableChecked(space, overLo, overHi - overLo);
}

/**
 * Slow path: counts the distinct recorded pages that need a frame. When
 * that runs the out-of-memory hook, the pages are checked again afterwards
 * (from local copies: a heap call in the hook reuses this module's scratch),
 * as the core's bulk writes do (reserve.ts): a hook that forked the space
 * shared pages the operation had to itself, so it needs more frames now (the
 * operation ran out of them halfway, its metadata half written: a corrupt
 * heap), and one that froze the space or unmapped or write-protected a page
 * it writes would stop it halfway too. (Past MAX_RANGES recorded ranges the
 * count is the upper bound `bound`, which no sharing can pass, and the
 * unrecorded ranges are checked again as their hull.) A heap call made in the hook on the
 * same space refuses the waiting call (OutOfMemoryError, nothing changed):
 * its plan was made before the hook changed the heap.
 */
function reserveExactly(space: SpaceState): void {
  const pool = space.pool;
  const ps = pool.pageSize;
  const r = ranges;
  const starts = rangeStart.slice(0, r);
  const lens = rangeLen.slice(0, r);
  const writes = rangeWrites.slice(0, r);
  const wasOverflow = overflow;
  const d = discards;
  const lo = overLo;
  const hi = overHi;
  let vpns: Float64Array | null = null;
  let n = 0;
  const need0 = bound;
  let need = bound;
  if (!overflow) {
    vpns = new Float64Array(bound);
    for (let i = 0; i < r; i++) {
      if (writes[i] === 0) continue; // a discard takes no frame
      const start = starts[i] as number;
      const last = vpnOf(space, start + (lens[i] as number) - 1);
      for (let v = vpnOf(space, start); v <= last; v++) vpns[n++] = v;
    }
    vpns.subarray(0, n).sort();
    need = countNeeded(space, vpns, n);
  }
  if (need <= pool.framesAvailable()) return;
  const outer = reserving;
  const outerStale = stale;
  reserving = space;
  stale = false;
  let used: boolean;
  try {
    reserveFrames(space, need); // runs the hook (ReleasedError if it released `space`)
  } finally {
    used = stale;
    reserving = outer;
    stale = outerStale || (used && outer === space);
  }
  // A heap call in the hook on this space (malloc from the same heap) took
  // what this call planned to take: two callers got one block. Refuse instead.
  if (used)
    throwOom(
      need * ps,
      "the onOutOfMemory hook made a heap call on this space while this call waited for frames; nothing changed, call again",
    );
  // A heap call on another space in the hook reused the scratch: restore this call's record (readyFaults reads it).
  restore(r, starts, lens, writes, wasOverflow, lo, hi, need0);
  discards = d;
  for (let i = 0; i < r; i++) recheckWrite(space, starts[i] as number, lens[i] as number);
  if (wasOverflow) recheckWrite(space, lo, hi - lo);
  const now = vpns === null ? need : countNeeded(space, vpns, n);
  if (now > pool.framesAvailable())
    throwOom(now * ps, `pool limit maxBytes=${pool.maxBytes} reached (${pool.framesInUse} frames of ${ps} B in use)`);
}

/** Puts back the record of one operation, saved before the out-of-memory hook ran. */
function restore(
  r: number,
  starts: Float64Array,
  lens: Float64Array,
  writes: Uint8Array,
  wasOverflow: boolean,
  lo: number,
  hi: number,
  pages: number,
): void {
  ranges = r;
  rangeStart.set(starts);
  rangeLen.set(lens);
  rangeWrites.set(writes);
  overflow = wasOverflow;
  overLo = lo;
  overHi = hi;
  bound = pages;
}

/** Distinct pages among the sorted `vpns[0 .. n)` whose write needs a frame now. */
function countNeeded(space: SpaceState, vpns: Float64Array, n: number): number {
  let need = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const v = vpns[i] as number;
    if (v === prev) continue;
    prev = v;
    if (space.pool.pt.needsFrame(space.root, space.levels, v)) need++;
  }
  return need;
}
