/**
 * Overcommit policy and the out-of-memory hook's event, after Linux's
 * `vm.overcommit_memory` (Documentation/mm/overcommit-accounting.rst).
 *
 * @module
 */
import { takeBackCharge } from "./commit-charge.js";
import { throwInvalid } from "./errors.js";
import type { FramePool } from "./frame-pool.js";
import type { SpaceState } from "./space-state.js";

/**
 * What a pool promises against its `maxBytes`:
 *
 * - `"never"` (Linux mode 2, strict accounting): every space is charged the
 *   bytes it maps, at creation, `map` and fork, as if each mapped page could
 *   be written privately. A charge that would pass `maxBytes` is refused with
 *   {@link OutOfMemoryError}, so a fault can never run out of frames. The price:
 *   sparse spaces are charged their virtual size, and N forks of an S-byte
 *   space need N x S of limit.
 * - `"heuristic"` (Linux mode 0): refuse only an obvious overcommit. New spaces and `map` are never refused (virtual size costs
 *   nothing until written); a fork is refused when every frame of the pool is
 *   already in use (after the out-of-memory hook had its chance), since then
 *   the first write on either side could not be served. Faults past the limit
 *   throw.
 * - `"always"` (Linux mode 1, and the default here): nothing is refused up
 *   front; a fault that needs a frame past `maxBytes` throws
 *   {@link OutOfMemoryError} (after the hook). It is the default because the
 *   common budgeted use, an undo history whose `onOutOfMemory` hook drops
 *   old versions, wants forks to succeed and faults to reclaim. (Linux's
 *   default is mode 0; its rule, refusing one request larger than all memory,
 *   would refuse this library's sparse 2^40-byte spaces outright.)
 *
 * The commit charge is counted under every policy and reported by
 * `pool.stats().committedBytes`.
 */
export type Overcommit = "never" | "heuristic" | "always";

/** What the `onOutOfMemory` hook of a {@link FramePool} is told. */
export interface OutOfMemoryEvent {
  /** `"fault"`: frames were needed for writes; `"commit"`: a fork, new space or map was charged. */
  readonly kind: "fault" | "commit";
  /** Bytes the refused operation asked for (frames for a fault, charge for a commit). */
  readonly requestedBytes: number;
  /** The pool that ran out. */
  readonly pool: FramePool;
}

/** Validates an overcommit option. */
export function overcommitOf(v: unknown): Overcommit {
  if (v === undefined) return "always";
  if (v === "never" || v === "heuristic" || v === "always") return v;
  return throwInvalid("overcommit", v, '"never", "heuristic" or "always"');
}

/**
 * Settles fork()'s commit charge when the charge's out-of-memory hook
 * changed the mappings of the space being forked: `charged` bytes were
 * taken for what it mapped before the hook ran; the child is charged what it
 * maps now, and any increase is checked against the policy like the first
 * charge (adding it unchecked let the charge pass `maxBytes` under
 * `"never"`). Loops while hooks run by that check change the mappings again.
 * On a refusal (or a {@link ReleasedError} when a hook released `space`) the
 * fork's whole charge is taken back. Out of line: fork() calls it only when
 * the mappings changed.
 * @throws {OutOfMemoryError} when the policy refuses the increase.
 * @internal
 */
export function settleForkCharge(pool: FramePool, space: SpaceState, charged: number): void {
  // The hook ran in the first charge (only it changes the mappings meanwhile):
  // the peak before that charge, restored on a refusal (the increase's own
  // hook run would keep another).
  const peak = pool.commit[2] as number;
  let c = charged;
  try {
    for (let now = space.maps.bytes; now !== c; now = space.maps.bytes) {
      if (now < c) pool.uncharge(c - now);
      else pool.charge(now - c, true, space);
      c = now;
    }
  } catch (e) {
    takeBackCharge(pool, c, peak);
    throw e;
  }
}
