/**
 * CowSet: a Set whose whole hash table lives in one address space.
 *
 * Why one module of ~21 KB: as cow-map.ts (half TSDoc, bodies in ops.ts,
 * set-methods.ts and the table modules; no base class shared with CowMap, so
 * that the prototype chain and the brand check stay as native Set's).
 *
 * @module
 */
import type { AddressSpace, FramePool, Heap, InspectFunction, InspectOptions, SpaceStats } from "@pagefork/core";
import { INSPECT_CUSTOM, type ShareOptions } from "@pagefork/core";
import type { CowKey, CowKeyOf } from "./cow-key.js";
import { inspectTable, tableToJSON } from "./debug.js";
import { attachTable, createTable } from "./embedded.js";
import { throwIncompatible } from "./errors.js";
import { freezeTable } from "./freeze.js";
import { type CowIterator, KeyIterator, SetEntryIterator } from "./iterator.js";
import {
  aliasMethod,
  fill,
  handoff,
  nameClass,
  releaseStandalone,
  standalone,
  tableAdd,
  tableDelete,
  tableForEach,
  tableHas,
  tagPrototype,
} from "./ops.js";
import { type CowMapOptions, copyOptions, NO_OPTIONS, sharesPool, spaceFor } from "./options.js";
import type { SetLike } from "./set-like.js";
import * as setMethods from "./set-methods.js";
import { KEEP_SET, keepCollectionShapes } from "./shape-keeper.js";
import { attachTableShared, type SharedCollectionHandle, tableHandle } from "./shared.js";
import { registerCollectionCheck } from "./structure.js";
import { Table } from "./table.js";
import { clear } from "./writes.js";

/**
 * The table of `x` when it is a CowSet, else a TypeError: the brand check of
 * every method, as Map's and Set's methods check their receiver's internal
 * slot (CowSet.prototype.get.call(aCowSet) must not read a set as a map). A
 * private field test: a map check V8 inlines. Defined in the class's static
 * block, where the private name is in scope.
 */
let setTable: (x: unknown, method: string) => Table;

/**
 * The class behind {@link CowSet}: its members and their documentation. The
 * exported `CowSet` is this class, typed by {@link CowSetConstructor} so that
 * `new CowSet(...)` widens literal key types. Not exported by name: use
 * `CowSet` (value and type).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below declares prototype aliases defined right after it
class CowSetImpl<T extends CowKey = CowKey> implements Iterable<T> {
  /** This version's table (buckets and log in its space); a private field, so that it is also the brand check. */
  #table: Table;

  static {
    // forEach(callback, thisArg?) would have length 2; the native one's is 1.
    Object.defineProperty(CowSetImpl.prototype.forEach, "length", { value: 1, configurable: true });
    setTable = (x, method) => {
      if (typeof x === "object" && x !== null && #table in x) return (x as CowSetImpl).#table;
      return throwIncompatible("CowSet", method, x);
    };
    // The codec refuses a CowSet given as a value (structure.ts), subclasses with another tag included.
    registerCollectionCheck((x) => (#table in x ? "CowSet" : null));
  }

  /**
   * A set in a new address space, as `new Set(values)`: empty (O(1)) or
   * holding the values of `values` (O(n) writes: `this.add` is looked up
   * once and called for each value, as the Set constructor does). Options
   * come second: `new CowSet(null, { pool })`.
   * @throws {InvalidArgumentError} for a bad page size, one that differs from the pool's, or a pool that is not a
   *   FramePool.
   * @throws {TypeError} when `values` is neither iterable nor null/undefined or `add` is not callable;
   *   {@link KeyTypeError} for a value that is not a primitive (see `add` for the values accepted; nothing is
   *   kept: the new space is released).
   * @example
   * ```ts
   * const s = new CowSet(["a", "b", "a"]);
   * [s.size, new CowSet<number>(null, { pageSize: 512 }).pageSize]; // [2, 512]
   * s.release();
   * ```
   */
  // Default values, so that `CowSet.length` is 0 as `Set.length` (see CowMap).
  constructor(values: Iterable<T> | null = null, options: CowMapOptions = NO_OPTIONS) {
    if ((values as unknown) === handoff) {
      // fork(), from(), create(), attach(), attachShared(): a ready table (see adopt). An
      // identity test, not instanceof: one compare, and no getPrototypeOf trap of a Proxy.
      this.#table = handoff.take();
      return;
    }
    this.#table = new Table(spaceFor(options), 0);
    if (values != null) fill(this, this.#table, values, "set");
    if (new.target === CowSet) keepCollectionShapes(KEEP_SET, makeKeptSet); // once: keeps the hidden classes alive (shape-keeper.ts)
  }

  /**
   * A set of the values of `iterable` (as `new Set(iterable)`). O(n) writes;
   * from a CowSet whose pool, page size and `maxBytes` `options` do not change, an O(1) fork (another
   * `maxBytes` copies the elements into a space of that bound; without a `pool` option a standalone or embedded CowSet is
   * copied into its own pool (an embedded one: its embedder's), unless `pageSize` asks for another page size).
   * @throws {KeyTypeError} for a value that is not a primitive (nothing is kept).
   * @throws {InvalidArgumentError} for bad options, as the constructor; RangeError when the elements do
   *   not fit a smaller `maxBytes` (nothing is kept).
   * @example
   * ```ts
   * const s = CowSet.from("hello");
   * [...s].join(""); // "helo"
   * s.release();
   * ```
   */
  static from<T = CowKey>(iterable: Iterable<T & CowKey>, options: CowMapOptions = {}): CowSet<CowKeyOf<T>> {
    const t = typeof iterable === "object" && iterable !== null && #table in iterable ? iterable.#table : null;
    if (t !== null && sharesPool(t, options)) {
      return adopt<CowKeyOf<T>>(t.fork());
    }
    return new CowSetImpl<CowKeyOf<T>>(
      iterable as Iterable<CowKeyOf<T>>,
      t === null ? options : copyOptions(t, options),
    );
  }

  /** Number of elements. O(1). */
  get size(): number {
    const t = setTable(this, "size");
    t.check("set");
    return t.size;
  }

  /** The address space holding this version (read it, never write to it). */
  get space(): AddressSpace {
    const t = setTable(this, "space");
    return t.outerSpace();
  }

  /** Page size of the space, in bytes. */
  get pageSize(): number {
    const t = setTable(this, "pageSize");
    return t.outerSpace().pageSize;
  }

  /** True once `release()` (standalone) or `free()` (embedded) has run, or the space of an embedded CowSet was released. */
  get released(): boolean {
    const t = setTable(this, "released");
    return t.space.released;
  }

  /**
   * Adds `value` at the end of the iteration order unless it is already
   * there; returns the set. O(1) expected, amortized.
   *
   * Values accepted are the primitives that compare by value: strings (any
   * code units, lone surrogates included), numbers (-0 is stored as +0 and
   * every NaN is one value, SameValueZero as Set), bigints, booleans, null
   * and undefined. Anything else, a pagefork structure included (a CowMap or
   * CowSet is an object), is refused with KeyTypeError, changing nothing:
   * elements are stored by value in pages, and an object has no value to
   * compare by; add a primitive id instead.
   * @throws {KeyTypeError} when `value` is an object, function or symbol.
   * @throws {OutOfMemoryError} when the pool's `maxBytes` cannot cover the write.
   */
  add(value: T): this {
    const t = setTable(this, "add");
    t.check("set");
    tableAdd(t, value);
    return this;
  }

  /** True when `value` is in the set. O(1) expected; no allocation. */
  has(value: T): boolean {
    const t = setTable(this, "has");
    t.check("set");
    return tableHas(t, value);
  }

  /** Removes `value`; true when it was there. O(1) expected. */
  delete(value: T): boolean {
    const t = setTable(this, "delete");
    t.check("set");
    return tableDelete(t, value);
  }

  /** Removes every element. O(1) plus the pages freed. */
  clear(): void {
    const t = setTable(this, "clear");
    t.check("set");
    clear(t);
  }

  /**
   * Calls `callback(value, value, set)` for each element in insertion order,
   * as `Set.prototype.forEach`.
   * @throws {TypeError} when `callback` is not a function.
   */
  forEach(callback: (value: T, value2: T, set: this) => void, thisArg?: unknown): void {
    const t = setTable(this, "forEach");
    t.check("set");
    tableForEach(t, callback, thisArg, this, "set");
  }

  /** The elements in insertion order. */
  values(): CowIterator<T> {
    const t = setTable(this, "values");
    t.check("set");
    return new KeyIterator<T>(t, "set");
  }

  /** `[value, value]` pairs, as `Set.prototype.entries`. */
  entries(): CowIterator<[T, T]> {
    const t = setTable(this, "entries");
    t.check("set");
    return new SetEntryIterator<T>(t, "set");
  }

  /**
   * What `JSON.stringify` writes: the elements as an array in insertion
   * order, which `new CowSet(JSON.parse(text))` reads back (a native Set
   * gives `{}`). A bigint element throws TypeError, as `JSON.stringify` does
   * for any BigInt. O(n).
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const s = new CowSet(["a", 1, null]);
   * JSON.stringify({ s }); // '{"s":["a",1,null]}'
   * s.release();
   * ```
   */
  toJSON(): T[] {
    return tableToJSON(setTable(this, "toJSON"), "set") as T[];
  }

  /**
   * How `console.log` / `util.inspect` show the set: as Node shows a Set,
   * e.g. `CowSet(2) { 'a', 1 }`; at most `maxArrayLength` elements (Node's
   * default 100) then "... N more items"; `CowSet <released>` once released.
   */
  [INSPECT_CUSTOM](depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    return inspectTable(setTable(this, "[inspect.custom]"), "set", depth, options, inspect);
  }

  /**
   * A new version sharing every page with this one: O(1) whatever the size.
   * @throws {ReleasedError} after `release()`.
   */
  fork(): CowSet<T> {
    return adopt<T>(standalone(setTable(this, "fork"), this, "fork", "set").fork());
  }

  /** Returns this version's pages to the pool (those no other version shares). Idempotent. */
  release(): void {
    releaseStandalone(setTable(this, "release"), this);
  }

  /** `release()` for a standalone CowSet, `free()` for an embedded one: for `using` declarations. */
  [Symbol.dispose](): void {
    const t = setTable(this, "[Symbol.dispose]");
    t.drop();
  }

  /**
   * A handle to this version that `postMessage` can carry to a worker, where
   * `CowSet.attachShared(handle)` reads it in place, without a copy; see
   * {@link @pagefork/core!AddressSpace.share | AddressSpace.share}, whose
   * pinning, lifetimes and errors apply. O(1) in the size. The pool must be
   * shared (`{ pool: new FramePool({ shared: true }) }`). Later changes to
   * this version never change what the handle reads.
   * @param options - `worker`: the worker the handle is for; its exit drops the pin.
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded CowSet: share its space.
   * @throws {SharingUnavailableError} when the pool is not shared.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const m = CowSet.from(["a"], { pool });
   * const handle = m.share(); // worker.postMessage(handle)
   * m.add("b");
   * const seen = CowSet.attachShared(handle); // in the worker
   * [seen.size, m.size]; // [1, 2]
   * let caught: unknown;
   * try { seen.add("c"); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * seen.release(); m.release();
   * ```
   */
  share(options?: ShareOptions): SharedCollectionHandle {
    return tableHandle(standalone(setTable(this, "share"), this, "share", "set"), "CowSet", false, options);
  }

  /**
   * A copy of this version for a thread that cannot share memory (a browser
   * page without cross-origin isolation): `postMessage(h, [h.space.bytes])`
   * moves it; `CowSet.attachShared(h)` rebuilds it there. O(pages written).
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded CowSet.
   */
  transferCopy(): SharedCollectionHandle {
    return tableHandle(
      standalone(setTable(this, "transferCopy"), this, "transferCopy", "set"),
      "CowSet",
      true,
      undefined,
    );
  }

  /**
   * The CowSet a handle from `share()` or `transferCopy()` names, in this
   * thread: read-only (every change throws
   * {@link @pagefork/core!ProtectionFault | ProtectionFault}), reading the
   * owner's pages in place; `fork()` gives a private, writable copy;
   * `release()` unpins the version (see
   * {@link @pagefork/core!AddressSpace.attach | AddressSpace.attach}).
   * Named `attachShared` because `attach(heap, address)` is the in-space
   * mode's. O(1) in the size.
   * @throws {InvalidHandleError} when `handle` is not one (`"forged"`), is
   *   another structure's (`"type"`), or was attached or released already.
   */
  static attachShared<T extends CowKey = CowKey>(handle: SharedCollectionHandle): CowSet<T> {
    return adopt<T>(attachTableShared(handle, "CowSet", 0));
  }

  // ---- embedded in a heap (the in-space mode) ----

  /**
   * A new CowSet embedded in `heap`, holding `values` (added in order, as by
   * the constructor): every byte it owns is a block of the heap, in
   * `heap.space`, so a fork of that space forks it. Costs and rules as
   * {@link CowMapConstructor.create | CowMap.create}: empty, a 24-byte header block (32 bytes of heap);
   * 1 short string 64 bytes, 3 short strings 96 to 160 (measured, README).
   * @throws {InvalidArgumentError} when `heap` is not a Heap.
   * @throws {OutOfMemoryError} when the heap's range or the pool's `maxBytes` has no room (nothing is kept).
   * @throws {TypeError} / {@link KeyTypeError} for bad values (nothing is kept).
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 2 ** 32, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const tags = CowSet.create(heap, ["todo"]);
   * const before = heap.stats().requestedBytes;
   * const empty = CowSet.create<string>(heap);
   * heap.stats().requestedBytes - before; // 24 (a header block, no data block)
   * tags.add("urgent");
   * [...tags]; // ["todo", "urgent"]
   * empty.free();
   * space.release();
   * ```
   */
  static create<T = CowKey>(heap: Heap, values: Iterable<T & CowKey> | null = null): CowSet<CowKeyOf<T>> {
    const c = adopt<CowKeyOf<T>>(createTable(heap, 0));
    if (values != null) fill(c, c.#table, values, "set");
    return c;
  }

  /**
   * A handle to the embedded CowSet whose header block is at `address` in
   * `heap` (its space, or a fork of it), as {@link CowMapConstructor.attach | CowMap.attach}. O(1);
   * writes nothing.
   * @throws {InvalidArgumentError} when `heap` is not a Heap, or `address` is
   *   not a live block of it holding a CowSet's header.
   */
  static attach<T extends CowKey = CowKey>(heap: Heap, address: number): CowSet<T> {
    return adopt<T>(attachTable(heap, address, 0, "CowSet"));
  }

  /** Byte address of an embedded CowSet's header block in its space (stable for its life); -1 for a standalone one. */
  get address(): number {
    const t = setTable(this, "address");
    return t.heap === null ? -1 : t.header;
  }

  /** True for a CowSet made by `create` or `attach` (in a heap), false for a standalone one. */
  get embedded(): boolean {
    return setTable(this, "embedded").heap !== null;
  }

  /**
   * Embedded: gives every block back to the heap, as {@link CowMap.free};
   * standalone: the same as `release()`. Idempotent.
   * @throws {OutOfMemoryError} when the pool cannot supply the heap's metadata pages (nothing is freed).
   */
  free(): void {
    setTable(this, "free").drop();
  }

  /**
   * Memory and fault counters of this version's space (see `SpaceStats` in
   * @pagefork/core); of the whole shared space for an embedded CowSet.
   * @throws {ReleasedError} after `release()`.
   */
  stats(): SpaceStats {
    const t = setTable(this, "stats");
    t.check("set");
    return t.space.stats();
  }

  /**
   * Makes this CowSet read-only for good: a copy-on-write snapshot freeze,
   * like the kernel's read-only mapping (`mprotect(PROT_READ)`) of a
   * snapshot, where `Object.freeze` would not help (it leaves a native Set's
   * entries writable). Every later write (`add`, `delete`, `clear`) throws
   * {@link @pagefork/core!ProtectionFault | ProtectionFault} and changes
   * nothing: entries, order, pages and frames are as they were; it is
   * refused before it changes the table. A call that writes nothing (an
   * `add` of an element already there, a `delete` of an absent one, a
   * `clear()` of an empty set) returns as on a writable CowSet, as a
   * zero-length write to a frozen `AddressSpace` does. Reads, iteration and
   * the set methods (`union`, `intersection`...: new, writable sets),
   * `fork()` and `release()` still work. A fork of a frozen CowSet is an
   * ordinary writable one, as a fork of a frozen `AddressSpace` is, so code
   * handed a frozen snapshot forks it to work on a copy;
   * `new History(s, { freeze: true })` freezes each version it keeps so. The freeze is the
   * space's (`s.space.frozen`). Idempotent. O(1): no page is touched; a write pays one test of the
   * frozen bit, in the frame reservation it makes anyway.
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} for an embedded CowSet (made by `create` or
   *   `attach`): it shares its heap's space with the embedder's other
   *   structures, so freeze that space instead (`space.freeze()`, which
   *   freezes all of them); nothing changes.
   * @example
   * ```ts
   * const snapshot = CowSet.from(["a"]);
   * snapshot.freeze();
   * let caught: unknown;
   * try { snapshot.add("b"); } catch (e) { caught = e; }
   * [caught instanceof ProtectionFault, snapshot.size]; // [true, 1]
   * const work = snapshot.fork(); // writable
   * work.add("b");
   * [snapshot.frozen, work.frozen, work.size]; // [true, false, 2]
   * snapshot.release(); work.release();
   * ```
   */
  freeze(): void {
    freezeTable(setTable(this, "freeze"), this, "set");
  }

  /**
   * True once this CowSet's space is frozen: by `freeze()`, or otherwise (a CowSet
   * from `attachShared`; an embedded one in a space its embedder froze).
   * Every write then throws ProtectionFault. O(1); readable after `release()`.
   */
  get frozen(): boolean {
    return setTable(this, "frozen").outerSpace().frozen;
  }

  // ---- ES2025 set methods (ECMA-262 24.2.4), results are new CowSets ----
  // They work on this set's own table, never through its (overridable) has,
  // add, delete or fork, as the native ones work on the receiver's [[SetData]].

  /**
   * Elements of this set, then those of `other` not in it. A fork of this
   * set plus O(|other|) adds.
   * @throws {TypeError} when `other` is not set-like; {@link KeyTypeError} when `other` yields an object.
   */
  union<U extends CowKey>(other: SetLike<U>): CowSet<T | U> {
    const t = setTable(this, "union");
    t.check("set");
    return wrap<T | U>(setMethods.union(t, other));
  }

  /**
   * Elements in both sets: in this set's order when it is the smaller (or
   * equal) one, else in `other`'s iteration order, as the spec says.
   * @throws {TypeError} when `other` is not set-like.
   */
  intersection<U extends CowKey>(other: SetLike<U>): CowSet<T & U> {
    const t = setTable(this, "intersection");
    t.check("set");
    return wrap<T & U>(setMethods.intersection(t, other));
  }

  /**
   * Elements of this set not in `other`, in this set's order. A fork of this
   * set minus the elements found.
   * @throws {TypeError} when `other` is not set-like.
   */
  difference<U extends CowKey>(other: SetLike<U>): CowSet<T> {
    const t = setTable(this, "difference");
    t.check("set");
    return wrap<T>(setMethods.difference(t, other));
  }

  /**
   * Elements in exactly one of the two sets: this set's order, then
   * `other`'s new elements in its order.
   * @throws {TypeError} when `other` is not set-like; {@link KeyTypeError} when `other` yields an object not in this set.
   */
  symmetricDifference<U extends CowKey>(other: SetLike<U>): CowSet<T | U> {
    const t = setTable(this, "symmetricDifference");
    t.check("set");
    return wrap<T | U>(setMethods.symmetricDifference(t, other));
  }

  /** True when every element of this set is in `other`. */
  isSubsetOf<U extends CowKey>(other: SetLike<U>): boolean {
    const t = setTable(this, "isSubsetOf");
    t.check("set");
    return setMethods.isSubsetOf(t, other);
  }

  /** True when every element of `other` is in this set. */
  isSupersetOf<U extends CowKey>(other: SetLike<U>): boolean {
    const t = setTable(this, "isSupersetOf");
    t.check("set");
    return setMethods.isSupersetOf(t, other);
  }

  /** True when no element is in both sets. */
  isDisjointFrom<U extends CowKey>(other: SetLike<U>): boolean {
    const t = setTable(this, "isDisjointFrom");
    t.check("set");
    return setMethods.isDisjointFrom(t, other);
  }
}

/**
 * A CowSet over the ready table `t` (a fork, or an attached or new embedded
 * table), handed to the constructor as its first argument through the one
 * preallocated {@link TableHandoff} (ops.ts), which no user can pass: every
 * CowSet is made by the one constructor (one hidden class), and nothing is
 * allocated but the handle.
 */
function adopt<T extends CowKey>(t: Table): CowSetImpl<T> {
  return new CowSetImpl<T>(handoff.of(t) as unknown as null);
}

// Declaration merging adds the members the class body does not define: they
// are the very function `values`, as `Set.prototype.keys` and
// `Set.prototype[Symbol.iterator]` are `Set.prototype.values` (ECMA-262 24.2.4).
interface CowSetImpl<T extends CowKey = CowKey> {
  /** "CowSet": a read-only data property of the prototype, as `Set.prototype[Symbol.toStringTag]` is "Set". */
  readonly [Symbol.toStringTag]: string;
  /** The elements: the same function as `values` (`CowSet.prototype.keys === CowSet.prototype.values`), as for Set. */
  keys(): CowIterator<T>;
  /** The elements: the same function as `values`, as for Set. */
  [Symbol.iterator](): CowIterator<T>;
}
aliasMethod(CowSetImpl.prototype, "keys", "values");
aliasMethod(CowSetImpl.prototype, Symbol.iterator, "values");
tagPrototype(CowSetImpl.prototype, "CowSet");
nameClass(CowSetImpl, "CowSet"); // see CowMap

/**
 * A copy-on-write Set of primitives: the whole table (buckets, element
 * bytes, insertion order) is bytes in pages of an {@link AddressSpace}, so
 * `fork()` is O(1) at any size and an `add` or `delete` after a fork copies
 * O(1) pages (amortized, as {@link CowMap}).
 *
 * Semantics are Set's: SameValueZero elements (NaN is one element, -0 is +0;
 * "1", 1 and 1n are three), insertion-order iteration that sees elements
 * added meanwhile, and the ES2025 set methods, whose results are new
 * CowSets in the same frame pool (`union`, `difference` and
 * `symmetricDifference` start as O(1) forks of this set). Elements are
 * stored by value, so they are primitives: `add` of an object, function or
 * symbol throws {@link KeyTypeError}; `has`/`delete` of one find nothing.
 *
 * Errors: any use after `release()` throws ReleasedError (iterators too); a
 * write the pool's `maxBytes` cannot cover throws OutOfMemoryError. A call
 * that throws changes nothing.
 *
 * @typeParam T - element type (see {@link CowKey}).
 * @example
 * ```ts
 * import { CowSet } from "@pagefork/map";
 * const a = CowSet.from([1, 2, 3]);
 * const b = a.fork(); // O(1)
 * b.add(4).delete(1);
 * [...a]; // [1, 2, 3]
 * [...b]; // [2, 3, 4]
 * const u = a.union(new Set([3, 5]));
 * [...u]; // [1, 2, 3, 5]
 * a.release(); b.release(); u.release();
 * ```
 */
export interface CowSet<T extends CowKey = CowKey> extends CowSetImpl<T> {}

/**
 * The type of the CowSet constructor (as lib.d.ts types Set with
 * `SetConstructor`): `new CowSet(...)` infers its element type from the
 * values and widens literal types, as `new Set(...)` does, so
 * `new CowSet(["a"])` is a `CowSet<string>` to which other strings can be
 * added.
 *
 * @example
 * ```ts
 * const Ctor: CowSetConstructor = CowSet;
 * const s = new Ctor(["a"]); // CowSet<string>
 * s.add("b");
 * [s.size, CowSet.prototype.keys === CowSet.prototype.values]; // [2, true]
 * s.release();
 * ```
 */
export interface CowSetConstructor extends Omit<typeof CowSetImpl, "prototype"> {
  /** See the constructor of {@link CowSet}: `values` first, options only second. */
  new <T = CowKey>(values?: Iterable<T & CowKey> | null, options?: CowMapOptions): CowSet<CowKeyOf<T>>;
  /** `CowSet.prototype`: the methods every CowSet has (as `Set.prototype`). */
  readonly prototype: CowSet;
}

/** The CowSet class (see {@link CowSet} for its members and {@link CowSetConstructor} for `new`). */
export const CowSet: CowSetConstructor = CowSetImpl as unknown as CowSetConstructor;

/** A CowSet handle on `t` (a table the set methods made). */
function wrap<T extends CowKey>(t: Table): CowSet<T> {
  return adopt<T>(t);
}

/** @internal The table of a CowSet (TypeError for anything else): for standalone.ts. */
export function tableOfSet(x: unknown): Table {
  return setTable(x, "standaloneStateOf");
}

/** @internal A CowSet over the table `t`, which it then owns: for standalone.ts (as `attachShared`, without a handle). */
export function setOverTable<T extends CowKey = CowKey>(t: Table): CowSet<T> {
  return adopt<T>(t) as unknown as CowSet<T>;
}

/** The set shape-keeper.ts keeps: one key, in `pool`. */
function makeKeptSet(pool: FramePool): CowSet<string> {
  const s = new CowSet<string>(null, { pool });
  s.add("a");
  return s;
}
