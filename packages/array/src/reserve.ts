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
 * check them at once (`pool.requireFrames`, which gives the out-of-memory hook
 * one chance), and only then writes. Each page needs at most one frame however
 * often the operation writes it, so the later writes' own checks then pass.
 *
 * The hook may release spaces, this array's own among them: after it ran, an
 * operation on a released array throws {@link ReleasedError} before it writes.
 *
 * @module
 */
import { type AddressSpace, ReleasedError } from "@pagefork/core";
import type { ElementView } from "./view.js";

/**
 * Throws OutOfMemoryError unless the pool can supply every frame that writes
 * to bytes `[a0, b0)` and `[a1, b1)` of `view`'s space would take, plus
 * `extra` frames (the upper bound of heap calls the operation makes). Empty
 * ranges (`b <= a`) count nothing; a page in both ranges counts once. O(1)
 * without a limit or with frames to spare, else O(pages x page-table levels).
 * Changes nothing, except what the out-of-memory hook does.
 * @throws {ReleasedError} when the hook released the view or its space.
 */
export function reserveWrites(view: ElementView, a0: number, b0: number, a1 = 0, b1 = 0, extra = 0): void {
  const space = view.space;
  const pool = space.pool;
  if (pool.maxBytes === Number.POSITIVE_INFINITY) return;
  const ps = pool.pageSize;
  // Page ranges [p, q) of the two byte ranges, merged when they overlap.
  let p0 = 0;
  let q0 = 0;
  let p1 = 0;
  let q1 = 0;
  if (b0 > a0) {
    p0 = Math.floor(a0 / ps);
    q0 = Math.floor((b0 - 1) / ps) + 1;
  }
  if (b1 > a1) {
    p1 = Math.floor(a1 / ps);
    q1 = Math.floor((b1 - 1) / ps) + 1;
    if (q0 > p0 && p1 < q0 && p0 < q1) {
      p0 = Math.min(p0, p1);
      q0 = Math.max(q0, q1);
      q1 = p1;
    }
  }
  const upper = q0 - p0 + (q1 - p1) + extra;
  if (upper <= pool.framesAvailable()) return; // cannot fail
  let need = extra;
  if (q0 > p0) need += space.framesNeeded(p0 * ps, (q0 - p0) * ps);
  if (q1 > p1) need += space.framesNeeded(p1 * ps, (q1 - p1) * ps);
  requireFrames(view, need);
}

/**
 * Throws OutOfMemoryError unless the pool can supply `n` frames now (after
 * the out-of-memory hook's one chance), then ReleasedError if the hook
 * released the view or its space.
 */
export function requireFrames(view: ElementView, n: number): void {
  const space = view.space;
  if (n <= 0 || n <= space.pool.framesAvailable()) return;
  space.pool.requireFrames(n);
  checkLive(view);
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
