/**
 * Drafts of typed arrays: Proxies with the native TypedArray API over the
 * embedded Cow*Array of the session's fork; index assignment converts as the
 * native array does; bulk methods record one patch per element they change.
 *
 * @module
 */

import { relativeIndex, toIntegerOrInfinity } from "@pagefork/core";
import { NODE, viaProxy } from "./brand.js";
import { type ArrayHandle, handleOf } from "./containers.js";
import { indexOf } from "./indices.js";
import { INSPECT, type InspectFn, type InspectOptions, plainInspect } from "./inspect.js";
import type { Patch } from "./patch-types.js";
import { setReconciler } from "./reconcile.js";
import type { TypedArrayType } from "./schema.js";
import { type DraftNode, draftOf, emit, poison, type Session, touch } from "./session.js";
import { READ_METHODS, typedProperty } from "./typed-methods.js";
import { jsonOf } from "./values.js";
import { copyRange } from "./view-collections.js";

/** The target of a typed-array draft Proxy. */
class TypedDraft implements DraftNode {
  readonly session: Session;
  readonly type: TypedArrayType;
  readonly addr: number;
  parent: DraftNode | null;
  key: unknown;
  detached: boolean;
  dirty: boolean;
  readonly origStamp: number;
  readonly proxy: object;
  /** One element of the kind, shared by every draft of the kind: converts a value as the native array would. */
  readonly scratch: Float64Array;
  constructor(session: Session, type: TypedArrayType, addr: number, origStamp: number) {
    this.session = session;
    this.type = type;
    this.addr = addr;
    this.parent = null;
    this.key = undefined;
    this.detached = false;
    this.dirty = false;
    this.origStamp = origStamp;
    this.scratch = scratchOf(type);
    this.proxy = new Proxy(this, TYPED_DRAFT);
  }
  get isDraft(): boolean {
    return true;
  }
  ctx(): Session {
    return this.session;
  }
  handle(): ArrayHandle {
    this.session.usable();
    return handleOf(this.session, this.type, this.addr, false) as ArrayHandle;
  }
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    const rec = viaProxy(this);
    const h = rec.handle();
    return inspect(copyRange(h, rec.type.ctor, 0, Math.min(h.length, 100)), options);
  }
}

/**
 * One-element arrays of each kind, by constructor: a draft converts a value
 * by writing it to one and reading it back. Shared, because the conversion
 * is synchronous and reads the element right away; a typed array per draft
 * cost a ~100 ns allocation per produce that touched a typed array.
 */
const SCRATCH = new Map<TypedArrayType["ctor"], Float64Array>();

function scratchOf(type: TypedArrayType): Float64Array {
  let a = SCRATCH.get(type.ctor);
  if (a === undefined) {
    a = new type.ctor(1) as Float64Array;
    SCRATCH.set(type.ctor, a);
  }
  return a;
}

/** JSON form of one element. */
function elementJson(x: number | bigint): unknown {
  return typeof x === "bigint" ? String(x) : x;
}

/**
 * Runs `op` on elements `[start, end)` of a typed draft and records what it
 * changed: the range is snapshot before and after, the node is dirty and
 * one replace patch is emitted per element that changed. O(end - start).
 */
function changeRange(rec: TypedDraft, start: number, end: number, op: (h: ArrayHandle) => void): void {
  const s = rec.session;
  const h = rec.handle();
  if (end <= start) return;
  const before = copyRange(h, rec.type.ctor, start, end);
  s.write(() => op(h));
  const after = copyRange(h, rec.type.ctor, start, end);
  const changed: number[] = [];
  for (let j = 0; j < before.length; j++) if (!Object.is(before[j], after[j])) changed.push(j);
  if (changed.length === 0) return;
  touch(rec);
  emit(rec, (p) => [
    changed.map((j) => ({ op: "replace", path: [...p, start + j], value: elementJson(after[j] as number) }) as Patch),
    changed.map((j) => ({ op: "replace", path: [...p, start + j], value: elementJson(before[j] as number) }) as Patch),
  ]);
}

/** Writes `src` over `h` from 0, one `set` per run of elements that differ (by Object.is). O(n). */
function writeRuns(h: ArrayHandle, src: Float64Array): void {
  const n = src.length;
  let i = 0;
  while (i < n) {
    if (Object.is(h.get(i), src[i])) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && !Object.is(h.get(j), src[j])) j++;
    h.set(src.subarray(i, j), i);
    i = j;
  }
}

type TypedThis = { [NODE]: TypedDraft };

const TYPED_METHODS: Record<string, (this: TypedThis, ...args: unknown[]) => unknown> = {
  set(source, offset) {
    const rec = this[NODE];
    const len = rec.type.length;
    const off = toIntegerOrInfinity(offset); // as native: a bigint or symbol offset throws TypeError
    if (off < 0) throw new RangeError("offset is out of bounds");
    // As the native set (%TypedArray%.prototype.set, "SetTypedArrayFromArrayLike"):
    // the source is ToObject'd (a string is an array-like of its characters, a
    // number or boolean has no length: nothing is written; null and undefined
    // throw TypeError), its length is ToLength(source.length), and its elements
    // are read by index, never through its iterator.
    if (source === null || source === undefined)
      throw new TypeError(`cannot convert ${source} to an object (the source of a typed array's set)`);
    const src = Object(source) as { readonly length?: unknown; readonly [k: number]: unknown };
    const n = Math.min(Math.max(toIntegerOrInfinity(src.length), 0), Number.MAX_SAFE_INTEGER);
    if (off + n > len) throw new RangeError("offset is out of bounds");
    // converts every element as the native set does (TypeError for BigInt/Number mixing), before any write
    const native = new rec.type.ctor(n) as unknown as unknown[];
    for (let k = 0; k < n; k++) native[k] = src[k];
    changeRange(rec, off, off + n, (h) => h.set(native as unknown as Float64Array, off));
  },
  fill(value, start, end) {
    const rec = this[NODE];
    const len = rec.type.length;
    rec.scratch[0] = value as number; // converts (throws TypeError for a number into a BigInt kind, as natively)
    const v = rec.scratch[0] as number;
    const a = relativeIndex(start, len, 0);
    const b = relativeIndex(end, len, len);
    changeRange(rec, a, b, (h) => h.fill(v, a, b));
    return this;
  },
  copyWithin(target, start, end) {
    const rec = this[NODE];
    const len = rec.type.length;
    const t = relativeIndex(target, len, 0);
    const a = relativeIndex(start, len, 0);
    const b = relativeIndex(end, len, len);
    const count = Math.min(b - a, len - t);
    changeRange(rec, t, t + Math.max(count, 0), (h) => h.copyWithin(t, a, b));
    return this;
  },
  sort(compare) {
    const rec = this[NODE];
    if (compare !== undefined && typeof compare !== "function")
      throw new TypeError("The comparison function must be either a function or undefined");
    const len = rec.type.length;
    // The comparator is the caller's code: it runs on a native copy, outside the
    // session's write, so that a comparator that throws changes nothing and the
    // recipe may catch it and go on, as with a native sort (inside the write, its
    // throw poisoned the session and failed the whole produce). Then only the
    // runs of elements that moved are written: sorting sorted data copies nothing.
    const sorted = copyRange(rec.handle(), rec.type.ctor, 0, len) as Float64Array;
    sorted.sort(compare as ((a: number, b: number) => number) | undefined);
    changeRange(rec, 0, len, (h) => writeRuns(h, sorted));
    return this;
  },
  reverse() {
    const rec = this[NODE];
    changeRange(rec, 0, rec.type.length, (h) => h.reverse());
    return this;
  },
  subarray() {
    // A native subarray shares its buffer: writes through it change this
    // array. A draft cannot hand out such a window without bypassing its
    // patches, so it refuses instead of returning a copy that would silently
    // drop writes.
    throw new TypeError("subarray() of a typed-array draft: use slice() for a copy, or index the draft to write");
  },
  toJSON() {
    const rec = this[NODE];
    rec.session.usable();
    return jsonOf(rec.session, rec.type, rec.addr);
  },
  *values() {
    const rec = this[NODE];
    const h = rec.handle();
    for (let i = 0; i < h.length; i++) yield h.get(i);
  },
};

// The methods that only read (shared with views), after the ones above.
for (const name of Object.keys(READ_METHODS))
  if (!Object.hasOwn(TYPED_METHODS, name)) TYPED_METHODS[name] = READ_METHODS[name] as (typeof TYPED_METHODS)[string];

const TYPED_DRAFT: ProxyHandler<TypedDraft> = {
  get(rec, prop) {
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) {
        const h = rec.handle();
        return i < h.length ? h.get(i) : undefined;
      }
      if (prop === "length") return rec.type.length;
      if (Object.hasOwn(TYPED_METHODS, prop)) return TYPED_METHODS[prop];
    } else if (prop === NODE) return rec;
    else if (prop === Symbol.iterator) return TYPED_METHODS.values;
    return typedProperty(rec, prop);
  },
  set(rec, prop, value) {
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) {
        rec.scratch[0] = value as number; // the native conversion (and its TypeError), before the range check as natively
        const v = rec.scratch[0] as number;
        const h = rec.handle();
        if (i >= h.length) return true; // out of range: ignored, as natively
        const old = h.get(i) as number;
        if (Object.is(old, v)) return true;
        const s = rec.session;
        try {
          h.set(i, v);
        } catch (e) {
          poison(s, e);
        }
        touch(rec);
        if (s.patches !== null)
          emit(rec, (p) => [
            [{ op: "replace", path: [...p, i], value: elementJson(v) }],
            [{ op: "replace", path: [...p, i], value: elementJson(old) }],
          ]);
        return true;
      }
      // A numeric key that is no index ("-1", "1.5", "-0", "NaN", "1e+21"): a native
      // typed array converts the value (its TypeError included) and ignores the write.
      if (prop === "-0" || String(Number(prop)) === prop) {
        rec.scratch[0] = value as number;
        return true;
      }
    }
    throw new TypeError(`cannot set property ${String(prop)} of a typed-array draft`);
  },
  has(rec, prop) {
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) return i < rec.type.length;
    }
    return prop === "length";
  },
  ownKeys(rec) {
    return Array.from({ length: rec.type.length }, (_, i) => String(i));
  },
  getOwnPropertyDescriptor(rec, prop) {
    if (typeof prop !== "string") return undefined;
    const i = indexOf(prop);
    if (i < 0 || i >= rec.type.length) return undefined;
    return { value: rec.handle().get(i), writable: true, enumerable: true, configurable: true };
  },
  deleteProperty() {
    throw new TypeError("cannot delete an element of a typed array");
  },
  defineProperty(_rec, prop) {
    throw new TypeError(`cannot define property ${String(prop)} on a draft: assign it`);
  },
};

/** A new typed-array draft record. */
export function newTypedDraft(s: Session, type: TypedArrayType, addr: number, origStamp: number): DraftNode {
  return new TypedDraft(s, type, addr, origStamp);
}

// An array or typed array assigned over a typed array (see reconcile in
// reconcile.ts): its elements converted as `set` converts them, then only the
// runs that differ written, so the pages of the rest stay shared: Immer's
// `d.grid = next` (a copy with a few cells changed) copied every page of the
// array. O(length) reads and compares, O(pages that differ) copies.
setReconciler("typedArray", (s, type, addr, value, parent, key) => {
  const t = type as TypedArrayType;
  const src = value as ArrayLike<unknown>;
  const rec = draftOf(s, type, addr, parent, key) as TypedDraft;
  const next = new t.ctor(t.length) as unknown as unknown[];
  for (let k = 0; k < t.length; k++) next[k] = src[k];
  changeRange(rec, 0, t.length, (h) => writeRuns(h, next as unknown as Float64Array));
  return true;
});
