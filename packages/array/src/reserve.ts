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
 *
 * @module
 */
import { type AddressSpace, ProtectionFault, ReleasedError } from "@pagefork/core";
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
  if (pool.maxBytes === Number.POSITIVE_INFINITY) return;
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
  if (upper <= pool.framesAvailable()) return; // cannot fail
  let need = extra;
  for (let i = 0; i < m; i++)
    need += space.framesNeeded((lo[i] as number) * ps, ((hi[i] as number) - (lo[i] as number)) * ps);
  requireFrames(view, need);
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

/**
 * Throws OutOfMemoryError unless the pool can supply `n` frames now (after
 * the out-of-memory hook's one chance), then ReleasedError if the hook
 * released the view or its space.
 */
export function requireFrames(view: ElementView, n: number): void {
  const space = view.space;
  if (n <= 0 || n <= space.pool.framesAvailable()) return;
  space.reserveFrames(n); // the core's one check: the hook may release the space (ReleasedError)
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

/** Throws the ProtectionFault of a write to a frozen space. */
export function throwFrozen(a: number, b: number): never {
  throw new ProtectionFault(a, Math.max(b - a, 1), "the address space is frozen");
}
