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
  type SetRecord,
} from "./set-like.js";
import type { Table } from "./table.js";

/**
 * {@link getSetRecord} for a method of the set whose table is `t`, then
 * ReleasedError when reading the argument's `size`, `has` or `keys` (user
 * getters) released the receiver: checked before the method reads `t.size`
 * (a released standalone table keeps its last count, a freed embedded one
 * reads as empty) or walks it, so a released receiver answers ReleasedError
 * with nothing made, never `false` from a stale count.
 */
function setRecordOf(t: Table, other: unknown, method: string): SetRecord<unknown> {
  const rec = getSetRecord(other, method);
  t.check("set");
  return rec;
}

/**
 * {@link openOtherKeys}, then ReleasedError (the iterator closed first, as
 * for any abrupt completion once it is open) when `keys()` released the
 * receiver.
 */
function openKeysOf(t: Table, rec: SetRecord<unknown>, method: string): IteratorRecord<unknown> {
  const it = openOtherKeys(rec, method);
  if (t.space.released) {
    closeQuietly(it.it);
    t.check("set");
  }
  return it;
}

/**
 * Whether the receiver's table `t` holds `v`, for a walk between calls of
 * the argument's `has` or `next` (user code): ReleasedError when one of them
 * released the receiver. A freed embedded table reads as empty (no bucket
 * array, size 0), so without the check a walk went on and answered from it:
 * `isSupersetOf` false, an intersection cut short.
 */
function receiverHas(t: Table, v: unknown): boolean {
  t.check("set");
  return tableHas(t, v);
}

/** The next element of a walk over the receiver's table (see {@link receiverHas}): ReleasedError once it was released. */
function stepReceiver(t: Table, c: Cursor): boolean {
  t.check("set");
  return c.step("set");
}

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
  const rec = setRecordOf(t, other, "CowSet.union");
  // Spec step order: other.keys() is called before the receiver is copied
  // (a keys() that changes the receiver changes the copy).
  const it = openKeysOf(t, rec, "CowSet.union");
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
  const rec = setRecordOf(t, other, "CowSet.intersection");
  return build(t.emptyLike(), (r) => {
    t.check("set"); // making the result may have run the pool's out-of-memory hook
    if (t.size <= rec.size) {
      const c = new Cursor(t);
      while (stepReceiver(t, c)) {
        const e = c.key(t);
        if (otherHas(rec, e)) tableAdd(r, e);
      }
    } else {
      forEachOtherKey(rec, "CowSet.intersection", (v) => {
        if (receiverHas(t, v)) tableAdd(r, v);
        return true;
      });
    }
  });
}

/** Elements of `t` not in `other`, in `t`'s order. */
export function difference(t: Table, other: unknown): Table {
  const rec = setRecordOf(t, other, "CowSet.difference");
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
  const rec = setRecordOf(t, other, "CowSet.symmetricDifference");
  const it = openKeysOf(t, rec, "CowSet.symmetricDifference"); // before the copy, as in union
  return build(copyOpen(t, it), (r) => {
    forEachOtherKey(
      rec,
      "CowSet.symmetricDifference",
      (v) => {
        const inResult = tableHas(r, v);
        if (receiverHas(t, v)) {
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
  const rec = setRecordOf(t, other, "CowSet.isSubsetOf");
  if (t.size > rec.size) return false;
  const c = new Cursor(t);
  while (stepReceiver(t, c)) if (!otherHas(rec, c.key(t))) return false;
  return true;
}

/** True when every element of `other` is in `t`. */
export function isSupersetOf(t: Table, other: unknown): boolean {
  const rec = setRecordOf(t, other, "CowSet.isSupersetOf");
  if (t.size < rec.size) return false;
  return forEachOtherKey(rec, "CowSet.isSupersetOf", (v) => receiverHas(t, v));
}

/** True when no element is in both. */
export function isDisjointFrom(t: Table, other: unknown): boolean {
  const rec = setRecordOf(t, other, "CowSet.isDisjointFrom");
  if (t.size <= rec.size) {
    const c = new Cursor(t);
    while (stepReceiver(t, c)) if (otherHas(rec, c.key(t))) return false;
    return true;
  }
  return forEachOtherKey(rec, "CowSet.isDisjointFrom", (v) => !receiverHas(t, v));
}
