/**
 * The proxy view of an embedded array (`proxy()` of an array or vector that
 * lives in a caller's heap): the core's view (`space.view`) made safe for a
 * window whose block can move, shrink or be freed.
 *
 * The core's view is a fixed window of the space: `byteOffset` and `length`
 * as they were when it was made. Over an embedded vector that window goes
 * stale as soon as the vector shrinks to fit, grows by a realloc that moves
 * its block, or is freed (an embedded typed array too): the window then
 * covers a freed heap block, and a write through it corrupts whatever the
 * heap put there (another array's elements, the heap's own free lists). A
 * store near the pool's limit was worse still: its fault ran the
 * out-of-memory hook inside the core's write, and a hook that shrank or freed
 * the vector had the store land in the freed block.
 *
 * So this view tracks the array, as a length-tracking typed array tracks a
 * resizable ArrayBuffer: every access goes to a core view of the array's
 * current block and length (remade when they change: O(1), one allocation),
 * element writes go through the array's own `set(i, v)` (which reserves the
 * page under the array's checks, see `setSlow`), the methods that run user
 * code midway (callbacks, argument conversions, iterators, the mutating
 * methods) are embedded-view-methods.ts's, which resolve the window at every
 * step, and after `free()` every access throws {@link ReleasedError}, as the
 * array does. `subarray` gives another tracking view, of a window of the
 * array (embedded-window.ts): a fixed-length one reads as empty while the
 * array is shorter than its end. (The core's view methods and `subarray`
 * bound to the window as it was when called: a callback that shrank, grew
 * or freed a vector had the next steps read the freed block, and a
 * subarray written after the vector moved wrote into another heap block.)
 * A standalone array's view needs none of this (its space is its own:
 * nothing else lives there) and stays the core's view.
 *
 * Cost: a second Proxy trap and a check per access (views are for handing
 * COW memory to code written for typed arrays, never for hot loops).
 *
 * @module
 */
import { INSPECT_CUSTOM, type ProxyView } from "@pagefork/core";
import { TRACKED_METHODS } from "./embedded-view-methods.js";
import { type Tracked, TrackTarget, WINDOW, windowOf } from "./embedded-window.js";
import { relativeIndex } from "./indices.js";
import { toElement } from "./kinds.js";

/** The core view of the window now. @throws {ReleasedError} once the array was freed. */
function current(t: TrackTarget): ProxyView {
  t.check();
  const at = t.byteOffset;
  const n = t.len;
  if (t.view === null || t.at !== at || t.n !== n) {
    t.view = t.space.view(t.kind.Native, at, n);
    t.at = at;
    t.n = n;
  }
  return t.view;
}

/** Not a canonical numeric string (an ordinary key). */
const NOT_NUMERIC = -2;
/** A canonical numeric string that is not an integer index ("-0", "1.5", "-1", "NaN"). */
const NOT_INDEX = -1;

/** ECMAScript's CanonicalNumericIndexString for typed arrays: an index >= 0, NOT_INDEX or NOT_NUMERIC. */
function numericKey(key: string | symbol): number {
  if (typeof key !== "string") return NOT_NUMERIC;
  if (key === "-0") return NOT_INDEX;
  const n = Number(key);
  if (String(n) !== key) return NOT_NUMERIC;
  return Number.isInteger(n) && n >= 0 ? n : NOT_INDEX;
}

/**
 * `subarray(begin, end)`: a tracking view of elements `[begin, end)` of this
 * view's window (relative, clamped to its length now). Without `end`, a
 * length-tracking view's subarray tracks the length too, as natively. O(1).
 */
function subarray(this: unknown, begin?: unknown, end?: unknown): ProxyView {
  const w = windowOf(this);
  w.check();
  const len = w.len;
  const k = relativeIndex(begin, len, 0);
  const tracks = end === undefined && w.end < 0;
  const f = tracks ? -1 : w.begin + Math.max(relativeIndex(end, len, len), k);
  w.check(); // a conversion may have freed the array
  // ...or shrunk it below the new window: RangeError, as a native typed array made over too short a buffer.
  const n = w.array.len;
  if (w.begin + k > n || f > n)
    throw new RangeError(`subarray: elements [${w.begin + k}, ${f < 0 ? n : f}) are out of bounds of length ${n}`);
  return trackingWindow(w.array, w.begin + k, f);
}

const HANDLER: ProxyHandler<TrackTarget> = {
  get(t, key) {
    if (key === WINDOW) return t;
    const v = current(t);
    if (typeof key === "string") {
      if (Object.hasOwn(TRACKED_METHODS, key)) return TRACKED_METHODS[key];
      if (key === "subarray") return subarray;
    } else if (key === Symbol.iterator) return TRACKED_METHODS[key as unknown as string];
    else if (key === INSPECT_CUSTOM) return t[INSPECT_CUSTOM];
    return Reflect.get(v, key);
  },
  set(t, key, value) {
    const i = numericKey(key);
    if (i === NOT_NUMERIC) return false;
    const x = toElement(t.kind, value); // as native: converted first, even for an index out of range
    t.check();
    if (i >= 0 && i < t.len) t.array.set(t.begin + i, x);
    return true;
  },
  has(t, key) {
    return Reflect.has(current(t), key);
  },
  ownKeys(t) {
    return Reflect.ownKeys(current(t));
  },
  getOwnPropertyDescriptor(t, key) {
    return Reflect.getOwnPropertyDescriptor(current(t), key);
  },
  defineProperty(t, key, desc) {
    const i = numericKey(key);
    t.check();
    if (i < 0 || i >= t.len || !("value" in desc)) return Reflect.defineProperty(current(t), key, desc);
    if (desc.configurable === false || desc.enumerable === false || desc.writable === false) return false;
    t.array.set(t.begin + i, toElement(t.kind, desc.value));
    return true;
  },
  deleteProperty(t, key) {
    return Reflect.deleteProperty(current(t), key);
  },
  getPrototypeOf(t) {
    return Reflect.getPrototypeOf(current(t));
  },
  setPrototypeOf(t, proto) {
    return Reflect.setPrototypeOf(current(t), proto);
  },
  isExtensible() {
    return true;
  },
  preventExtensions() {
    return false;
  },
};

/** A tracking view of elements `[begin, end)` of `array` (`end` -1: to its length). */
function trackingWindow(array: Tracked, begin: number, end: number): ProxyView {
  return new Proxy(new TrackTarget(array, begin, end), HANDLER) as unknown as ProxyView;
}

/** A proxy view of the embedded array `array` that tracks its block and length (see the module comment). @internal */
export function trackingView(array: Tracked): ProxyView {
  current(new TrackTarget(array, 0, -1)); // ReleasedError now, as `proxy()` of a released array
  return trackingWindow(array, 0, -1);
}
