/**
 * The reads that the views (view-collections.ts) and the drafts
 * (draft-map.ts, draft-set.ts) of maps and sets share: membership and the
 * stored slot of a key, on the collection's handle. The classes extend
 * different natives (Map, Set) and wrap what they read differently (a view
 * or a draft), so they share these functions rather than a base class.
 *
 * @module
 */

import { forEachOtherKey, getSetRecord, otherHas } from "@pagefork/map";
import { isValidKey } from "./check.js";
import type { MapHandle, SetHandle } from "./containers.js";
import type { AnyType } from "./schema.js";
import { encodeKey } from "./slots.js";

/**
 * True when `key` is in the map or set behind handle `h` (null: never
 * allocated, empty), `kt` being its key (element) type; a key that cannot
 * be one of `kt` is not there. O(1) expected.
 */
export function handleHas(h: MapHandle | SetHandle | null, kt: AnyType, key: unknown): boolean {
  return h !== null && isValidKey(kt, key) && h.has(encodeKey(kt, key));
}

/**
 * The stored slot (before decoding) of `key` in the map behind handle `h`,
 * or undefined when it is not there (or cannot be a key of type `kt`).
 * O(1) expected.
 */
export function storedSlot(h: MapHandle | null, kt: AnyType, key: unknown): unknown {
  if (h === null || !isValidKey(kt, key)) return undefined;
  return h.get(encodeKey(kt, key));
}

// ---------------------------------------------------------------- ES2025 Set methods

/**
 * The seven ES2025 Set methods (ECMA-262 24.2.4: `union`, `intersection`,
 * `difference`, `symmetricDifference`, `isSubsetOf`, `isSupersetOf`,
 * `isDisjointFrom`) over `self`, the receiver's elements read once into a
 * native Set. They are defined on the map/set views and drafts because those
 * extend the native Set with empty internal slots: the inherited native
 * methods (Node 22 and later) would read an empty [[SetData]] and answer
 * wrongly without a word. Results are native Sets, as the native methods'
 * are; `other` is any set-like (`size`, `has`, `keys`), read in the spec's
 * order, with @pagefork/map's set-like helpers (GetSetRecord and the walk
 * of `other.keys()`, which closes the iterator when a step throws), errors
 * naming the method as the native's do ("Set.prototype.union: ...").
 * One difference from the spec: `other`'s callbacks that change the
 * receiver (a draft) are not seen by the walk of its elements, which works
 * on the copy. O(|self| + |other|).
 */
export const SET_METHODS = {
  union(self: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other, "Set.prototype.union");
    const out = new Set(self);
    forEachOtherKey(rec, "Set.prototype.union", (v) => {
      out.add(v);
      return true;
    });
    return out;
  },
  intersection(self: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other, "Set.prototype.intersection");
    const out = new Set<unknown>();
    if (self.size <= rec.size) {
      for (const e of self) if (otherHas(rec, e)) out.add(e);
    } else
      forEachOtherKey(rec, "Set.prototype.intersection", (v) => {
        if (self.has(v)) out.add(v);
        return true;
      });
    return out;
  },
  difference(self: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other, "Set.prototype.difference");
    const out = new Set(self);
    if (self.size <= rec.size) {
      for (const e of self) if (otherHas(rec, e)) out.delete(e);
    } else
      forEachOtherKey(rec, "Set.prototype.difference", (v) => {
        out.delete(v);
        return true;
      });
    return out;
  },
  symmetricDifference(self: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other, "Set.prototype.symmetricDifference");
    const out = new Set(self);
    forEachOtherKey(rec, "Set.prototype.symmetricDifference", (v) => {
      if (self.has(v)) out.delete(v);
      else out.add(v);
      return true;
    });
    return out;
  },
  isSubsetOf(self: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other, "Set.prototype.isSubsetOf");
    if (self.size > rec.size) return false;
    for (const e of self) if (!otherHas(rec, e)) return false;
    return true;
  },
  isSupersetOf(self: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other, "Set.prototype.isSupersetOf");
    if (self.size < rec.size) return false;
    return forEachOtherKey(rec, "Set.prototype.isSupersetOf", (v) => self.has(v));
  },
  isDisjointFrom(self: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other, "Set.prototype.isDisjointFrom");
    if (self.size <= rec.size) {
      for (const e of self) if (otherHas(rec, e)) return false;
      return true;
    }
    return forEachOtherKey(rec, "Set.prototype.isDisjointFrom", (v) => !self.has(v));
  },
};

/**
 * Puts {@link SET_METHODS} on `proto` (a set view's or draft's prototype) as
 * methods of the native's shape (length 1, not enumerable), each reading
 * the receiver's elements with `values()`.
 */
export function defineSetMethods(proto: { values(): Iterable<unknown> }): void {
  for (const name of Object.keys(SET_METHODS) as (keyof typeof SET_METHODS)[]) {
    const impl = SET_METHODS[name] as (self: Set<unknown>, other: unknown) => unknown;
    const method = {
      [name](this: { values(): Iterable<unknown> }, other: unknown): unknown {
        return impl(new Set(this.values()), other);
      },
    }[name] as (other: unknown) => unknown;
    Object.defineProperty(proto, name, { value: method, writable: true, enumerable: false, configurable: true });
  }
}
