/**
 * Errors of sharing versions with other threads (share.ts, attach.ts). Each
 * carries a stable `code`, and `instanceof` works across copies of the
 * package as for the other error classes (see brand.ts).
 *
 * @module
 */
import { brandErrorClass } from "./brand.js";

/**
 * Shared memory is not available where it was asked for: `new FramePool({
 * shared: true })` where `SharedArrayBuffer` is missing (a browser page
 * that is not cross-origin isolated: serve it with
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`), or `share()` on a version
 * whose pool is not shared. `transferCopy()` is the fallback that works
 * everywhere (it copies the pages).
 *
 * @example
 * ```ts
 * const plain = new AddressSpace({ size: 4096 });
 * let caught: unknown;
 * try { plain.share(); } catch (e) { caught = e; }
 * caught instanceof SharingUnavailableError; // true
 * plain.release();
 * ```
 */
export class SharingUnavailableError extends Error {
  /** Stable error code. */
  readonly code = "ERR_SHARING_UNAVAILABLE";
  constructor(why: string) {
    super(`cannot share memory with other threads: ${why}`);
    this.name = "SharingUnavailableError";
  }
}
// `instanceof SharingUnavailableError` also holds for one thrown by another copy of @pagefork/core (its ESM and CJS builds, say).
brandErrorClass(SharingUnavailableError, "ERR_SHARING_UNAVAILABLE");

/** Why a handle was refused (see {@link InvalidHandleError}). */
export type InvalidHandleReason = "forged" | "foreign" | "released" | "attached" | "type";

/**
 * A handle from `share()` that cannot be used:
 * - `"forged"`: not a handle, or one whose fields were changed or whose
 *   SharedArrayBuffers were swapped for others (each carries its pool's
 *   fingerprint, checked by `attach`);
 * - `"foreign"`: made by another pool than the one asked (`pool.unshare`);
 * - `"released"`: already released (by its holder, by `unshare`, or because
 *   the worker it was given to exited);
 * - `"attached"`: already attached (a handle is attached once; call
 *   `share()` again for another worker, O(1));
 * - `"type"`: a handle of another structure (a CowText handle given to
 *   `CowFloat64Array.attachShared`, say).
 * The call that throws it has changed nothing.
 *
 * @example
 * ```ts
 * let caught: unknown;
 * try { AddressSpace.attach({ format: "nonsense" } as never); } catch (e) { caught = e; }
 * caught instanceof InvalidHandleError; // true
 * (caught as InvalidHandleError).reason; // "forged"
 * ```
 */
export class InvalidHandleError extends TypeError {
  /** Stable error code. */
  readonly code = "ERR_INVALID_HANDLE";
  /** Why the handle was refused. */
  readonly reason: InvalidHandleReason;
  constructor(reason: InvalidHandleReason, why: string) {
    super(`invalid shared handle (${reason}): ${why}`);
    this.name = "InvalidHandleError";
    this.reason = reason;
  }
}
// `instanceof InvalidHandleError` also holds for one thrown by another copy of @pagefork/core (its ESM and CJS builds, say).
brandErrorClass(InvalidHandleError, "ERR_INVALID_HANDLE");

/** @internal */
export function throwSharingUnavailable(why: string): never {
  throw new SharingUnavailableError(why);
}

/** @internal */
export function throwInvalidHandle(reason: InvalidHandleReason, why: string): never {
  throw new InvalidHandleError(reason, why);
}
