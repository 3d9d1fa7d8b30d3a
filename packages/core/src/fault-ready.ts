/**
 * Readying the engine for the write faults of a change before it starts: the
 * one helper ({@link readyFaults}) behind the core's bulk writes
 * (reserve.ts `reserveForWrite`), the heap's operations (heap/reserve.ts)
 * and `space.reserveFrames(n)`, with which the array, map and string
 * packages reserve a change of several writes (reserve.ts `readyFaultsFor`).
 *
 * A fault allocates in the engine only when a table is full: a slab and the
 * free list for its frame (`pool.prepareFrame`), page-table nodes for its
 * path copy (`pt.ensureNodes`), overflow-refcount keys for the frames of a
 * copied leaf that pass 254 references (`refOverflow.reserve`). One fault
 * refused there changes nothing (fault.ts); a change refused at its third
 * page would leave the first two written. So each caller makes those
 * allocations first, from a bound: its own (the exact ranges the heap
 * recorded, the range of a bulk write) or, for `n` faults anywhere, one per
 * page-table level.
 *
 * A bound may ask for more room than the faults will take, and a change that
 * was readied as a whole (a structure's `space.reserveFrames(n)`) makes
 * heap calls and bulk writes inside it, each readying itself again: a bound
 * that asked past what the whole change readied grew a table, and an engine
 * refusing that growth stopped the change after its first writes (a heap
 * call in an embedded vector's edit). So when the engine refuses the bound,
 * the pages are listed and what their faults take is counted exactly
 * (frames, distinct nodes copied, keys of copied leaves) and readied: never
 * more than what the whole change readied, which held those faults. The
 * bound stays the first try: it grows the tables by doubling, once for many
 * calls, where the exact needs would grow them by little, call after call.
 *
 * @module
 */
import { PT_FANOUT, PT_MASK, PT_SHIFT, REF_MAX_INLINE } from "./constants.js";
import { OutOfMemoryError, throwRefused } from "./errors.js";
import { covers, FAULT_NODES_MAX, levelsFor } from "./page-table-geometry.js";
import type { SpaceState } from "./space-state.js";

/** The pages of a change, listed on demand (see {@link readyFaults}): ranges of vpns `first[i]..last[i]`, in any order, overlaps allowed. */
let rangeFirst: Float64Array = new Float64Array(64);
let rangeLast: Float64Array = new Float64Array(64);
/** Ranges listed. */
let listed = 0;

/** Nodes and keys a {@link PageLister} adds for what is not a write ({@link listDiscards}). */
let extraNodes = 0;
let extraKeys = 0;

/**
 * Adds to the change being counted the room that `n` discards of `s` take
 * (`pt.discard` path-copies at most the two boundary paths of its range:
 * 2 x levels nodes, and the keys of two leaves). Called by a {@link PageLister}. O(1).
 */
export function listDiscards(s: SpaceState, n: number): void {
  extraNodes += n * 2 * s.levels;
  extraKeys += n * 2 * PT_FANOUT;
}

/**
 * Gives `s` the read and write TLBs its first write takes (mmu.ts
 * `loadWrite`), now. O(1) unless one is allocated.
 * @throws {OutOfMemoryError} when the engine refuses a TLB (nothing else changed).
 */
function readyTlbs(s: SpaceState): void {
  const pages = s.size / s.pool.pageSize;
  let r = s.rtlb;
  if (r === null) {
    r = s.pool.takeTlb(pages);
    s.rtlb = r;
  }
  if (r.write === null) r.write = s.pool.takeTlb(pages);
}

/** Lists the pages of a change, by calling {@link listPages} for each range of them. */
export type PageLister = (s: SpaceState) => void;

/**
 * Adds vpns `first..last` to the pages of the change being counted: called by
 * a {@link PageLister}. O(1) (the list of ranges grows by doubling).
 * @throws {OutOfMemoryError} when the engine refuses a longer list (nothing changed).
 */
export function listPages(first: number, last: number): void {
  if (listed === rangeFirst.length) {
    let f: Float64Array;
    let l: Float64Array;
    try {
      f = new Float64Array(listed * 2);
      l = new Float64Array(listed * 2);
    } catch (e) {
      throwRefused(e, listed * 32, "the list of a write's pages");
    }
    f.set(rangeFirst);
    l.set(rangeLast);
    rangeFirst = f;
    rangeLast = l;
  }
  rangeFirst[listed] = first;
  rangeLast[listed] = last;
  listed++;
}

/**
 * Makes the engine allocations that the write faults of a change may make:
 * the space's TLBs (the first write takes them), at most `frames` frames,
 * `nodes` page-table nodes and `keys` overflow-table keys (the caller's
 * bound), plus the room each fault checks for at its start
 * (FAULT_NODES_MAX nodes, PT_FANOUT keys). Nothing when the pool's tables
 * have that room now (the usual case: a few comparisons, no call). With a
 * `lister` (the change's pages are known), the frames are counted exactly
 * when the bound passes what the slabs hold unused by more than `uncounted`
 * (no slab is added that the writes do not need: a rewrite of private pages
 * needs none; the heap's few-page calls pass 16, a slab added early, as
 * before: counting at every call of a pool whose slabs were full cost a
 * malloc/free loop ~30% CPU), and when
 * the engine refuses the bound, the exact needs are readied instead (see the
 * module comment). O(1) when the tables have room; else the allocations,
 * and O(pages x levels) when counted.
 * @throws {OutOfMemoryError} when the engine refuses an allocation that the
 *   writes need (frames in use unchanged).
 */
export function readyFaults(
  s: SpaceState,
  frames: number,
  nodes: number,
  keys: number,
  lister: PageLister | null,
  uncounted = 0,
): void {
  const pool = s.pool;
  const pt = pool.pt;
  const table = pool.refOverflow;
  // The TLBs the first write takes (mmu.ts loadWrite): a change that discards first (a heap's
  // page release) would be refused at its first write, after the discard, when the engine refuses one.
  const tlb = s.rtlb;
  if (tlb === null || tlb.write === null) readyTlbs(s);
  if (
    frames <= pool.framesReady() &&
    nodes + FAULT_NODES_MAX <= pt.freeCount + pt.ref.length - pt.highWater &&
    keys + PT_FANOUT <= table.byteLength / 16 - table.size
  )
    return;
  readySlow(s, frames, nodes, keys, lister, uncounted);
}

/** {@link readyFaults} when the tables lack room for the bound: out of line. */
function readySlow(
  s: SpaceState,
  frames: number,
  nodes: number,
  keys: number,
  lister: PageLister | null,
  uncounted: number,
): void {
  let isCounted = false;
  if (lister !== null && frames > s.pool.framesUnused() + uncounted) {
    count(s, lister);
    isCounted = true;
    frames = counted.frames;
  }
  try {
    make(s, frames, nodes, keys);
  } catch (e) {
    // Refused: the bound may ask past what the faults take (and past what a change readied as a
    // whole holds for them). Ready what they take, exactly; refused again, that is the error.
    if (lister === null || !(e instanceof OutOfMemoryError)) throw e;
    if (!isCounted) count(s, lister);
    make(s, counted.frames, counted.nodes, counted.keys);
  }
}

/** Lists the change's pages with `lister`, then counts what their faults take into {@link counted}. */
function count(s: SpaceState, lister: PageLister): void {
  listed = 0;
  extraNodes = 0;
  extraKeys = 0;
  lister(s);
  countFaults(s);
  counted.nodes += extraNodes;
  counted.keys += extraKeys;
}

/** Makes room for `frames` frames, `nodes` nodes and `keys` keys, plus one fault's own room. */
function make(s: SpaceState, frames: number, nodes: number, keys: number): void {
  const pool = s.pool;
  pool.pt.ensureNodes(nodes + FAULT_NODES_MAX);
  pool.refOverflow.reserve(keys + PT_FANOUT);
  if (frames > pool.framesReady()) pool.prepareFrames(frames);
}

/** What the faults of the listed pages take, counted by {@link countFaults}. */
const counted = { frames: 0, nodes: 0, keys: 0 };

/** Sorts the listed ranges by their first vpn (insertion sort: a change lists a few). */
function sortRanges(): void {
  for (let i = 1; i < listed; i++) {
    const f = rangeFirst[i] as number;
    const l = rangeLast[i] as number;
    let j = i - 1;
    for (; j >= 0 && (rangeFirst[j] as number) > f; j--) {
      rangeFirst[j + 1] = rangeFirst[j] as number;
      rangeLast[j + 1] = rangeLast[j] as number;
    }
    rangeFirst[j + 1] = f;
    rangeLast[j + 1] = l;
  }
}

/**
 * Counts into {@link counted} what writes to the listed pages of `s` take
 * now, fault by fault as fault.ts would run them: a frame per page that
 * needs one (`needsFrame`), the nodes its tree grows by, every distinct node
 * a path copy copies or creates (a shared node, one under a node copied, an
 * absent one), and the overflow keys of the copied leaves (their frames at
 * 254 references). Reads only. O(pages x levels + ranges^2).
 */
function countFaults(s: SpaceState): void {
  sortRanges();
  const pool = s.pool;
  const pt = pool.pt;
  let top = 0;
  for (let r = 0; r < listed; r++) top = Math.max(top, rangeLast[r] as number);
  const grows = listed > 0 && !covers(s.levels, top);
  const levels = grows ? levelsFor(top) : s.levels; // the tree after growToCover
  let frames = 0;
  let copies = grows && s.root !== 0 ? levels - s.levels : 0; // the roots growToCover adds
  let keys = 0;
  // The last page visited: pages are visited in increasing order, each once. One that needs no
  // frame has a private path, so a node it shares with the next page is not copied either.
  let seen = -1;
  for (let r = 0; r < listed; r++) {
    const last = rangeLast[r] as number;
    for (let vpn = Math.max(rangeFirst[r] as number, seen + 1); vpn <= last; vpn++) {
      const prev = seen;
      seen = vpn;
      if (!pt.needsFrame(s.root, s.levels, vpn)) continue;
      frames++;
      const nodes = pt.nodes;
      const ref = pt.ref;
      let node = 0;
      let copying = false;
      for (let level = levels - 1; level >= 0; level--) {
        // The node at `level` on vpn's path: a root growToCover adds (private, counted above),
        // the old root, or the child its parent's entry names (0: none yet).
        const above = prefix(vpn, (level + 1) * PT_SHIFT);
        if (level >= s.levels) {
          if (above === 0 && s.root !== 0) continue; // an added root: its entry 0 holds the old root
          copying = true; // off the old root's subtree: every node down is new
        } else if (level === s.levels - 1) node = above === 0 ? s.root : 0;
        else if (node !== 0)
          node = nodes[(node << PT_SHIFT) + ((vpn >>> ((level + 1) * PT_SHIFT)) & PT_MASK)] as number;
        copying = copying || node === 0 || ref[node] !== 1;
        // Once per node: the pages under one node come one after another.
        if (!copying || (prev >= 0 && prefix(prev, (level + 1) * PT_SHIFT) === above)) continue;
        copies++;
        if (level === 0 && node !== 0) keys += keysOfLeaf(s, node);
      }
    }
  }
  counted.frames = frames;
  counted.nodes = copies;
  counted.keys = keys;
}

/** Frames of leaf `node` at 254 references: a copy of the leaf passes each to the overflow table. O(PT_FANOUT). */
function keysOfLeaf(s: SpaceState, node: number): number {
  const nodes = s.pool.pt.nodes;
  const rc = s.pool.refcount;
  let n = 0;
  for (let k = 0; k < PT_FANOUT; k++) {
    const pfn = nodes[(node << PT_SHIFT) + k] as number;
    if (pfn !== 0 && rc[pfn] === REF_MAX_INLINE) n++;
  }
  return n;
}

/** `vpn >>> shift`, 0 for a shift of 32 or more (above the largest tree's root). */
function prefix(vpn: number, shift: number): number {
  return shift >= 32 ? 0 : vpn >>> shift;
}
