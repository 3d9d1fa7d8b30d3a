/**
 * `freeze()` of CowMap and CowSet: a standalone collection owns its address
 * space, so freezing it freezes that space (the core's
 * `AddressSpace.freeze`). Its writes are then refused with
 * {@link ProtectionFault} before they change anything: every map and set
 * write reserves its frames first (reserve.ts `reserveFrames`), and that
 * one call tests the space's frozen bit, before the write touches the
 * table's counters (which live in the handle, outside the pages: a refused
 * first insert had set the bucket mask, a refused update of a stored object
 * had counted its old copy as dead). A `clear()` of a standalone table
 * reserves nothing: its `discard` is refused by the core, and a `clear()`
 * of an empty frozen table returns before it (writes.ts `clear`).
 *
 * An embedded collection (in a heap the embedder owns) shares its space with
 * every other structure in that heap: freezing it is refused; the embedder
 * freezes the space (`space.freeze()`), which freezes all of them.
 *
 * @module
 */
import { InvalidArgumentError, ProtectionFault } from "@pagefork/core";
import type { Table } from "./table.js";

/**
 * Freezes the space of the standalone table `t` of `self` (a CowMap when
 * `what` is "map", else a CowSet). Idempotent. O(1).
 * @throws {ReleasedError} after `release()`.
 * @throws {InvalidArgumentError} for an embedded table: nothing changes.
 * @internal
 */
export function freezeTable(t: Table, self: object, what: "map" | "set"): void {
  t.check(what);
  if (t.heap !== null)
    throw new InvalidArgumentError(
      "this",
      self,
      `a standalone ${what === "map" ? "CowMap" : "CowSet"} for freeze(): an embedded one shares its heap's space with the embedder's other structures, so freeze that space (space.freeze(), which freezes all of them) instead`,
    );
  t.space.freeze();
}

/**
 * The ProtectionFault of a map or set write in a frozen space, thrown by its
 * reservation before anything changed. The write's pages are not listed
 * then; `address` is the first page of the space and `length` the bytes of
 * the frames the write reserved (the core refuses every page of a frozen
 * space alike).
 * @internal
 */
export function throwFrozenTable(frames: number, pageSize: number): never {
  throw new ProtectionFault(0, Math.max(frames, 1) * pageSize, "the address space is frozen");
}
