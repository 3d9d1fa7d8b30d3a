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
 * page under the array's checks, see `setSlow`), the mutating methods (`fill`,
 * `set`, `copyWithin`, `reverse`, `sort`) are the array's own (each clamps to
 * a vector that shrinks meanwhile and reserves first), and after `free()`
 * every access throws {@link ReleasedError}, as the array does. A standalone
 * array's view needs none of this (its space is its own: nothing else lives
 * there) and stays the core's view.
 *
 * Cost: a second Proxy trap and a check per access (views are for handing
 * COW memory to code written for typed arrays, never for hot loops).
 *
 * @module
 */
import { INSPECT_CUSTOM, type InspectFunction, type InspectOptions, type ProxyView } from "@pagefork/core";
import { toElement } from "./kinds.js";
import type { ElementView } from "./view.js";

/** What the view needs of its array: the element view plus its public methods. */
interface Tracked extends ElementView {
  set(a: unknown, b?: unknown): void;
  fill(value: unknown, start?: number, end?: number): unknown;
  copyWithin(target: number, start: number, end?: number): unknown;
  reverse(): unknown;
  sort(comparator?: unknown): unknown;
}

/** The key under which the handler hands out a tracking view's array. */
const ARRAY: unique symbol = Symbol("@pagefork/array tracked view");

/** The Proxy's target: the array, and the core view of its block as last seen. */
class TrackTarget {
  readonly array: Tracked;
  /** The array, under the key the proxy answers it by (so the inspect method works on either). */
  get [ARRAY](): Tracked {
    return this.array;
  }
  view: ProxyView | null;
  at: number;
  n: number;
  constructor(array: Tracked) {
    this.array = array;
    this.view = null;
    this.at = -1;
    this.n = -1;
  }

  /** How `console.log` shows the view: as the core's view of the array's block now. Node calls it on the proxy. */
  [INSPECT_CUSTOM](_depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    const a = (this as unknown as { [ARRAY]: Tracked })[ARRAY];
    if (a.isReleased) return `${a.kind.Native.name} view <released>`;
    const v = a.space.view(a.kind.Native, a.byteOffset, a.len);
    return inspect === undefined ? String(v) : inspect(v, options);
  }
}

/** The core view of the array's block and length now. @throws {ReleasedError} once the array was freed. */
function current(t: TrackTarget): ProxyView {
  const a = t.array;
  a.check();
  if (t.view === null || t.at !== a.byteOffset || t.n !== a.len) {
    t.view = a.space.view(a.kind.Native, a.byteOffset, a.len);
    t.at = a.byteOffset;
    t.n = a.len;
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

/** The mutating methods, answered by the array's own (which check, clamp and reserve). */
const MUTATORS: Record<string, (this: unknown, ...args: unknown[]) => unknown> = {
  fill(this: unknown, value: unknown, start?: unknown, end?: unknown) {
    arrayOf(this).fill(value, start as number, end as number);
    return this;
  },
  set(this: unknown, source: unknown, offset?: unknown) {
    // The bulk form only: a number source is an array-like of length 0, as natively.
    arrayOf(this).set(typeof source === "number" ? Object(source) : source, offset);
  },
  copyWithin(this: unknown, target: unknown, start: unknown, end?: unknown) {
    arrayOf(this).copyWithin(target as number, start as number, end as number);
    return this;
  },
  reverse(this: unknown) {
    arrayOf(this).reverse();
    return this;
  },
  sort(this: unknown, comparator?: unknown) {
    arrayOf(this).sort(comparator);
    return this;
  },
};

function arrayOf(view: unknown): Tracked {
  const a = typeof view === "object" && view !== null ? (view as { [ARRAY]?: Tracked })[ARRAY] : undefined;
  if (a === undefined) throw new TypeError("this is not a proxy view of an embedded array");
  return a;
}

const HANDLER: ProxyHandler<TrackTarget> = {
  get(t, key) {
    if (key === ARRAY) return t.array;
    const v = current(t);
    if (typeof key === "string" && Object.hasOwn(MUTATORS, key)) return MUTATORS[key];
    return Reflect.get(v, key);
  },
  set(t, key, value) {
    const i = numericKey(key);
    if (i === NOT_NUMERIC) return false;
    const a = t.array;
    const x = toElement(a.kind, value); // as native: converted first, even for an index out of range
    a.check();
    if (i >= 0 && i < a.len) a.set(i, x);
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
    const a = t.array;
    a.check();
    if (i < 0 || i >= a.len || !("value" in desc)) return Reflect.defineProperty(current(t), key, desc);
    if (desc.configurable === false || desc.enumerable === false || desc.writable === false) return false;
    a.set(i, toElement(a.kind, desc.value));
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

/** A proxy view of the embedded array `array` that tracks its block and length (see the module comment). @internal */
export function trackingView(array: Tracked): ProxyView {
  current(new TrackTarget(array)); // ReleasedError now, as `proxy()` of a released array
  return new Proxy(new TrackTarget(array), HANDLER) as unknown as ProxyView;
}
