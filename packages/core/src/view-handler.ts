/**
 * How a proxy view behaves: the one module-level Proxy handler (after immer's
 * `proxy.ts`: one handler object, the state in the target, no closure per
 * view) and the module-level prototype that holds the TypedArray methods.
 * Methods find their view's state through `this[STATE]`, which the `get`
 * trap answers with the target.
 *
 * @module
 */

import type { NativeTypedArray } from "./element-kind.js";
import { relativeIndex } from "./relative-index.js";
import {
  convert,
  copyIn,
  copyOut,
  live,
  load,
  NOT_INDEX,
  NOT_NUMERIC,
  numericKey,
  STATE,
  scan,
  searchable,
  store,
  targetOf,
  ViewTarget,
} from "./view-target.js";

/** Elements read per bulk copy by the backward scan of `lastIndexOf` (32 KiB of float64). */
const SCAN_CHUNK = 4096;

/** The state of a method's receiver; TypeError for a receiver that is not a view, ReleasedError after release. */
function self(receiver: unknown): ViewTarget {
  return live(meta(receiver));
}

/** The state of an accessor's receiver, released or not (`length` and friends still answer after release). */
function meta(receiver: unknown): ViewTarget {
  const t = targetOf(receiver);
  if (t === undefined) throw new TypeError("the receiver is not a pagefork proxy view");
  return t;
}

function callable(fn: unknown, method: string): asserts fn is (...args: unknown[]) => unknown {
  if (typeof fn !== "function") throw new TypeError(`${method}: the callback is not a function`);
}

/** ECMAScript ToIntegerOrInfinity (ToNumber throws TypeError for a BigInt or a Symbol, as native). */
function integer(v: unknown): number {
  const n = +(v as number);
  return Number.isNaN(n) || n === 0 ? 0 : Math.trunc(n);
}

/** Values, keys and entries iterators: each step reads the element live, as native array iterators do. */
function* valuesOf(t: ViewTarget): Generator<number | bigint, undefined, unknown> {
  for (let i = 0; i < t.length; i++) yield load(live(t), i);
  return undefined;
}
function* keysOf(t: ViewTarget): Generator<number, undefined, unknown> {
  for (let i = 0; i < t.length; i++) yield i;
  return undefined;
}
function* entriesOf(t: ViewTarget): Generator<[number, number | bigint], undefined, unknown> {
  for (let i = 0; i < t.length; i++) yield [i, load(live(t), i)];
  return undefined;
}

type Callback = (value: unknown, index: number, view: unknown) => unknown;

/**
 * The prototype of every view. Class syntax makes the methods non-enumerable,
 * as on `%TypedArray%.prototype`. `this` is the proxy.
 */
class ViewPrototype {
  get length(): number {
    return meta(this).length;
  }
  get byteLength(): number {
    const t = meta(this);
    return t.length * t.width;
  }
  get byteOffset(): number {
    return meta(this).byteOffset;
  }
  get BYTES_PER_ELEMENT(): number {
    return meta(this).width;
  }
  get [Symbol.toStringTag](): string | undefined {
    const t = targetOf(this);
    return t === undefined ? undefined : t.kind.Native.name;
  }
  at(index: unknown): unknown {
    const t = self(this);
    let k = integer(index);
    if (k < 0) k += t.length;
    return k >= 0 && k < t.length ? load(t, k) : undefined;
  }
  indexOf(value: unknown, fromIndex?: unknown): number {
    const t = self(this);
    const from = relativeIndex(fromIndex, t.length, 0);
    return searchable(t, value) ? scan(t, from, value, false) : -1;
  }
  includes(value: unknown, fromIndex?: unknown): boolean {
    const t = self(this);
    const from = relativeIndex(fromIndex, t.length, 0);
    return searchable(t, value) && scan(t, from, value, Number.isNaN(value)) >= 0;
  }
  lastIndexOf(value: unknown, ...fromIndex: unknown[]): number {
    const t = self(this);
    const len = t.length;
    if (len === 0) return -1;
    const n = fromIndex.length > 0 ? integer(fromIndex[0]) : len - 1;
    let k = n >= 0 ? Math.min(n, len - 1) : len + n;
    if (!searchable(t, value)) return -1;
    while (k >= 0) {
      const from = Math.max(0, k - SCAN_CHUNK + 1);
      const a = copyOut(t, from, k + 1);
      for (let i = a.length - 1; i >= 0; i--) if (a[i] === value) return from + i;
      k = from - 1;
    }
    return -1;
  }
  find(fn: Callback, thisArg?: unknown): unknown {
    const t = self(this);
    callable(fn, "find");
    for (let i = 0; i < t.length; i++) {
      const v = load(t, i);
      if (fn.call(thisArg, v, i, this)) return v;
    }
    return undefined;
  }
  findIndex(fn: Callback, thisArg?: unknown): number {
    const t = self(this);
    callable(fn, "findIndex");
    for (let i = 0; i < t.length; i++) if (fn.call(thisArg, load(t, i), i, this)) return i;
    return -1;
  }
  findLast(fn: Callback, thisArg?: unknown): unknown {
    const t = self(this);
    callable(fn, "findLast");
    for (let i = t.length - 1; i >= 0; i--) {
      const v = load(t, i);
      if (fn.call(thisArg, v, i, this)) return v;
    }
    return undefined;
  }
  findLastIndex(fn: Callback, thisArg?: unknown): number {
    const t = self(this);
    callable(fn, "findLastIndex");
    for (let i = t.length - 1; i >= 0; i--) if (fn.call(thisArg, load(t, i), i, this)) return i;
    return -1;
  }
  every(fn: Callback, thisArg?: unknown): boolean {
    const t = self(this);
    callable(fn, "every");
    for (let i = 0; i < t.length; i++) if (!fn.call(thisArg, load(t, i), i, this)) return false;
    return true;
  }
  some(fn: Callback, thisArg?: unknown): boolean {
    const t = self(this);
    callable(fn, "some");
    for (let i = 0; i < t.length; i++) if (fn.call(thisArg, load(t, i), i, this)) return true;
    return false;
  }
  forEach(fn: Callback, thisArg?: unknown): void {
    const t = self(this);
    callable(fn, "forEach");
    for (let i = 0; i < t.length; i++) fn.call(thisArg, load(t, i), i, this);
  }
  map(fn: Callback, thisArg?: unknown): NativeTypedArray {
    const t = self(this);
    callable(fn, "map");
    const out = new t.kind.Native(t.length);
    for (let i = 0; i < t.length; i++) out[i] = fn.call(thisArg, load(t, i), i, this) as never;
    return out;
  }
  filter(fn: Callback, thisArg?: unknown): NativeTypedArray {
    const t = self(this);
    callable(fn, "filter");
    const kept: unknown[] = [];
    for (let i = 0; i < t.length; i++) {
      const v = load(t, i);
      if (fn.call(thisArg, v, i, this)) kept.push(v);
    }
    return new t.kind.Native(kept as never[]);
  }
  reduce(fn: (acc: unknown, value: unknown, index: number, view: unknown) => unknown, ...init: unknown[]): unknown {
    const t = self(this);
    callable(fn, "reduce");
    let k = 0;
    let acc: unknown;
    if (init.length > 0) acc = init[0];
    else if (t.length === 0) throw new TypeError("reduce of an empty view with no initial value");
    else acc = load(t, k++);
    for (; k < t.length; k++) acc = fn(acc, load(t, k), k, this);
    return acc;
  }
  reduceRight(
    fn: (acc: unknown, value: unknown, index: number, view: unknown) => unknown,
    ...init: unknown[]
  ): unknown {
    const t = self(this);
    callable(fn, "reduceRight");
    let k = t.length - 1;
    let acc: unknown;
    if (init.length > 0) acc = init[0];
    else if (t.length === 0) throw new TypeError("reduceRight of an empty view with no initial value");
    else acc = load(t, k--);
    for (; k >= 0; k--) acc = fn(acc, load(t, k), k, this);
    return acc;
  }
  join(separator?: string): string {
    const t = self(this);
    return copyOut(t, 0, t.length).join(separator);
  }
  toString(): string {
    return this.join();
  }
  toLocaleString(locales?: string | string[], options?: Intl.NumberFormatOptions): string {
    const t = self(this);
    return copyOut(t, 0, t.length).toLocaleString(locales, options);
  }
  slice(start?: unknown, end?: unknown): NativeTypedArray {
    const t = self(this);
    const k = relativeIndex(start, t.length, 0);
    const f = relativeIndex(end, t.length, t.length);
    return copyOut(t, k, Math.max(k, f));
  }
  subarray(begin?: unknown, end?: unknown): unknown {
    const t = self(this);
    const k = relativeIndex(begin, t.length, 0);
    const f = relativeIndex(end, t.length, t.length);
    return new Proxy(new ViewTarget(t.space, t.kind, t.byteOffset + k * t.width, Math.max(f - k, 0)), HANDLER);
  }
  toSorted(compare?: unknown): NativeTypedArray {
    if (compare !== undefined) callable(compare, "toSorted");
    const t = self(this);
    return copyOut(t, 0, t.length).sort(compare as never);
  }
  toReversed(): NativeTypedArray {
    const t = self(this);
    return copyOut(t, 0, t.length).reverse();
  }
  with(index: unknown, value: unknown): NativeTypedArray {
    const t = self(this);
    const rel = integer(index);
    const k = rel >= 0 ? rel : t.length + rel;
    const v = convert(t, value);
    if (!(k >= 0 && k < t.length)) throw new RangeError(`with: index ${rel} is out of range for length ${t.length}`);
    const out = copyOut(t, 0, t.length);
    out[k] = v as never;
    return out;
  }
  keys(): Generator<number, undefined, unknown> {
    return keysOf(self(this));
  }
  values(): Generator<number | bigint, undefined, unknown> {
    return valuesOf(self(this));
  }
  entries(): Generator<[number, number | bigint], undefined, unknown> {
    return entriesOf(self(this));
  }
  [Symbol.iterator](): Generator<number | bigint, undefined, unknown> {
    return valuesOf(self(this));
  }

  // ---- mutating methods: each validates and converts first, then writes through the fault path ----

  fill(value: unknown, start?: unknown, end?: unknown): this {
    const t = self(this);
    const v = convert(t, value);
    const k = relativeIndex(start, t.length, 0);
    const f = relativeIndex(end, t.length, t.length);
    if (k >= f) return this;
    // Write-mode spans check protection and reserve every frame before the first write.
    for (const c = t.space.spans(t.kind.Native, t.byteOffset + k * t.width, f - k, "write"); c.next(); )
      (c.array as { fill(v: unknown, s: number, e: number): unknown }).fill(v, c.start, c.end);
    return this;
  }
  set(source: unknown, offset?: unknown): void {
    const t = self(this);
    const off = integer(offset);
    if (off < 0) throw new RangeError(`set: offset ${off} is negative`);
    let src: NativeTypedArray;
    const view = targetOf(source);
    if (view !== undefined || (ArrayBuffer.isView(source) && !(source instanceof DataView))) {
      const from = view === undefined ? (source as NativeTypedArray) : copyOut(live(view), 0, view.length);
      // Range first, then content type: the spec's order (SetTypedArrayFromTypedArray).
      if (from.length + off > t.length)
        throw new RangeError(`set: ${from.length} elements at ${off} overflow length ${t.length}`);
      const big = from instanceof BigInt64Array || from instanceof BigUint64Array;
      if (big !== t.kind.bigint) throw new TypeError("set: cannot mix BigInt and Number typed arrays");
      src = from.constructor === t.kind.Native ? from : new t.kind.Native(from as never);
    } else {
      if (source === null || source === undefined) throw new TypeError(`set: cannot convert ${source} to an object`);
      const o = Object(source) as ArrayLike<unknown>;
      const n = Math.min(Math.max(integer(o.length), 0), Number.MAX_SAFE_INTEGER);
      if (n + off > t.length) throw new RangeError(`set: ${n} elements at ${off} overflow length ${t.length}`);
      // Converted into a native array first: a valueOf that throws leaves the view unchanged.
      src = new t.kind.Native(n);
      for (let k = 0; k < n; k++) src[k] = o[k] as never;
    }
    copyIn(t, off, src);
  }
  copyWithin(target: unknown, start: unknown, end?: unknown): this {
    const t = self(this);
    const len = t.length;
    const to = relativeIndex(target, len, 0);
    const from = relativeIndex(start, len, 0);
    const count = Math.min(relativeIndex(end, len, len) - from, len - to);
    if (count > 0) {
      const w = t.width;
      t.space.copyWithin(t.byteOffset + to * w, t.byteOffset + from * w, t.byteOffset + (from + count) * w);
    }
    return this;
  }
  reverse(): this {
    const t = self(this);
    copyIn(t, 0, copyOut(t, 0, t.length).reverse());
    return this;
  }
  sort(compare?: unknown): this {
    if (compare !== undefined) callable(compare, "sort");
    const t = self(this);
    // As the spec's SortIndexedProperties: read all, sort, write back; a throwing comparator writes nothing.
    copyIn(t, 0, copyOut(t, 0, t.length).sort(compare as never));
    return this;
  }
}

/** The prototype every view reports (`Object.getPrototypeOf(view)`); its own prototype is `Object.prototype`. */
export const VIEW_PROTOTYPE: object = ViewPrototype.prototype;
// `view.constructor` is the native constructor of the view's kind, so generic
// code can allocate a native array of the same kind (`new view.constructor(n)`).
Object.defineProperty(VIEW_PROTOTYPE, "constructor", {
  get(this: unknown) {
    return targetOf(this)?.kind.Native;
  },
  enumerable: false,
  configurable: true,
});

/**
 * The one handler of every view. Integer-index keys read and write elements
 * (writes through the space's setters: COW faults, protection, release
 * checks); other canonical numeric keys read undefined and ignore writes;
 * everything else is looked up on {@link VIEW_PROTOTYPE}. Views refuse new
 * non-index properties, prototype changes and `Object.preventExtensions`, so
 * the traps' answers stay consistent with the target's (Proxy invariants).
 */
export const HANDLER: ProxyHandler<ViewTarget> = {
  get(t, key, receiver) {
    if (typeof key === "string") {
      const i = numericKey(key);
      if (i >= 0) return i < t.length ? load(t, i) : undefined;
      if (i === NOT_INDEX) return undefined;
      if (key === "length") return t.length;
    } else if (key === STATE) return t;
    return Reflect.get(VIEW_PROTOTYPE, key, receiver);
  },
  set(t, key, value) {
    const i = numericKey(key);
    if (i === NOT_NUMERIC) return false;
    // As native: convert first (even for an index out of range), then store if in range.
    const v = convert(t, value);
    if (i >= 0 && i < t.length) store(t, i, v);
    return true;
  },
  has(t, key) {
    const i = numericKey(key);
    if (i !== NOT_NUMERIC) return i >= 0 && i < t.length;
    return key !== STATE && key in VIEW_PROTOTYPE;
  },
  ownKeys(t) {
    const keys = new Array<string>(t.length);
    for (let i = 0; i < t.length; i++) keys[i] = String(i);
    return keys;
  },
  getOwnPropertyDescriptor(t, key) {
    const i = numericKey(key);
    if (i < 0 || i >= t.length) return undefined;
    return { value: load(t, i), writable: true, enumerable: true, configurable: true };
  },
  defineProperty(t, key, desc) {
    // As native IntegerIndexedDefineOwnProperty; non-index keys are refused.
    const i = numericKey(key);
    if (i < 0 || i >= t.length) return false;
    if (desc.configurable === false || desc.enumerable === false || desc.writable === false) return false;
    if (desc.get !== undefined || desc.set !== undefined) return false;
    if ("value" in desc) store(t, i, convert(t, desc.value));
    return true;
  },
  deleteProperty(t, key) {
    const i = numericKey(key);
    return !(i >= 0 && i < t.length);
  },
  getPrototypeOf() {
    return VIEW_PROTOTYPE;
  },
  setPrototypeOf(_t, proto) {
    return proto === VIEW_PROTOTYPE;
  },
  isExtensible() {
    return true;
  },
  preventExtensions() {
    return false;
  },
};
