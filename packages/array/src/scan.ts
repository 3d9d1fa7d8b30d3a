/**
 * Read scans over an element view, one page span at a time: searches
 * (indexOf, lastIndexOf, includes), the callback loops (forward and backward
 * walks, reduce, reduceRight) and join.
 *
 * Callback loops hand each element to user code, which may write the array:
 * a write can move the page under the span to another frame (a
 * copy-on-write fault or a zero-fill), and not only a write through the
 * array: one through its proxy view or straight through the space, one to
 * another array sharing the page (embedded), or a release that frees the
 * frame for another space to take. So after every callback the loops compare
 * two generations, the owner's write generation (writes through the array:
 * a vector's length or block may have changed) and the pool's page-table
 * epoch (`pool.pt.epoch`, bumped by every frame allocation, refcount change
 * and page-table change in the pool: any change of a translation), and when
 * either moved, re-translate from the next index, as the native methods read
 * each element afresh. Two loads and compares per element; a callback that
 * takes frames re-translates once per such call (one cursor).
 *
 * A callback that released (or freed) the array leaves it a length of 0:
 * the loops then visit the rest of the indices below the starting length
 * with `undefined` and read no page, as a native method goes on over a
 * detached buffer (its elements read `undefined`).
 *
 * @module
 */
import { chunks } from "./bulk.js";
import { toIntegerOrInfinity } from "./indices.js";
import { storedValue } from "./kinds.js";
import { type ElementView, elementsPerPage, readSpans } from "./view.js";

/** A callback of the iteration methods. */
// biome-ignore lint/suspicious/noExplicitAny: user callbacks take and return anything
export type AnyCallback = (...args: any[]) => unknown;

/** Throws the native TypeError when `fn` is not callable. */
export function requireCallable(fn: unknown, method: string): asserts fn is AnyCallback {
  if (typeof fn !== "function") throw new TypeError(`${describe(fn)} is not a function (the callback of ${method})`);
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol") return v.toString();
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * Calls `visit(value, index)` for elements `[from, to)` in order until it
 * returns true; returns that index, or -1. Re-translates after any write.
 * As the native callback methods, it visits every index below `to` (the
 * length when the method started): one a callback's shrink of a vector cut
 * off is visited with `undefined` (elements a callback added are not).
 */
export function forward(
  view: ElementView,
  from: number,
  to: number,
  visit: (value: number | bigint | undefined, index: number) => boolean,
): number {
  const owner = view.owner;
  const pt = view.space.pool.pt;
  let k = from;
  while (k < to) {
    const end = Math.min(to, view.len);
    if (k >= end) {
      // Cut off by a shrink: read as undefined, as natively.
      if (visit(undefined, k)) return k;
      k++;
      continue;
    }
    const gen = owner.writes;
    const epoch = pt.epoch;
    let stale = false;
    for (const c = readSpans(view, k, end - k); c.next(); ) {
      const a = c.array;
      const e = c.end;
      for (let i = c.start; i < e; i++) {
        if (visit(a[i] as number | bigint, k)) return k;
        k++;
        if (owner.writes !== gen || pt.epoch !== epoch) {
          stale = true;
          break;
        }
      }
      if (stale) break;
    }
  }
  return -1;
}

/**
 * Calls `visit(value, index)` for elements `from, from - 1, ..., 0` until it
 * returns true; returns that index, or -1. One page span per page, last page
 * first; re-translates after any write. An index a callback's shrink of a
 * vector cut off is visited with `undefined`, as natively.
 */
export function backward(
  view: ElementView,
  from: number,
  visit: (value: number | bigint | undefined, index: number) => boolean,
): number {
  const owner = view.owner;
  const pt = view.space.pool.pt;
  const per = elementsPerPage(view);
  const w = view.kind.bytes;
  let k = from;
  while (k >= 0) {
    if (k >= view.len) {
      if (visit(undefined, k)) return k;
      k--;
      continue;
    }
    // Elements [lo, k] are the part of k's page inside the view.
    const inPage = ((view.byteOffset + k * w) % view.space.pageSize) / w;
    const lo = Math.max(0, k - Math.min(inPage, per - 1));
    const c = readSpans(view, lo, k - lo + 1);
    c.next();
    const a = c.array;
    const gen = owner.writes;
    const epoch = pt.epoch;
    for (let i = c.end - 1; i >= c.start; i--) {
      if (visit(a[i] as number | bigint, k)) return k;
      k--;
      if (owner.writes !== gen || pt.epoch !== epoch) break;
    }
  }
  return -1;
}

/**
 * `Array.prototype.reduce` over elements `[0, len)`: a dedicated loop, the
 * hot scan. `hasInit` false takes element 0 as the initial value.
 */
export function reduceElements(
  view: ElementView,
  fn: AnyCallback,
  init: unknown,
  hasInit: boolean,
  self: unknown,
): unknown {
  const to = view.len;
  let k = 0;
  let acc = init;
  if (!hasInit) {
    if (to === 0) throw new TypeError("Reduce of empty array with no initial value");
    acc = readSpansFirst(view, 0);
    k = 1;
  }
  const owner = view.owner;
  const pt = view.space.pool.pt;
  while (k < to) {
    const end = Math.min(to, view.len);
    if (k >= end) {
      // Cut off by a callback's shrink of a vector: read as undefined, as natively.
      acc = fn(acc, undefined, k, self);
      k++;
      continue;
    }
    const gen = owner.writes;
    const epoch = pt.epoch;
    for (const c = readSpans(view, k, end - k); c.next(); ) {
      const a = c.array;
      const e = c.end;
      let i = c.start;
      for (; i < e; i++) {
        acc = fn(acc, a[i], k, self);
        k++;
        if (owner.writes !== gen || pt.epoch !== epoch) break;
      }
      if (i < e) break; // stale: re-translate from k
    }
  }
  return acc;
}

/** `Array.prototype.reduceRight` over elements `[0, len)`. */
export function reduceRightElements(
  view: ElementView,
  fn: AnyCallback,
  init: unknown,
  hasInit: boolean,
  self: unknown,
): unknown {
  const len = view.len;
  let from = len - 1;
  let acc = init;
  if (!hasInit) {
    if (len === 0) throw new TypeError("Reduce of empty array with no initial value");
    acc = readSpansFirst(view, from);
    from--;
  }
  backward(view, from, (v, k) => {
    acc = fn(acc, v, k, self);
    return false;
  });
  return acc;
}

function readSpansFirst(view: ElementView, k: number): unknown {
  const c = readSpans(view, k, 1);
  c.next();
  return c.array[c.start];
}

/**
 * `%TypedArray%.prototype.indexOf`: strict equality (NaN is never found,
 * -0 equals +0), `fromIndex` relative, converted only when the array is not
 * empty. A value the kind cannot hold (0.5 in an Int32 array, a bigint in a
 * Float64 array) is not searched for at all.
 */
export function indexOfElement(view: ElementView, search: unknown, fromIndex: unknown): number {
  const len = view.len;
  if (len === 0) return -1;
  let k = toIntegerOrInfinity(fromIndex);
  if (k === Number.POSITIVE_INFINITY) return -1;
  if (k < 0) k = Math.max(len + k, 0);
  return indexIn(view, search, k, Math.min(len, view.len)); // fromIndex's valueOf may have shrunk a vector: never read past its end
}

/** First index in `[k, end)` holding `search` (strict equality), or -1. */
function indexIn(view: ElementView, search: unknown, k: number, end: number): number {
  if (k >= end || !representable(view, search)) return -1;
  for (const c = readSpans(view, k, end - k); c.next(); ) {
    const a = c.array;
    const e = c.end;
    for (let i = c.start; i < e; i++) if (a[i] === search) return k + (i - c.start);
    k += e - c.start;
  }
  return -1;
}

/**
 * `%TypedArray%.prototype.includes`: SameValueZero, so NaN is found. As
 * natively, the elements searched are those of the length read before
 * `fromIndex` is converted: a vector its valueOf grew is searched up to the
 * old length (it searched the new one), and one it shrank has its lost
 * elements read as undefined (so `includes(undefined)` finds them).
 */
export function includesElement(view: ElementView, search: unknown, fromIndex: unknown): boolean {
  const len = view.len;
  if (len === 0) return false;
  let k = toIntegerOrInfinity(fromIndex);
  if (k === Number.POSITIVE_INFINITY) return false;
  if (k < 0) k = Math.max(len + k, 0);
  if (k >= len) return false;
  const end = Math.min(len, view.len); // never read past a shrunk vector's end
  if (search === undefined) return end < len;
  if (typeof search === "number" && Number.isNaN(search)) {
    if (view.kind.bigint || k >= end) return false;
    for (const c = readSpans(view, k, end - k); c.next(); ) {
      const a = c.array as Float64Array;
      for (let i = c.start; i < c.end; i++) if (Number.isNaN(a[i])) return true;
    }
    return false;
  }
  return indexIn(view, search, k, end) >= 0;
}

/**
 * `%TypedArray%.prototype.lastIndexOf`: `fromIndex` present (even undefined,
 * which is 0) or absent (len - 1), as natively.
 */
export function lastIndexOfElement(view: ElementView, search: unknown, fromIndex: unknown, hasFrom: boolean): number {
  const len = view.len;
  if (len === 0) return -1;
  const n = hasFrom ? toIntegerOrInfinity(fromIndex) : len - 1;
  if (n === Number.NEGATIVE_INFINITY) return -1;
  // fromIndex's valueOf may have shrunk a vector: never read past its end.
  const k = Math.min(n >= 0 ? Math.min(n, len - 1) : len + n, view.len - 1);
  if (k < 0 || !representable(view, search)) return -1;
  return backward(view, k, (v) => v === search);
}

/** Can an element of the view be strictly equal to `v`? */
function representable(view: ElementView, v: unknown): boolean {
  if (view.kind.bigint ? typeof v !== "bigint" : typeof v !== "number") return false;
  return storedValue(view.kind, v) === v;
}

/**
 * `%TypedArray%.prototype.join`: separator "," when undefined, else
 * ToString(separator); elements as ToString gives them (-0 is "0", bigints
 * without "n"). Joined natively one chunk at a time.
 */
export function joinElements(view: ElementView, len: number, separator: unknown): string {
  const sep = separator === undefined ? "," : `${separator as string}`;
  const parts: string[] = [];
  // `len` is the length before converting `separator`, as the native join:
  // if that conversion shrank a vector, the elements past its new end join
  // as empty strings.
  const cur = Math.min(len, view.len);
  chunks(view, 0, cur, (buf, n) => {
    parts.push((n === buf.length ? buf : buf.subarray(0, n)).join(sep));
  });
  const s = parts.join(sep);
  if (cur === len) return s;
  return cur === 0 ? sep.repeat(len - 1) : s + sep.repeat(len - cur);
}
