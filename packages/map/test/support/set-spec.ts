/**
 * The ES2025 Set methods (ECMA-262 2025: 24.2.1.2 GetSetRecord, 24.2.4.x,
 * 7.4 Iterator Records), transcribed step by step over a native Set, for
 * Node 20 which has none: the reference of the CowSet set-method tests.
 * Where the text reads the receiver's data live (intersection, isSubsetOf,
 * isDisjointFrom over the receiver; isSupersetOf, isDisjointFrom,
 * intersection and symmetricDifference's membership tests over the
 * argument's keys), so does this (a for-of over a native Set visits what
 * was added and skips what was deleted, as the text's index walk over
 * [[SetData]] does); where it works on a copy (union, difference,
 * symmetricDifference's result), so does this.
 */
interface Rec {
  set: object;
  size: number;
  has: unknown;
  keys: unknown;
}
interface IterRec {
  it: object;
  next: unknown;
  done: boolean;
}
export const DONE = Symbol("DONE");

function call(f: unknown, self: unknown, ...args: unknown[]): unknown {
  if (typeof f !== "function") throw new TypeError("not callable");
  return Reflect.apply(f, self, args);
}
function isObject(x: unknown): x is object {
  return (typeof x === "object" && x !== null) || typeof x === "function";
}
/** ToNumber: throws a TypeError for symbols and bigints. */
function toNumber(x: unknown): number {
  if (typeof x === "bigint" || typeof x === "symbol") throw new TypeError("ToNumber");
  return Number(x);
}
export function getSetRecord(obj: unknown): Rec {
  if (!isObject(obj)) throw new TypeError("not an object");
  const o = obj as Record<string, unknown>;
  const rawSize = o.size;
  const numSize = toNumber(rawSize);
  if (Number.isNaN(numSize)) throw new TypeError("NaN size");
  const intSize = Number.isFinite(numSize) ? Math.trunc(numSize) : numSize;
  if (intSize < 0) throw new RangeError("negative size");
  const has = o.has;
  if (typeof has !== "function") throw new TypeError("has");
  const keys = o.keys;
  if (typeof keys !== "function") throw new TypeError("keys");
  return { set: obj, size: intSize, has, keys };
}
function getIteratorFromMethod(obj: object, method: unknown): IterRec {
  const iterator = call(method, obj);
  if (!isObject(iterator)) throw new TypeError("iterator not an object");
  const next = (iterator as { next: unknown }).next;
  return { it: iterator, next, done: false };
}
function iteratorStepValue(r: IterRec): unknown {
  let result: unknown;
  try {
    result = call(r.next, r.it);
    if (!isObject(result)) throw new TypeError("result not an object");
    if ((result as { done: unknown }).done) {
      r.done = true;
      return DONE;
    }
  } catch (e) {
    r.done = true;
    throw e;
  }
  try {
    return (result as { value: unknown }).value;
  } catch (e) {
    r.done = true;
    throw e;
  }
}
/** IteratorClose with a normal completion. */
function iteratorClose(r: IterRec): void {
  const ret = (r.it as { return?: unknown }).return; // GetMethod
  if (ret === undefined || ret === null) return;
  if (typeof ret !== "function") throw new TypeError("return not callable");
  const inner = call(ret, r.it);
  if (!isObject(inner)) throw new TypeError("return result not an object");
}
const canon = (v: unknown): unknown => (v === 0 ? 0 : v);
const hasCall = (rec: Rec, e: unknown): boolean => Boolean(call(rec.has, rec.set, e));

/** The seven methods on a native Set's data `o` (the receiver). */
export const spec = {
  union(o: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other);
    const keysIter = getIteratorFromMethod(rec.set, rec.keys);
    const result = new Set(o);
    for (;;) {
      const next = iteratorStepValue(keysIter);
      if (next === DONE) return result;
      result.add(canon(next));
    }
  },
  intersection(o: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other);
    const result = new Set<unknown>();
    if (o.size <= rec.size) {
      for (const e of o) if (hasCall(rec, e)) result.add(e);
    } else {
      const keysIter = getIteratorFromMethod(rec.set, rec.keys);
      for (;;) {
        const next = iteratorStepValue(keysIter);
        if (next === DONE) break;
        const v = canon(next);
        if (o.has(v)) result.add(v);
      }
    }
    return result;
  },
  difference(o: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other);
    const result = new Set(o);
    if (o.size <= rec.size) {
      for (const e of [...o]) if (hasCall(rec, e)) result.delete(e);
    } else {
      const keysIter = getIteratorFromMethod(rec.set, rec.keys);
      for (;;) {
        const next = iteratorStepValue(keysIter);
        if (next === DONE) break;
        result.delete(canon(next));
      }
    }
    return result;
  },
  symmetricDifference(o: Set<unknown>, other: unknown): Set<unknown> {
    const rec = getSetRecord(other);
    const keysIter = getIteratorFromMethod(rec.set, rec.keys);
    const result = new Set(o);
    for (;;) {
      const next = iteratorStepValue(keysIter);
      if (next === DONE) return result;
      const v = canon(next);
      const already = result.has(v);
      if (o.has(v)) {
        if (already) result.delete(v);
      } else if (!already) result.add(v);
    }
  },
  isSubsetOf(o: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other);
    if (o.size > rec.size) return false;
    for (const e of o) if (!hasCall(rec, e)) return false;
    return true;
  },
  isSupersetOf(o: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other);
    if (o.size < rec.size) return false;
    const keysIter = getIteratorFromMethod(rec.set, rec.keys);
    for (;;) {
      const next = iteratorStepValue(keysIter);
      if (next === DONE) return true;
      if (!o.has(next)) {
        iteratorClose(keysIter);
        return false;
      }
    }
  },
  isDisjointFrom(o: Set<unknown>, other: unknown): boolean {
    const rec = getSetRecord(other);
    if (o.size <= rec.size) {
      for (const e of o) if (hasCall(rec, e)) return false;
    } else {
      const keysIter = getIteratorFromMethod(rec.set, rec.keys);
      for (;;) {
        const next = iteratorStepValue(keysIter);
        if (next === DONE) break;
        if (o.has(next)) {
          iteratorClose(keysIter);
          return false;
        }
      }
    }
    return true;
  },
};
export type Method = keyof typeof spec;
export const METHODS = Object.keys(spec) as Method[];
