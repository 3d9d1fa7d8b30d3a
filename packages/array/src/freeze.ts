/**
 * `freeze()` of the COW arrays and vectors: a standalone array owns its
 * address space, so freezing the array freezes that space (the core's
 * `AddressSpace.freeze`), and from then on every write the array makes
 * reaches the core's write fault, which refuses it with
 * {@link ProtectionFault} before anything changes. No per-call check is
 * added to the element writes: the space's frozen bit is the one the core
 * already tests on a write-TLB miss (a freeze flushes the write TLB). The
 * one write that touches no page, a standalone vector's length change (a
 * `pop`, a `resize` down), tests the bit itself (vector-storage.ts
 * `setLength`).
 *
 * An embedded array (in a heap the embedder owns) shares its space with
 * every other structure in that heap: freezing it alone is impossible, and
 * freezing the whole space in its name would surprise the embedder, so it
 * is refused; the embedder freezes the space (`space.freeze()`), which
 * freezes every structure in it.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import { EMBEDDING, type ViewOwner } from "./space-owner.js";

/** What freeze reads of an array. */
interface Freezable {
  readonly owner: ViewOwner;
  readonly space: { freeze(): void };
  check(): void;
}

/**
 * Freezes the space of the standalone array `a` (shared with its subarrays
 * and the array they came from). Idempotent. O(1).
 * @throws {ReleasedError} after `release()`.
 * @throws {InvalidArgumentError} for an embedded array: nothing changes.
 * @internal
 */
export function freezeArray(a: Freezable, name: string): void {
  a.check();
  if (a.owner[EMBEDDING] !== null)
    throw new InvalidArgumentError(
      "this",
      `${name} embedded in a heap`,
      "a standalone array for freeze(): an embedded one shares its heap's space with the embedder's other structures, so freeze that space (space.freeze(), which freezes all of them) instead",
    );
  a.space.freeze();
}
