/**
 * Proportional set size (PSS) of every live space of a pool, computed for all
 * of them at once so that the shares add up exactly.
 *
 * PSS splits each node of the page-table DAG, and each frame, equally among
 * the references to it (see stats.ts). Computed one space at a time in
 * floating point, a frame shared three or six ways gives shares like
 * `256 / 6`, and six such doubles may add up to `256.00000000000003`: no rule
 * that gives equal sharers equal doubles can make every sum exact. So the
 * census works in integer units of `2 ** -g` bytes, `g` the largest with
 * `bytesInUse * 2 ** g <= 2 ** 52`, bottom up: a frame is worth
 * `pageSize * 2 ** g` units, a node the sum of the shares its entries claim,
 * and a value `v` split `r` ways gives `floor(v / r)` to each claimant plus
 * one unit to the first `v % r` (claims are taken in one fixed walk: slots in
 * order, each subtree once). Every share is then an exact double, every sum of
 * shares (at most `bytesInUse`) is exact in any order, and the shares of all
 * live spaces add up to `pool.bytesInUse` exactly. A share differs from the
 * real fraction by less than one unit per shared node on the space's paths.
 *
 * The census costs O(page-table nodes and frame capacity of the pool) and is
 * cached until the page tables change (`PageTable.epoch`): `History.stats()`
 * asking every version pays for one census, not one per version. It needs
 * 12 bytes per page-table node and 1 byte per frame of capacity while it
 * runs, and keeps only its result (8 bytes per live space).
 *
 * @module
 */

import { PT_FANOUT, REF_MAX_INLINE } from "./constants.js";
import type { FramePool } from "./frame-pool.js";
import type { SpaceState } from "./space-state.js";

/** Bits of the largest unit count: 2^52 keeps every integer and every sum of shares exact in a double. */
const UNIT_BITS = 52;

/** The share of value `v` (integer units) that the `k`-th of `r` claimants gets. */
function share(v: number, r: number, k: number): number {
  let q = Math.floor(v / r);
  if (q * r > v) q--; // v / r may round up to the next integer near 2^52
  return k < v - q * r ? q + 1 : q;
}

/** One census of a pool: its result is kept until the pool's epoch moves on; its scratch arrays are not. */
class Census {
  /** `pool.pt.epoch` when computed; -1: never. */
  epoch = -1;
  /** PSS in bytes of the space in each registry slot. */
  bySlot = new Float64Array(0);
  /** Value of each page-table node in units; -1 until computed in this census. */
  private nodeValue = new Float64Array(0);
  /** Claims taken so far on each node. */
  private nodeClaims = new Int32Array(0);
  /**
   * Claims taken so far on each shared frame: a byte, as the refcounts (a
   * claim index is below the refcount); frames counted past REF_MAX_INLINE
   * keep theirs in `overflowClaims`.
   */
  private frameClaims = new Uint8Array(0);
  private readonly overflowClaims = new Map<number, number>();
  private frameUnits = 0;
  /**
   * An attached version's view pool (attach.ts): nodes and frames below
   * these were adopted from the owner's pool, whose memory they are (it
   * counts them in its own census); here they count 0, so the PSS of the
   * pool's live spaces still adds up to its `bytesInUse`. Both 0 otherwise.
   */
  private adoptedNodes = 0;
  private adoptedFrames = 0;

  run(pool: FramePool): void {
    const pt = pool.pt;
    const reg = pool.spaces;
    // Scratch for this run only: a pool keeps no census memory between runs
    // but the result (8 bytes per registry slot).
    // Every node of a tree is below the arena's high-water mark, which may be far below its capacity.
    this.nodeValue = new Float64Array(pt.highWater).fill(-1);
    this.nodeClaims = new Int32Array(pt.highWater);
    this.frameClaims = new Uint8Array(pool.refcount.length);
    if (this.bySlot.length < reg.roots.length) this.bySlot = new Float64Array(reg.roots.length);

    const bytes = pool.bytesInUse;
    let g = 0;
    if (bytes > 0) while (g < UNIT_BITS && bytes * 2 ** (g + 1) <= 2 ** UNIT_BITS) g++;
    const unit = 2 ** -g;
    this.frameUnits = pool.pageSize * 2 ** g;
    const a = pool.attachment;
    this.adoptedNodes = a === null ? 0 : a.nodeCount;
    this.adoptedFrames = a === null ? 0 : pool.freeBase;

    for (let slot = 0; slot < reg.next; slot++) {
      if (reg.used[slot] === 0) continue;
      const root = reg.roots[slot] as number;
      if (root < this.adoptedNodes || root === 0) {
        this.bySlot[slot] = 0;
        continue;
      }
      const v = this.valueOf(pool, root, (reg.levels[slot] as number) - 1);
      this.bySlot[slot] = share(v, pt.ref[root] as number, this.nodeClaims[root]++) * unit;
    }
    this.epoch = pt.epoch;
    this.nodeValue = new Float64Array(0);
    this.nodeClaims = new Int32Array(0);
    this.frameClaims = new Uint8Array(0);
    this.overflowClaims.clear();
  }

  /** Units of node `n` at `level`: the shares its entries claim, computed once per census. */
  private valueOf(pool: FramePool, n: number, level: number): number {
    let v = this.nodeValue[n] as number;
    if (v >= 0) return v;
    v = 0;
    const pt = pool.pt;
    for (let i = 0; i < PT_FANOUT; i++) {
      const e = pt.entry(n, i);
      if (e === 0) continue;
      if (level === 0) {
        if (e >= this.adoptedFrames) v += this.frameShare(pool, e);
      } else if (e >= this.adoptedNodes)
        v += share(this.valueOf(pool, e, level - 1), pt.ref[e] as number, this.nodeClaims[e]++);
    }
    this.nodeValue[n] = v;
    return v;
  }

  /** The share of frame `pfn` that its next leaf reference claims. */
  private frameShare(pool: FramePool, pfn: number): number {
    const rc = pool.frameRefcount(pfn);
    if (rc === 1) return this.frameUnits;
    let k: number;
    if (rc <= REF_MAX_INLINE) k = this.frameClaims[pfn]++ as number;
    else {
      k = this.overflowClaims.get(pfn) ?? 0;
      this.overflowClaims.set(pfn, k + 1);
    }
    return share(this.frameUnits, rc, k);
  }
}

const censuses = new WeakMap<FramePool, Census>();

/**
 * PSS of `space` in bytes from its pool's census (recomputed first if the
 * page tables changed since), or -1 when the space has no registry slot (past
 * 2^26 live spaces), whose PSS the caller computes alone.
 */
export function censusPss(space: SpaceState): number {
  if (space.slot < 0) return -1;
  const pool = space.pool;
  let c = censuses.get(pool);
  if (c === undefined) {
    c = new Census();
    censuses.set(pool, c);
  }
  if (c.epoch !== pool.pt.epoch) c.run(pool);
  return c.bySlot[space.slot] as number;
}
