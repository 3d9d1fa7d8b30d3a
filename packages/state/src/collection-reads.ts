/**
 * The reads that the views (view-collections.ts) and the drafts
 * (draft-map.ts, draft-set.ts) of maps and sets share: membership and the
 * stored slot of a key, on the collection's handle. The classes extend
 * different natives (Map, Set) and wrap what they read differently (a view
 * or a draft), so they share these functions rather than a base class.
 *
 * @module
 */

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

/** GetSetRecord(other): its `size` (an integer or Infinity), `has` and `keys`. */
interface SetRecord {
  readonly set: object;
  readonly size: number;
  readonly has: (this: unknown, v: unknown) => unknown;
  readonly keys: (this: unknown) => unknown;
}

function getSetRecord(other: unknown, method: string): SetRecord {
  if (other === null || (typeof other !== "object" && typeof other !== "function"))
    throw new TypeError(`Set.prototype.${method}: the argument must be a set-like object`);
  const o = other as { size: unknown; has: unknown; keys: unknown };
  const num = +(o.size as number); // ToNumber: throws for a symbol or a bigint, as the spec's does
  if (Number.isNaN(num)) throw new TypeError(`Set.prototype.${method}: the argument's size is not a number`);
  const size = Number.isFinite(num) ? Math.trunc(num) : num;
  if (size < 0) throw new RangeError(`Set.prototype.${method}: the argument's size is negative`);
  const has = o.has;
  if (typeof has !== "function") throw new TypeError(`Set.prototype.${method}: the argument's has is not a function`);
  const keys = o.keys;
  if (typeof keys !== "function") throw new TypeError(`Set.prototype.${method}: the argument's keys is not a function`);
  return { set: o, size, has: has as SetRecord["has"], keys: keys as SetRecord["keys"] };
}

/**
 * Walks `rec.keys()` (its `next` read once; `done` and `value` read once
 * per step; -0 made +0) until `visit` returns false, which closes the
 * iterator (IteratorClose: its `return`, whose result must be an object).
 * @returns false when `visit` stopped the walk.
 */
function eachKey(rec: SetRecord, method: string, visit: (v: unknown) => boolean): boolean {
  const it = rec.keys.call(rec.set) as Iterator<unknown>;
  if (it === null || (typeof it !== "object" && typeof it !== "function"))
    throw new TypeError(`Set.prototype.${method}: the argument's keys() did not return an object`);
  const next = it.next;
  if (typeof next !== "function") throw new TypeError(`Set.prototype.${method}: the argument's iterator has no next()`);
  for (;;) {
    const r = next.call(it) as IteratorResult<unknown>;
    if (r === null || (typeof r !== "object" && typeof r !== "function"))
      throw new TypeError(`Set.prototype.${method}: the iterator result is not an object`);
    if (r.done) return true;
    const raw = r.value;
    if (!visit(raw === 0 ? 0 : raw)) {
      const ret = it.return;
      if (ret !== undefined && ret !== null) {
        const x = (ret as () => unknown).call(it);
        if (x === null || (typeof x !== "object" && typeof x !== "function"))
          throw new TypeError(`Set.prototype.${method}: the iterator's return() did not return an object`);
      }
      return false;
    }
  }
}

const isIn = (rec: SetRecord, v: unknown): boolean => Boolean(rec.has.call(rec.set, v));

/**
 * The seven ES2025 Set methods (ECMA-262 24.2.4: `union`, `intersection`,
 * `difference`, `symmetricDifference`, `isSubsetOf`, `isSupersetOf`,
 * `isDisjointFrom`) over `self`, the receiver's elements read once into a
 * native Set. They are defined on the map/set views and drafts because those
 * extend the native Set with empty internal slots: the inherited native
 * methods (Node 22 and later) would read an empty [[SetData]] and answer
 * wrongly without a word. Results are native Sets, as the native methods'
 * are; `other` is any set-like (`size`, `has`, `keys`), read in the spec's
 * order. One difference from the spec: `other`'s callbacks that change the
 * receiver (a draft) are not seen by the walk of its elements, which works
 * on the copy. O(|self| + |other|).
 */
export const SET_METHODS = {
  union(self: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other, "union");
    const out = new Set(self);
    eachKey(rec, "union", (v) => {
      out.add(v);
      return true;
    });
    return out;
  },
  intersection(self: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other, "intersection");
    const out = new Set<unknown>();
    if (self.size <= rec.size) {
      for (const e of self) if (isIn(rec, e)) out.add(e);
    } else
      eachKey(rec, "intersection", (v) => {
        if (self.has(v)) out.add(v);
        return true;
      });
    return out;
  },
  difference(self: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other, "difference");
    const out = new Set(self);
    if (self.size <= rec.size) {
      for (const e of self) if (isIn(rec, e)) out.delete(e);
    } else
      eachKey(rec, "difference", (v) => {
        out.delete(v);
        return true;
      });
    return out;
  },
  symmetricDifference(self: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other, "symmetricDifference");
    const out = new Set(self);
    eachKey(rec, "symmetricDifference", (v) => {
      if (self.has(v)) out.delete(v);
      else out.add(v);
      return true;
    });
    return out;
  },
  isSubsetOf(self: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other, "isSubsetOf");
    if (self.size > rec.size) return false;
    for (const e of self) if (!isIn(rec, e)) return false;
    return true;
  },
  isSupersetOf(self: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other, "isSupersetOf");
    if (self.size < rec.size) return false;
    return eachKey(rec, "isSupersetOf", (v) => self.has(v));
  },
  isDisjointFrom(self: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other, "isDisjointFrom");
    if (self.size <= rec.size) {
      for (const e of self) if (isIn(rec, e)) return false;
      return true;
    }
    return eachKey(rec, "isDisjointFrom", (v) => !self.has(v));
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
