/**
 * The pool's commit charge and out-of-memory hook, on their refusing side:
 * the policy test (`"never"`, `"heuristic"`; `"always"` never refuses), the
 * hook's one chance to release spaces, and the OutOfMemoryError when that
 * was not enough. `FramePool.charge` and `FramePool.requireFrames` keep
 * their O(1) accepting path inline (fork() charges once per call) and call
 * here when the charge or the frames would be refused.
 *
 * @module
 */
import { OutOfMemoryError, throwOom, throwReleased } from "./errors.js";
import type { FramePool } from "./frame-pool.js";
import type { OutOfMemoryEvent } from "./overcommit.js";
import type { SpaceState } from "./space-state.js";

/** True when `pool`'s policy refuses a charge of `bytes` now. @internal */
export function refusesCharge(pool: FramePool, bytes: number, isFork: boolean): boolean {
  if (pool.overcommit === "never") return (pool.commit[0] as number) + bytes > pool.maxBytes;
  return isFork && pool.inUse >= pool.maxFrames;
}

/**
 * Runs the out-of-memory hook once, unless it is already running. True if it
 * ran. The one place that re-checks, after the hook, that the space asking
 * (if any) survived it: every caller then stops before changing anything.
 */
function reclaim(
  pool: FramePool,
  requestedBytes: number,
  kind: OutOfMemoryEvent["kind"],
  space: SpaceState | undefined,
): boolean {
  if (pool.onOom === null || pool.inOomHook) return false;
  pool.inOomHook = true;
  try {
    pool.onOom({ kind, requestedBytes, pool }); // called on the pool, as the hook always was
  } catch (e) {
    throw new OutOfMemoryError(requestedBytes, `the onOutOfMemory hook threw: ${String(e)}`, { cause: e });
  } finally {
    pool.inOomHook = false;
  }
  if (space?.isReleased) throwReleased("address space");
  return true;
}

/**
 * `pool.charge` when the policy refuses `bytes`: gives the hook its one
 * chance, and throws unless the policy accepts the charge afterwards (the
 * caller then adds it). Charges nothing itself.
 * @throws {OutOfMemoryError} when the policy still refuses, or the hook threw.
 * @throws {ReleasedError} when the hook released `space`.
 * @internal
 */
export function chargeRefused(pool: FramePool, bytes: number, isFork: boolean, space: SpaceState | undefined): void {
  if (!reclaim(pool, bytes, "commit", space) || refusesCharge(pool, bytes, isFork))
    throwOom(
      bytes,
      pool.overcommit === "never"
        ? `commit limit: ${pool.commit[0]} of maxBytes=${pool.maxBytes} bytes already committed (overcommit "never")`
        : `every frame is in use (maxBytes=${pool.maxBytes}); a fork now is an obvious overcommit (overcommit "heuristic")`,
    );
  // The hook made room: the caller adds the charge now, but the hook may have
  // changed what the call depends on (the mappings, the registry), so the call
  // may still be refused. Keep the peak as it is before the charge for that.
  pool.commit[2] = pool.commit[1] as number;
}

/**
 * Takes back `bytes` charged by a call that is refused after its charge,
 * which happens only when the charge's out-of-memory hook ran and changed
 * what the call depends on (the space's mappings, the registry's slots):
 * uncharges them and restores the peak (`peakCommittedBytes`) to what it was
 * before the charge, `peak` (default: the peak chargeRefused kept), so that
 * the refused call changes nothing. O(1).
 * @internal
 */
export function takeBackCharge(pool: FramePool, bytes: number, peak: number = pool.commit[2] as number): void {
  pool.uncharge(bytes);
  const c = pool.commit;
  c[1] = Math.max(peak, c[0] as number);
}

/**
 * `pool.requireFrames` when fewer than `n` frames are available: sweeps
 * released share pins, then gives the hook its one chance, and throws
 * unless `n` frames are available afterwards.
 * @throws {OutOfMemoryError} when the frames cannot be had, or the hook threw.
 * @throws {ReleasedError} when the hook released `space`.
 * @internal
 */
export function requireFramesSlow(pool: FramePool, n: number, space: SpaceState | undefined): void {
  // Versions whose handles every holder released may still be pinned until swept.
  if (pool.shares?.sweep() && n <= pool.framesAvailable()) return;
  if (reclaim(pool, n * pool.pageSize, "fault", space) && n <= pool.framesAvailable()) return;
  throwOom(
    n * pool.pageSize,
    `pool limit maxBytes=${pool.maxBytes} reached (${pool.inUse} frames of ${pool.pageSize} B in use)`,
  );
}
