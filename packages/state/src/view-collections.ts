/**
 * Read-only views of maps, sets, texts and typed arrays (view.ts has structs
 * and lists). Map and set views extend the native `Map` and `Set` so that
 * `instanceof` holds as it does for Immer's state, but every method is this
 * class's own and reads the pages; their native internal slots stay empty
 * (so `structuredClone(view)` would clone an empty map: use `current(view)`).
 *
 * @module
 */
import type { CowText } from "@pagefork/string";
import { NODE, type NodeRecord, viaProxy } from "./brand.js";
import { defineSetMethods, handleHas, storedSlot } from "./collection-reads.js";
import { type ArrayHandle, type Ctx, handleOf, type MapHandle, type SetHandle } from "./containers.js";
import { throwReadOnly } from "./errors.js";
import { emptyCharAt, emptyCharCodeAt, emptySlice, indexOf, readsOf } from "./indices.js";
import { formatTagged, INSPECT, type InspectFn, type InspectOptions, plainInspect, shownElements } from "./inspect.js";
import type { AnyType, MapType, NativeArray, SetType, TypedArrayConstructor, TypedArrayType } from "./schema.js";
import { decodeKey, decodeMapValue } from "./slots.js";
import { READ_METHODS, typedProperty } from "./typed-methods.js";
import { jsonOf } from "./values.js";
import { liveCtx, type VersionCtx, type ViewFields } from "./version-ctx.js";
import { wrapView } from "./view.js";

// ---------------------------------------------------------------- map

/** A read-only view of a `t.map` value: `ReadonlyMap` semantics (insertion order, SameValueZero keys). */
export class MapView<K = unknown, V = unknown> extends Map<K, V> implements NodeRecord, ViewFields {
  ver: VersionCtx;
  readonly type: MapType;
  readonly addr: number;
  readonly stamp: number;
  readonly proxy: object;
  constructor(ver: VersionCtx, type: MapType, addr: number, stamp: number) {
    super();
    this.ver = ver;
    this.type = type;
    this.addr = addr;
    this.stamp = stamp;
    this.proxy = this;
  }
  get [NODE](): this {
    return this;
  }
  get isDraft(): boolean {
    return false;
  }
  ctx(): Ctx {
    return liveCtx(this);
  }
  private handle(): MapHandle | null {
    return handleOf(liveCtx(this), this.type, this.addr, false) as MapHandle | null;
  }
  override get size(): number {
    return this.handle()?.size ?? 0;
  }
  override get(key: K): V | undefined {
    const stored = storedSlot(this.handle(), this.type.key, key);
    if (stored === undefined) return undefined;
    return wrapView(this.ver, this.type.value, decodeMapValue(this.type.value, stored)) as V;
  }
  override has(key: K): boolean {
    return handleHas(this.handle(), this.type.key, key);
  }
  override *entries(): MapIterator<[K, V]> {
    const h = this.handle();
    if (h === null) return;
    const { key, value } = this.type;
    for (const [k, x] of h) yield [decodeKey(key, k) as K, wrapView(this.ver, value, decodeMapValue(value, x)) as V];
  }
  override *keys(): MapIterator<K> {
    const h = this.handle();
    if (h === null) return;
    for (const k of h.keys()) yield decodeKey(this.type.key, k) as K;
  }
  override *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
  override set(): this {
    return throwReadOnly("set a map entry");
  }
  override delete(): boolean {
    return throwReadOnly("delete a map entry");
  }
  override clear(): void {
    throwReadOnly("clear a map");
  }
  /** The entries as a plain object keyed by `String(key)` (JSON form). O(size). */
  toJSON(): unknown {
    return jsonOf(liveCtx(this), this.type, this.addr);
  }
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    return inspectMap(this.size, this.entries(), options, inspect);
  }
}

// ---------------------------------------------------------------- set

/** A read-only view of a `t.set` value: `ReadonlySet` semantics. */
export class SetView<K = unknown> extends Set<K> implements NodeRecord, ViewFields {
  ver: VersionCtx;
  readonly type: SetType;
  readonly addr: number;
  readonly stamp: number;
  readonly proxy: object;
  constructor(ver: VersionCtx, type: SetType, addr: number, stamp: number) {
    super();
    this.ver = ver;
    this.type = type;
    this.addr = addr;
    this.stamp = stamp;
    this.proxy = this;
  }
  get [NODE](): this {
    return this;
  }
  get isDraft(): boolean {
    return false;
  }
  ctx(): Ctx {
    return liveCtx(this);
  }
  private handle(): SetHandle | null {
    return handleOf(liveCtx(this), this.type, this.addr, false) as SetHandle | null;
  }
  override get size(): number {
    return this.handle()?.size ?? 0;
  }
  override has(value: K): boolean {
    return handleHas(this.handle(), this.type.element, value);
  }
  override *values(): SetIterator<K> {
    const h = this.handle();
    if (h === null) return;
    for (const k of h) yield decodeKey(this.type.element, k) as K;
  }
  override keys(): SetIterator<K> {
    return this.values();
  }
  override *entries(): SetIterator<[K, K]> {
    for (const k of this.values()) yield [k, k];
  }
  override [Symbol.iterator](): SetIterator<K> {
    return this.values();
  }
  override forEach(fn: (value: K, key: K, set: Set<K>) => void, thisArg?: unknown): void {
    for (const k of this.values()) fn.call(thisArg, k, k, this);
  }
  override add(): this {
    return throwReadOnly("add to a set");
  }
  override delete(): boolean {
    return throwReadOnly("delete from a set");
  }
  override clear(): void {
    throwReadOnly("clear a set");
  }
  /** The elements as an array in insertion order (JSON form). O(size). */
  toJSON(): unknown {
    return jsonOf(liveCtx(this), this.type, this.addr);
  }
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    const shown: unknown[] = [];
    const max = shownElements(options, this.size);
    for (const k of this.values()) {
      if (shown.length >= max) break;
      shown.push(k);
    }
    return formatTagged(`Set(${this.size})`, new Set(shown), options, inspect).replace(
      /^Set\(\d+\) Set\(\d+\) /,
      `Set(${this.size}) `,
    );
  }
}
// union, intersection, ... of this view's elements (the inherited native ones, Node 22+, would read empty internal slots)
defineSetMethods(SetView.prototype);

/** Node-style `Map(n) { k => v, ... }` of a map view or draft. */
export function inspectMap(
  size: number,
  entries: Iterable<[unknown, unknown]>,
  options: InspectOptions = {},
  inspect: InspectFn = plainInspect,
): string {
  const shown = new Map();
  const max = shownElements(options, size);
  for (const [k, v] of entries) {
    if (shown.size >= max) break;
    shown.set(k, v);
  }
  const body = inspect(shown, options).replace(/^Map\(\d+\) /, "");
  return `Map(${size}) ${body}${shown.size < size ? ` (+${size - shown.size} more)` : ""}`;
}

// ---------------------------------------------------------------- text

/** A read-only view of a `t.text` value (see {@link TextView} in schema.ts for the API). */
export class TextViewImpl implements NodeRecord, ViewFields, Iterable<string> {
  ver: VersionCtx;
  readonly type: AnyType;
  readonly addr: number;
  readonly stamp: number;
  readonly proxy: object;
  constructor(ver: VersionCtx, type: AnyType, addr: number, stamp: number) {
    this.ver = ver;
    this.type = type;
    this.addr = addr;
    this.stamp = stamp;
    this.proxy = this;
  }
  get [NODE](): this {
    return this;
  }
  get isDraft(): boolean {
    return false;
  }
  ctx(): Ctx {
    return liveCtx(this);
  }
  /** @internal The embedded CowText, or null while empty. */
  text(): CowText | null {
    return handleOf(liveCtx(this), this.type, this.addr, false) as CowText | null;
  }
  /** Length in UTF-16 code units. O(1). */
  get length(): number {
    return this.text()?.length ?? 0;
  }
  /** `String.prototype.slice` semantics. O(height + result length). */
  slice(start?: number, end?: number): string {
    return this.text()?.slice(start, end) ?? emptySlice(start, end);
  }
  /** The code unit at `index` as a string, or "". O(height). */
  charAt(index: number): string {
    return this.text()?.charAt(index) ?? emptyCharAt(index);
  }
  /** The code unit at `index`, or NaN. O(height). */
  charCodeAt(index: number): number {
    return this.text()?.charCodeAt(index) ?? emptyCharCodeAt(index);
  }
  /** `String.prototype` reads, answered by the CowText (see {@link TextView}). */
  at(index: number): string | undefined {
    return readsOf(this.text()).at(index);
  }
  codePointAt(pos: number): number | undefined {
    return readsOf(this.text()).codePointAt(pos);
  }
  // `= undefined` keeps the position out of each search method's `length` (1, as String.prototype's).
  indexOf(searchString: string, position: number | undefined = undefined): number {
    return readsOf(this.text()).indexOf(searchString, position);
  }
  lastIndexOf(searchString: string, position: number | undefined = undefined): number {
    return readsOf(this.text()).lastIndexOf(searchString, position);
  }
  includes(searchString: string, position: number | undefined = undefined): boolean {
    return readsOf(this.text()).includes(searchString, position);
  }
  startsWith(searchString: string, position: number | undefined = undefined): boolean {
    return readsOf(this.text()).startsWith(searchString, position);
  }
  endsWith(searchString: string, endPosition: number | undefined = undefined): boolean {
    return readsOf(this.text()).endsWith(searchString, endPosition);
  }
  substring(start: number, end?: number): string {
    return readsOf(this.text()).substring(start, end);
  }
  /** The whole text. O(length). */
  toString(): string {
    return this.text()?.toString() ?? "";
  }
  /** The whole text, so `text == "abc"` and `` `${text}` `` work. O(length). */
  valueOf(): string {
    return this.toString();
  }
  /** The whole text (JSON form). O(length). */
  toJSON(): string {
    return this.toString();
  }
  /** Code points, as `String.prototype[Symbol.iterator]`. */
  *[Symbol.iterator](): IterableIterator<string> {
    const t = this.text();
    if (t !== null) yield* t;
  }
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    const n = this.length;
    const max = options?.maxStringLength ?? 10000;
    const shown = this.slice(0, max === null ? n : max);
    return `[Text(${n}): ${inspect(shown, options)}${shown.length < n ? ` ... ${n - shown.length} more` : ""}]`;
  }
}

// ---------------------------------------------------------------- typed arrays

/** The target of a typed-array view Proxy. */
class TypedView implements NodeRecord, ViewFields {
  ver: VersionCtx;
  readonly type: TypedArrayType;
  readonly addr: number;
  readonly stamp: number;
  readonly proxy: object;
  constructor(ver: VersionCtx, type: TypedArrayType, addr: number, stamp: number) {
    this.ver = ver;
    this.type = type;
    this.addr = addr;
    this.stamp = stamp;
    this.proxy = new Proxy(this, TYPED_VIEW_HANDLER);
  }
  get isDraft(): boolean {
    return false;
  }
  ctx(): Ctx {
    return liveCtx(this);
  }
  handle(): ArrayHandle {
    return handleOf(liveCtx(this), this.type, this.addr, false) as ArrayHandle;
  }
  [INSPECT](_d: number, options: InspectOptions = {}, inspect: InspectFn = plainInspect): string {
    const rec = viaProxy(this);
    const h = rec.handle();
    const shown = shownElements(options, h.length);
    const out = copyRange(h, rec.type.ctor, 0, shown);
    const more = h.length - shown;
    return `${inspect(out, options)}${more > 0 ? ` (+${more} more)` : ""}`;
  }
}

/** A new typed-array view record (its `proxy` is what users get). */
export function typedArrayView(ver: VersionCtx, type: TypedArrayType, addr: number, stamp: number): TypedView {
  return new TypedView(ver, type, addr, stamp);
}

/** Elements `[start, end)` of `h` copied into a new native `ctor` array, page span by page span. O(end - start). */
export function copyRange(h: ArrayHandle, ctor: TypedArrayConstructor, start: number, end: number): NativeArray {
  const out = new ctor(Math.max(0, end - start)) as Float64Array;
  let at = 0;
  for (const c = h.spans(start, end); c.next(); ) {
    const span = (c.array as Float64Array).subarray(c.start, c.end);
    out.set(span, at);
    at += span.length;
  }
  return out;
}

function typedToJSON(this: { [NODE]: TypedView }): unknown {
  const rec = this[NODE];
  return jsonOf(rec.ctx(), rec.type, rec.addr);
}

function* typedValues(this: { [NODE]: TypedView }): IterableIterator<number | bigint> {
  const h = this[NODE].handle();
  for (let i = 0; i < h.length; i++) yield h.get(i) as number | bigint;
}

/** The TypedArray methods that write: a view refuses them (TypeError), as its index writes. */
const WRITE_METHODS = new Set(["set", "fill", "copyWithin", "sort", "reverse"]);

function refuseWrite(this: unknown): never {
  return throwReadOnly("change a typed array");
}

/** `subarray` of a view: a copy (the view is read-only, so a copy and a window read alike; its `buffer` is its own). */
function typedSubarray(this: { [NODE]: TypedView }, start?: number, end?: number): unknown {
  return (READ_METHODS.slice as (this: unknown, a?: number, b?: number) => unknown).call(this, start, end);
}

const TYPED_VIEW_HANDLER: ProxyHandler<TypedView> = {
  get(rec, prop) {
    if (typeof prop === "string") {
      const i = indexOf(prop);
      if (i >= 0) {
        const h = rec.handle();
        return i < h.length ? h.get(i) : undefined;
      }
      if (prop === "length") return rec.type.length;
      if (prop === "toJSON") return typedToJSON;
      if (prop === "values") return typedValues;
      if (prop === "subarray") return typedSubarray;
      if (Object.hasOwn(READ_METHODS, prop)) return READ_METHODS[prop];
      if (WRITE_METHODS.has(prop)) return refuseWrite;
    } else if (prop === NODE) return rec;
    else if (prop === Symbol.iterator) return typedValues;
    return typedProperty(rec, prop);
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
    return { value: rec.handle().get(i), writable: false, enumerable: true, configurable: true };
  },
  set(_rec, prop) {
    return throwReadOnly(`set ${String(prop)}`);
  },
  deleteProperty(_rec, prop) {
    return throwReadOnly(`delete ${String(prop)}`);
  },
  defineProperty(_rec, prop) {
    return throwReadOnly(`define ${String(prop)}`);
  },
};
