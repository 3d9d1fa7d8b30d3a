/**
 * The TypedArray methods of a tracking proxy view (embedded-view.ts) that run
 * user code between reading the window and touching its elements: the
 * callback methods (`forEach`, `map`, `find`...), those that convert an
 * argument (`at`, `indexOf`, `slice`, `with`...: a `valueOf` is user code),
 * the iterators (user code runs between steps) and the mutating methods.
 *
 * The core's view methods bind to a fixed window when called, so over an
 * embedded vector a callback that shrank it, grew it (its block moved) or
 * freed it made the next steps read the old, freed block: another heap
 * block's bytes, or the heap's own. These run over the view's
 * {@link TrackTarget}, which resolves the window on every read, through the
 * array's own scans (scan.ts, bulk.ts), which re-translate after any write:
 * a step past the window's current end reads `undefined`, as natively, and
 * one after `free()` throws ReleasedError. Callbacks get the proxy as their
 * third argument. `join`, `toString`, `toLocaleString`, `toSorted` and
 * `toReversed` copy the window before any user code runs: the core's serve.
 *
 * @module
 */
import { copyOut, readInto } from "./bulk.js";
import { type TrackTarget, windowOf } from "./embedded-window.js";
import { relativeIndex, toIntegerOrInfinity } from "./indices.js";
import { type NativeTypedArray, toElement } from "./kinds.js";
import {
  type AnyCallback,
  backward,
  forward,
  includesElement,
  indexOfElement,
  joinElements,
  lastIndexOfElement,
  reduceElements,
  reduceRightElements,
  requireCallable,
} from "./scan.js";

/** The window of the view `view`, checked live. @throws {ReleasedError} once the array was freed. */
function live(view: unknown): TrackTarget {
  const w = windowOf(view);
  w.check();
  return w;
}

/**
 * The window after a method converted its arguments (user code): TypeError
 * when the array no longer reaches it, as a native method re-validates its
 * typed array then (`fill`, `copyWithin`, `slice`); ReleasedError once freed.
 */
function inBounds(view: unknown): TrackTarget {
  const w = live(view);
  if (w.outOfBounds) throw new TypeError("the view's window is out of bounds: its vector shrank below it");
  return w;
}

/** True when the window is the whole array, length-tracking: the array's own methods then serve. */
function whole(w: TrackTarget): boolean {
  return w.begin === 0 && w.end < 0;
}

/** The window's elements `[from, from + count)` as a native array of its kind (`count` clamped to what it holds now). */
function copyWindow(w: TrackTarget, from: number, count: number): NativeTypedArray {
  const out = new w.kind.Native(count) as NativeTypedArray;
  const n = Math.min(count, Math.max(w.len - from, 0)); // what is left of it now: the rest stays zero
  if (n > 0) readInto(w, from, n === count ? out : (out.subarray(0, n) as NativeTypedArray));
  return out;
}

/** `src` (a native array of the kind) stored at window index `at`: the array's own bulk `set`, which reserves first. */
function store(w: TrackTarget, at: number, src: NativeTypedArray): void {
  if (src.length > 0) w.array.set(src, w.begin + at);
}

type Method = (this: unknown, ...args: never[]) => unknown;

/** The methods, by name (the proxy's `get` answers them instead of the core view's). @internal */
export const TRACKED_METHODS: Record<string, Method> = {
  at(this: unknown, index: unknown) {
    const w = live(this);
    const len = w.len; // before the conversion, as natively
    const rel = toIntegerOrInfinity(index);
    const k = rel >= 0 ? rel : len + rel;
    if (k < 0 || k >= len || k >= w.len) return undefined;
    return w.array.get(w.begin + k);
  },
  indexOf(this: unknown, search: unknown, fromIndex?: unknown) {
    return indexOfElement(live(this), search, fromIndex);
  },
  lastIndexOf(this: unknown, search: unknown, ...fromIndex: unknown[]) {
    return lastIndexOfElement(live(this), search, fromIndex[0], fromIndex.length > 0);
  },
  includes(this: unknown, search: unknown, fromIndex?: unknown) {
    return includesElement(live(this), search, fromIndex);
  },
  find(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "find");
    let found: unknown;
    forward(w, 0, w.len, (v, k) => {
      if (!fn.call(thisArg, v, k, this)) return false;
      found = v;
      return true;
    });
    return found;
  },
  findIndex(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "findIndex");
    return forward(w, 0, w.len, (v, k) => !!fn.call(thisArg, v, k, this));
  },
  findLast(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "findLast");
    let found: unknown;
    backward(w, w.len - 1, (v, k) => {
      if (!fn.call(thisArg, v, k, this)) return false;
      found = v;
      return true;
    });
    return found;
  },
  findLastIndex(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "findLastIndex");
    return backward(w, w.len - 1, (v, k) => !!fn.call(thisArg, v, k, this));
  },
  every(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "every");
    return forward(w, 0, w.len, (v, k) => !fn.call(thisArg, v, k, this)) < 0;
  },
  some(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "some");
    return forward(w, 0, w.len, (v, k) => !!fn.call(thisArg, v, k, this)) >= 0;
  },
  forEach(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "forEach");
    forward(w, 0, w.len, (v, k) => {
      fn.call(thisArg, v, k, this);
      return false;
    });
  },
  map(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "map");
    const out = new w.kind.Native(w.len) as unknown as unknown[];
    forward(w, 0, out.length, (v, k) => {
      out[k] = fn.call(thisArg, v, k, this);
      return false;
    });
    return out;
  },
  filter(this: unknown, fn: AnyCallback, thisArg?: unknown) {
    const w = live(this);
    requireCallable(fn, "filter");
    const kept: unknown[] = [];
    forward(w, 0, w.len, (v, k) => {
      if (fn.call(thisArg, v, k, this)) kept.push(v);
      return false;
    });
    return new w.kind.Native(kept as never[]);
  },
  reduce(this: unknown, fn: AnyCallback, ...init: unknown[]) {
    const w = live(this);
    requireCallable(fn, "reduce");
    return reduceElements(w, fn, init[0], init.length > 0, this);
  },
  reduceRight(this: unknown, fn: AnyCallback, ...init: unknown[]) {
    const w = live(this);
    requireCallable(fn, "reduceRight");
    return reduceRightElements(w, fn, init[0], init.length > 0, this);
  },
  slice(this: unknown, start?: unknown, end?: unknown) {
    const w = live(this);
    const len = w.len;
    const k = relativeIndex(start, len, 0);
    const f = relativeIndex(end, len, len);
    const count = Math.max(f - k, 0);
    if (count > 0) inBounds(this);
    // A conversion may have shrunk the array: what it no longer holds reads zero, as natively.
    return copyWindow(w, k, count);
  },
  with(this: unknown, index: unknown, value: unknown) {
    const w = live(this);
    const len = w.len;
    const rel = toIntegerOrInfinity(index);
    const k = rel >= 0 ? rel : len + rel;
    const v = toElement(w.kind, value);
    const cur = w.len; // after the conversions, as natively (IsValidIntegerIndex)
    if (!(k >= 0 && k < cur)) throw new RangeError(`Invalid typed array index: ${String(index)} (length ${cur})`);
    const out = copyWindow(w, 0, len);
    // Elements a conversion cut off read `undefined`, stored as the kind stores it (NaN, 0; a BigInt kind throws).
    if (cur < len) out.fill(toElement(w.kind, undefined) as never, cur);
    if (k < len) out[k] = v as never;
    return out;
  },
  join(this: unknown, separator?: unknown) {
    const w = live(this);
    return joinElements(w, w.len, separator); // the separator converted first: elements cut off join as ""
  },
  toString(this: unknown) {
    const w = live(this);
    return joinElements(w, w.len, undefined);
  },
  keys(this: unknown) {
    return keysOf(live(this));
  },
  values(this: unknown) {
    return valuesOf(live(this));
  },
  entries(this: unknown) {
    return entriesOf(live(this));
  },

  // ---- mutating: the whole array's are its own methods (they check, clamp and reserve); a subarray's
  // convert every argument first, then act on the window as it is then, through the array's methods ----

  fill(this: unknown, value: unknown, start?: unknown, end?: unknown) {
    const w = live(this);
    if (whole(w)) {
      w.array.fill(value, start as number, end as number);
      return this;
    }
    const v = toElement(w.kind, value);
    const len = w.len;
    const k = relativeIndex(start, len, 0);
    const f = Math.min(relativeIndex(end, len, len), inBounds(this).len);
    if (k < f) w.array.fill(v, w.begin + k, w.begin + f);
    return this;
  },
  set(this: unknown, source: unknown, offset?: unknown) {
    const w = live(this);
    // The bulk form only: a number source is an array-like of length 0, as natively.
    const src = typeof source === "number" ? Object(source) : source;
    if (whole(w)) {
      w.array.set(src, offset);
      return;
    }
    const off = toIntegerOrInfinity(offset);
    if (off < 0) throw new RangeError(`set: offset ${off} is negative`);
    const from = nativeSource(w, src); // converted first: a valueOf that throws changes nothing
    const len = live(this).len;
    if (from.length + off > len) throw new RangeError(`set: ${from.length} elements at ${off} overflow length ${len}`);
    store(w, off, from);
  },
  copyWithin(this: unknown, target: unknown, start: unknown, end?: unknown) {
    const w = live(this);
    if (whole(w)) {
      w.array.copyWithin(target as number, start as number, end as number);
      return this;
    }
    const len = w.len;
    const to = relativeIndex(target, len, 0);
    const from = relativeIndex(start, len, 0);
    const final = relativeIndex(end, len, len);
    const cur = inBounds(this).len;
    const count = Math.min(final - from, len - to, cur - from, cur - to);
    if (count > 0) w.array.copyWithin(w.begin + to, w.begin + from, w.begin + from + count);
    return this;
  },
  reverse(this: unknown) {
    const w = live(this);
    if (whole(w)) w.array.reverse();
    else store(w, 0, copyOut(w, 0, w.len).reverse() as NativeTypedArray);
    return this;
  },
  sort(this: unknown, comparator?: unknown) {
    const w = live(this);
    if (whole(w)) {
      w.array.sort(comparator);
      return this;
    }
    if (comparator !== undefined && typeof comparator !== "function")
      throw new TypeError("The comparison function must be either a function or undefined");
    const a = copyOut(w, 0, w.len).sort(comparator as never) as NativeTypedArray;
    // The comparator may have freed the array (then nothing is written, as a native sort writes
    // nothing to a detached buffer) or shrunk it: write back what still fits, as natively.
    if (w.array.released) return this;
    const cur = live(this).len;
    store(w, 0, cur < a.length ? (a.subarray(0, cur) as NativeTypedArray) : a);
    return this;
  },
};
TRACKED_METHODS[Symbol.iterator as unknown as string] = TRACKED_METHODS.values as Method;

/**
 * `source` of a subarray's `set` as a native array of the window's kind: a
 * native typed array copied, anything else read as an array-like (a proxy
 * view too), each element converted (user code), as the core's view does.
 * @throws {TypeError} for a null or undefined source, or one mixing BigInt and Number kinds.
 */
function nativeSource(w: TrackTarget, source: unknown): NativeTypedArray {
  if (source === null || source === undefined) throw new TypeError(`set: cannot convert ${source} to an object`);
  if (ArrayBuffer.isView(source) && !(source instanceof DataView)) {
    const from = source as NativeTypedArray;
    const big = from instanceof BigInt64Array || from instanceof BigUint64Array;
    if (big !== w.kind.bigint) throw new TypeError("set: cannot mix BigInt and Number typed arrays");
    return new w.kind.Native(from as never) as NativeTypedArray; // a copy: `source` may be the array's own memory
  }
  const o = Object(source) as ArrayLike<unknown>;
  const n = Math.min(Math.max(toIntegerOrInfinity(o.length), 0), Number.MAX_SAFE_INTEGER);
  const out = new w.kind.Native(n) as unknown as unknown[];
  for (let k = 0; k < n; k++) out[k] = o[k];
  return out as unknown as NativeTypedArray;
}

// The iterators read the window afresh at every step, as a native array iterator reads its typed array:
// done at the window's current end, TypeError once the array no longer reaches it (a subarray's window
// past a shrunk vector's end), ReleasedError once the array was freed.

/** The window's length for an iterator's next step. */
function stepLength(w: TrackTarget): number {
  w.check();
  if (w.outOfBounds) throw new TypeError("the view's window is out of bounds: its vector shrank below it");
  return w.len;
}
function* keysOf(w: TrackTarget): Generator<number, undefined, unknown> {
  for (let i = 0; i < stepLength(w); i++) yield i;
  return undefined;
}
function* valuesOf(w: TrackTarget): Generator<number | bigint, undefined, unknown> {
  for (let i = 0; i < stepLength(w); i++) yield w.array.get(w.begin + i) as number | bigint;
  return undefined;
}
function* entriesOf(w: TrackTarget): Generator<[number, number | bigint], undefined, unknown> {
  for (let i = 0; i < stepLength(w); i++) yield [i, w.array.get(w.begin + i) as number | bigint];
  return undefined;
}
