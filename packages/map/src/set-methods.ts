/**
 * The ES2025 Set methods (ECMA-262 24.2.4: union, intersection, difference,
 * symmetricDifference, isSubsetOf, isSupersetOf, isDisjointFrom) on the
 * receiver's own table. As the spec works on the receiver's [[SetData]],
 * these never call the receiver's `has`, `add`, `delete` or `fork` (which a
 * subclass or a patched prototype may have replaced); they call only the
 * set-like `other`'s `size`, `has` and `keys`, in the spec's order.
 *
 * Results are new tables: `union`, `difference` and `symmetricDifference`
 * start as a copy of the receiver (an O(1) fork for a standalone set),
 * `intersection` as an empty table in the same pool.
 *
 * @module
 */
import { Cursor } from "./iterator.js";
import { tableAdd, tableDelete, tableHas } from "./ops.js";
import {
  closeQuietly,
  forEachOtherKey,
  getSetRecord,
  type IteratorRecord,
  openOtherKeys,
  otherHas,
} from "./set-like.js";
import type { Table } from "./table.js";

/** Runs `fill` on a new result table; on any error releases it (nothing is left behind) and rethrows. */
function build(result: Table, fill: (r: Table) => void): Table {
  try {
    fill(result);
  } catch (e) {
    result.drop(false);
    throw e;
  }
  return result;
}

/**
 * A copy of `t` for a method that already called `other.keys()` (`it`): when
 * the copy is refused (OutOfMemoryError under the pool's commit limit), `it`
 * is closed before the error goes on, as IteratorClose does for any abrupt
 * completion once an iterator is open (the walk that would close it never starts).
 */
function copyOpen(t: Table, it: IteratorRecord<unknown>): Table {
  try {
    return t.copy();
  } catch (e) {
    closeQuietly(it.it);
    throw e;
  }
}

/** Elements of `t`, then those of `other` not in it. */
export function union(t: Table, other: unknown): Table {
  const rec = getSetRecord(other, "CowSet.union");
  // Spec step order: other.keys() is called before the receiver is copied
  // (a keys() that changes the receiver changes the copy).
  const it = openOtherKeys(rec, "CowSet.union");
  return build(copyOpen(t, it), (r) => {
    forEachOtherKey(
      rec,
      "CowSet.union",
      (v) => {
        tableAdd(r, v);
        return true;
      },
      it,
    );
  });
}

/** Elements in both: in `t`'s order when it is the smaller (or equal), else in `other`'s. */
export function intersection(t: Table, other: unknown): Table {
  const rec = getSetRecord(other, "CowSet.intersection");
  return build(t.emptyLike(), (r) => {
    if (t.size <= rec.size) {
      const c = new Cursor(t);
      while (c.step("set")) {
        const e = c.key(t);
        if (otherHas(rec, e)) tableAdd(r, e);
      }
    } else {
      forEachOtherKey(rec, "CowSet.intersection", (v) => {
        if (tableHas(t, v)) tableAdd(r, v);
        return true;
      });
    }
  });
}

/** Elements of `t` not in `other`, in `t`'s order. */
export function difference(t: Table, other: unknown): Table {
  const rec = getSetRecord(other, "CowSet.difference");
  return build(t.copy(), (r) => {
    if (t.size <= rec.size) {
      // The spec walks the copy, not the receiver: elements that other.has()
      // deletes from or adds to the receiver are still, or never, asked about.
      // A second copy (an O(1) fork for a standalone set) is that walk's
      // fixed snapshot, as `r` itself changes under it.
      const snap = t.copy();
      try {
        const c = new Cursor(snap);
        while (c.step("set")) {
          const e = c.key(snap);
          if (otherHas(rec, e)) tableDelete(r, e);
        }
      } finally {
        snap.drop(false);
      }
    } else {
      forEachOtherKey(rec, "CowSet.difference", (v) => {
        tableDelete(r, v);
        return true;
      });
    }
  });
}

/** Elements in exactly one: `t`'s order, then `other`'s new elements in its order. */
export function symmetricDifference(t: Table, other: unknown): Table {
  const rec = getSetRecord(other, "CowSet.symmetricDifference");
  const it = openOtherKeys(rec, "CowSet.symmetricDifference"); // before the copy, as in union
  return build(copyOpen(t, it), (r) => {
    forEachOtherKey(
      rec,
      "CowSet.symmetricDifference",
      (v) => {
        const inResult = tableHas(r, v);
        if (tableHas(t, v)) {
          if (inResult) tableDelete(r, v);
        } else if (!inResult) tableAdd(r, v);
        return true;
      },
      it,
    );
  });
}

/** True when every element of `t` is in `other`. */
export function isSubsetOf(t: Table, other: unknown): boolean {
  const rec = getSetRecord(other, "CowSet.isSubsetOf");
  if (t.size > rec.size) return false;
  const c = new Cursor(t);
  while (c.step("set")) if (!otherHas(rec, c.key(t))) return false;
  return true;
}

/** True when every element of `other` is in `t`. */
export function isSupersetOf(t: Table, other: unknown): boolean {
  const rec = getSetRecord(other, "CowSet.isSupersetOf");
  if (t.size < rec.size) return false;
  return forEachOtherKey(rec, "CowSet.isSupersetOf", (v) => tableHas(t, v));
}

/** True when no element is in both. */
export function isDisjointFrom(t: Table, other: unknown): boolean {
  const rec = getSetRecord(other, "CowSet.isDisjointFrom");
  if (t.size <= rec.size) {
    const c = new Cursor(t);
    while (c.step("set")) if (otherHas(rec, c.key(t))) return false;
    return true;
  }
  return forEachOtherKey(rec, "CowSet.isDisjointFrom", (v) => !tableHas(t, v));
}
