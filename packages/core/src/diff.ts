/**
 * `space.diff(other)`: the pages whose contents differ between two spaces of
 * one pool, found by walking both page tables at once and skipping every
 * subtree the two share (same node index), so the cost follows what changed,
 * not the size of the spaces. It is what an incremental save, an undo delta or
 * a replication log needs. The same idea makes `git diff` of two trees and
 * rsync-like Merkle comparisons cheap; here the "hash" is the node identity
 * that path copying preserves.
 *
 * @module
 */
import { PT_FANOUT } from "./constants.js";
import { throwInvalid, throwReleased } from "./errors.js";
import type { FramePool } from "./frame-pool.js";
import type { SpaceState } from "./space-state.js";

/** Options of {@link AddressSpace.diff}. */
export interface DiffOptions {
  /**
   * `"bytes"` (default): pages whose frames differ are compared byte by byte
   * and reported only if their contents differ (a page copied and then written
   * back to its old bytes is not reported). `"frames"`: report every page
   * whose frame differs, without reading it: O(1) per changed page.
   */
  compare?: "bytes" | "frames";
}

/** Stands for a node above a tree's real root: entry 0 leads down, the rest are 0. */
const VIRTUAL = -1;

/** One side of the walk. */
interface Side {
  root: number;
  /** Level of the real root (levels - 1). */
  top: number;
}

/** Entry `i` of `node` at `level` in `side`'s tree. */
function child(pool: FramePool, side: Side, node: number, level: number, i: number): number {
  if (node !== VIRTUAL) return pool.pt.entry(node, i);
  if (i !== 0) return 0;
  return level - 1 > side.top ? VIRTUAL : side.root;
}

/** Do frames `p` and `q` hold the same bytes? */
function sameBytes(pool: FramePool, p: number, q: number): boolean {
  const a = pool.slabOf(p).i32;
  const b = pool.slabOf(q).i32;
  const x = pool.frameByte(p) >>> 2;
  const y = pool.frameByte(q) >>> 2;
  const n = pool.pageSize >>> 2;
  for (let i = 0; i < n; i++) if (a[x + i] !== b[y + i]) return false;
  return true;
}

/**
 * Byte addresses of the pages of `a` and `b` that differ, ascending. O(page-table
 * nodes on the paths to changed pages x fanout), plus O(pageSize) per page whose
 * frame differs when comparing bytes.
 * @internal
 */
export function diffSpaces(a: SpaceState, b: unknown, options: DiffOptions | undefined): number[] {
  if (a.isReleased) throwReleased("address space");
  if (b === null || typeof b !== "object" || !("pool" in b) || (b as SpaceState).pool !== a.pool)
    throwInvalid("other", b, "an AddressSpace of the same pool");
  const other = b as SpaceState;
  if (other.isReleased) throwReleased("address space");
  const compare = options?.compare ?? "bytes";
  if (compare !== "bytes" && compare !== "frames") throwInvalid("compare", compare, '"bytes" or "frames"');
  const pool = a.pool;
  const sa: Side = { root: a.root, top: a.levels - 1 };
  const sb: Side = { root: other.root, top: other.levels - 1 };
  const top = Math.max(sa.top, sb.top);
  const out: number[] = [];
  const walk = (na: number, nb: number, level: number, base: number): void => {
    for (let i = 0; i < PT_FANOUT; i++) {
      const ca = child(pool, sa, na, level, i);
      const cb = child(pool, sb, nb, level, i);
      if (ca === cb && ca !== VIRTUAL) continue; // shared subtree, shared frame, or both zero
      const vpn = base * PT_FANOUT + i;
      if (level > 0) walk(ca, cb, level - 1, vpn);
      else if (compare === "frames" || !sameBytes(pool, ca, cb)) out.push(vpn * pool.pageSize);
    }
  };
  const ra = sa.top === top ? sa.root : VIRTUAL;
  const rb = sb.top === top ? sb.root : VIRTUAL;
  if (ra !== rb || ra === VIRTUAL) walk(ra, rb, top, 0);
  return out;
}
