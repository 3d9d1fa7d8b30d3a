/**
 * The TypedArray methods that do not write, shared by typed-array views and
 * drafts, as `TypedArray.prototype` has them: callbacks get the view or draft
 * itself as their `array` argument (never the embedded Cow*Array, whose
 * writes would bypass the read-only check or the draft's patches), and the
 * methods that make a new array (`slice`, `subarray` on views, `map`,
 * `filter`, `toSorted`, `toReversed`, `with`) return native typed arrays.
 *
 * @module
 */

import { relativeIndex, toIntegerOrInfinity } from "@pagefork/core";
import { NODE } from "./brand.js";
import type { ArrayHandle } from "./containers.js";
import type { NativeArray, TypedArrayType } from "./schema.js";
import { copyRange } from "./view-collections.js";

/** What a typed-array view or draft record gives these methods. */
export interface TypedRecord {
  readonly type: TypedArrayType;
  readonly proxy: object;
  handle(): ArrayHandle;
}

type This = { [NODE]: TypedRecord };
type Fn = (...a: unknown[]) => unknown;

function callable(fn: unknown, name: string): Fn {
  if (typeof fn !== "function") throw new TypeError(`${String(fn)} is not a function (${name} callback)`);
  return fn as Fn;
}

/** All elements copied into a new native array. O(n). */
function snapshot(rec: TypedRecord): NativeArray {
  const h = rec.handle();
  return copyRange(h, rec.type.ctor, 0, h.length);
}

/** Calls `h[name](...args)`: the handle's own (tested) conversions and errors. */
function forward(h: ArrayHandle, name: string, args: unknown[]): unknown {
  const m = (h as unknown as Record<string, Fn>)[name] as Fn;
  return m.apply(h, args);
}

/** `name(callback, thisArg)` forwarded with the callback's `array` argument the view or draft. */
function iterating(name: string): (this: This, ...args: unknown[]) => unknown {
  return function (this: This, fn: unknown, thisArg?: unknown): unknown {
    const rec = this[NODE];
    const f = callable(fn, name);
    const proxy = rec.proxy;
    return forward(rec.handle(), name, [(v: unknown, k: number) => f.call(thisArg, v, k, proxy)]);
  };
}

/** `reduce`/`reduceRight` forwarded with the callback's `array` argument the view or draft. */
function reducing(name: string): (this: This, ...args: unknown[]) => unknown {
  return function (this: This, ...args: unknown[]): unknown {
    const rec = this[NODE];
    const f = callable(args[0], name);
    const proxy = rec.proxy;
    const w = (acc: unknown, v: unknown, k: number) => f(acc, v, k, proxy);
    return forward(rec.handle(), name, args.length > 1 ? [w, args[1]] : [w]);
  };
}

/** Methods that only read, by name (the view and the draft add their own on top). */
export const READ_METHODS: Record<string, (this: This, ...args: unknown[]) => unknown> = {
  slice(start, end) {
    const rec = this[NODE];
    const h = rec.handle();
    const len = h.length;
    return copyRange(h, rec.type.ctor, relativeIndex(start, len, 0), relativeIndex(end, len, len));
  },
  map(fn, thisArg) {
    const rec = this[NODE];
    const f = callable(fn, "map");
    const h = rec.handle();
    const len = h.length;
    const out = new rec.type.ctor(len) as unknown as unknown[];
    for (let k = 0; k < len; k++) out[k] = f.call(thisArg, rec.handle().get(k), k, rec.proxy);
    return out;
  },
  filter(fn, thisArg) {
    const rec = this[NODE];
    const f = callable(fn, "filter");
    const len = rec.handle().length;
    const kept: unknown[] = [];
    for (let k = 0; k < len; k++) {
      const v = rec.handle().get(k);
      if (f.call(thisArg, v, k, rec.proxy)) kept.push(v);
    }
    return (rec.type.ctor as unknown as { from(x: unknown[]): NativeArray }).from(kept);
  },
  toSorted(compare) {
    if (compare !== undefined && typeof compare !== "function")
      throw new TypeError("The comparison function must be either a function or undefined");
    return snapshot(this[NODE]).sort(compare as undefined);
  },
  toReversed() {
    return snapshot(this[NODE]).reverse();
  },
  with(index, value) {
    const rec = this[NODE];
    const len = rec.handle().length;
    const rel = toIntegerOrInfinity(index);
    const k = rel >= 0 ? rel : len + rel;
    const scratch = new rec.type.ctor(1) as unknown as unknown[];
    scratch[0] = value; // the native conversion (TypeError mixing BigInt and Number) before the range check
    if (!(k >= 0 && k < len)) throw new RangeError("Invalid typed array index");
    const out = snapshot(rec) as unknown as unknown[];
    out[k] = scratch[0];
    return out;
  },
  find: iterating("find"),
  findIndex: iterating("findIndex"),
  findLast: iterating("findLast"),
  findLastIndex: iterating("findLastIndex"),
  every: iterating("every"),
  some: iterating("some"),
  forEach: iterating("forEach"),
  reduce: reducing("reduce"),
  reduceRight: reducing("reduceRight"),
};

for (const name of ["at", "indexOf", "lastIndexOf", "includes", "join", "entries", "keys", "toLocaleString"]) {
  READ_METHODS[name] = function (this: This, ...args: unknown[]): unknown {
    return forward(this[NODE].handle(), name, args);
  };
}
Object.assign(READ_METHODS, { toString: READ_METHODS.join });

/** The value of a read-only property a native typed array has (`BYTES_PER_ELEMENT`, `byteLength`, `byteOffset`), or undefined. */
export function typedProperty(rec: TypedRecord, prop: string | symbol): unknown {
  const bytes = rec.type.ctor.BYTES_PER_ELEMENT;
  if (prop === "BYTES_PER_ELEMENT") return bytes;
  if (prop === "byteLength") return rec.type.length * bytes;
  if (prop === "byteOffset") return 0;
  if (prop === Symbol.toStringTag) return rec.type.ctor.name;
  return undefined;
}
