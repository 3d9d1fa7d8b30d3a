/**
 * CowMap: a Map whose whole hash table lives in one address space.
 *
 * Why one module of ~23 KB: about half of it is the TSDoc of the class's
 * own members; their bodies already live in ops.ts, table.ts, writes.ts,
 * embedded.ts, shared.ts and debug.ts, and what is left is the brand check
 * and one delegation per method. A split would need a base class shared
 * with CowSet (CowMap.prototype's parent would no longer be Object.prototype,
 * as Map.prototype's is, and the private-field brand check would accept
 * either class) or methods patched onto the prototype from another module;
 * neither is worth its cost in clarity.
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
import { type CowIterator, EntryIterator, KeyIterator, ValueIterator } from "./iterator.js";
import { classifyKey, probe } from "./key.js";
import { MAP_VALUE_BYTES, R_VALUE } from "./layout.js";
import {
  aliasMethod,
  fill,
  handoff,
  nameClass,
  releaseStandalone,
  standalone,
  tableDelete,
  tableForEach,
  tableHas,
  tablePut,
  tagPrototype,
} from "./ops.js";
import { type CowMapOptions, copyOptions, NO_OPTIONS, sharesPool, spaceFor } from "./options.js";
import { KEEP_MAP, keepCollectionShapes } from "./shape-keeper.js";
import { attachTableShared, type SharedCollectionHandle, tableHandle } from "./shared.js";
import { registerCollectionCheck } from "./structure.js";
import { Table } from "./table.js";
import { readValue } from "./value.js";
import { clear } from "./writes.js";

/**
 * The table of `x` when it is a CowMap, else a TypeError: the brand check of
 * every method, as Map's and Set's methods check their receiver's internal
 * slot (CowMap.prototype.get.call(aCowSet) must not read a set as a map). A
 * private field test: a map check V8 inlines. Defined in the class's static
 * block, where the private name is in scope.
 */
let mapTable: (x: unknown, method: string) => Table;

/**
 * The class behind {@link CowMap}: its members and their documentation. The
 * exported `CowMap` is this class, typed by {@link CowMapConstructor} so that
 * `new CowMap(...)` widens literal key types. Not exported by name: use
 * `CowMap` (value and type).
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below declares prototype aliases defined right after it
class CowMapImpl<K extends CowKey = CowKey, V = unknown> implements Iterable<[K, V]> {
  /** This version's table (buckets and log in its space); a private field, so that it is also the brand check. */
  #table: Table;

  static {
    // forEach(callback, thisArg?) would have length 2; the native one's is 1.
    Object.defineProperty(CowMapImpl.prototype.forEach, "length", { value: 1, configurable: true });
    mapTable = (x, method) => {
      if (typeof x === "object" && x !== null && #table in x) return (x as CowMapImpl).#table;
      return throwIncompatible("CowMap", method, x);
    };
    // The codec refuses a CowMap given as a value (structure.ts), subclasses with another tag included.
    registerCollectionCheck((x) => (#table in x ? "CowMap" : null));
  }

  /**
   * A map in a new address space, as `new Map(entries)`: empty (O(1), no
   * page written until the first `set`) or holding the pairs `[key, value]`
   * of `entries` (O(n) writes: `this.set` is looked up once and called for
   * each entry, as the Map constructor does). Options come second:
   * `new CowMap(null, { pool })`.
   * @throws {InvalidArgumentError} for a bad page size, one that differs from the pool's, or a pool that is not a
   *   FramePool.
   * @throws {TypeError} when `entries` is neither iterable nor null/undefined, `set` is not callable, or an entry
   *   is not an object; {@link KeyTypeError} / {@link DataCloneError} for a bad key or value, which includes
   *   {@link StructureValueError} for a value that is or holds a pagefork structure (see `set` for the values
   *   accepted; nothing is kept: the new space is released).
   * @example
   * ```ts
   * const m = new CowMap([["a", 1], ["b", 2]]);
   * const empty = new CowMap<string, number>(null, { pageSize: 256 });
   * [m.size, empty.size, empty.pageSize]; // [2, 0, 256]
   * m.release(); empty.release();
   * ```
   */
  // Default values, so that `CowMap.length` is 0 as `Map.length`; a shared
  // options object, so that a fork allocates none.
  constructor(entries: Iterable<readonly [K, V]> | null = null, options: CowMapOptions = NO_OPTIONS) {
    if ((entries as unknown) === handoff) {
      // fork(), from(), create(), attach(), attachShared(): a ready table (see adopt). An
      // identity test, not instanceof: one compare, and no getPrototypeOf trap of a Proxy.
      this.#table = handoff.take();
      return;
    }
    this.#table = new Table(spaceFor(options), MAP_VALUE_BYTES);
    if (entries != null) fill(this, this.#table, entries, "map");
    if (new.target === CowMap) keepCollectionShapes(KEEP_MAP, makeKeptMap); // once: keeps the hidden classes alive (shape-keeper.ts)
  }

  /**
   * A map of the entries of `iterable` (pairs `[key, value]`, as `new Map(iterable)`).
   * O(n) writes; from a CowMap whose pool, page size and `maxBytes` `options` do not change, an O(1) fork
   * (another `maxBytes` copies the entries into a space of that bound; without a `pool` option a standalone or embedded CowMap
   * is copied into its own pool (an embedded one: its embedder's), unless `pageSize` asks for another page size).
   * @throws {TypeError} when an entry is not an object; {@link KeyTypeError} / {@link DataCloneError} (or its
   *   {@link StructureValueError}) for a bad key or value, as `set` (nothing is kept).
   * @throws {InvalidArgumentError} for bad options, as the constructor; RangeError when the entries do not
   *   fit a smaller `maxBytes` (nothing is kept).
   * @example
   * ```ts
   * const m = CowMap.from(new Map([[1, "one"], [2, "two"]]));
   * m.get(2); // "two"
   * m.release();
   * ```
   */
  static from<K = CowKey, V = unknown>(
    iterable: Iterable<readonly [K & CowKey, V]>,
    options: CowMapOptions = {},
  ): CowMap<CowKeyOf<K>, V> {
    const t = typeof iterable === "object" && iterable !== null && #table in iterable ? iterable.#table : null;
    if (t !== null && sharesPool(t, options)) {
      return adopt<CowKeyOf<K>, V>(t.fork());
    }
    return new CowMapImpl<CowKeyOf<K>, V>(
      iterable as Iterable<readonly [CowKeyOf<K>, V]>,
      t === null ? options : copyOptions(t, options),
    );
  }

  /** Number of entries. O(1). */
  get size(): number {
    const t = mapTable(this, "size");
    t.check("map");
    return t.size;
  }

  /** The address space holding this version (read it, fork it through the map, never write to it). */
  get space(): AddressSpace {
    const t = mapTable(this, "space");
    return t.outerSpace();
  }

  /** Page size of the space, in bytes. */
  get pageSize(): number {
    const t = mapTable(this, "pageSize");
    return t.outerSpace().pageSize;
  }

  /** True once `release()` (standalone) or `free()` (embedded) has run, or the space of an embedded CowMap was released. */
  get released(): boolean {
    const t = mapTable(this, "released");
    return t.space.released;
  }

  /**
   * The value of `key`, or undefined. O(1) expected; no allocation for
   * inline values. An object value is decoded into a new copy on every call.
   */
  get(key: K): V | undefined {
    const t = mapTable(this, "get");
    t.check("map");
    if (!classifyKey(key, probe)) return undefined;
    const rec = t.find(probe);
    if (rec < 0) return undefined;
    return readValue(t.space, t.space.getUint32(rec), rec + R_VALUE, t.logAddr) as V;
  }

  /**
   * Sets `key` to a copy of `value`; returns the map. A new key goes to the
   * end of the iteration order; an existing key keeps its place. O(1)
   * expected (O(size of value) to encode), amortized over rehashes.
   *
   * Values accepted are what `structuredClone` accepts, copied as it copies
   * them: primitives (inline), plain objects, class instances (as their own
   * enumerable fields: the prototype, private `#fields` and getters are not
   * kept), arrays (holes kept), Map, Set, Date, RegExp, ArrayBuffer, typed
   * arrays, DataView, Error, with shared references and cycles (the README's
   * "Stored values" lists the few differences). Refused, changing nothing:
   * what `structuredClone` refuses (functions, symbols, WeakMap, WeakSet,
   * WeakRef, Promise...) and, at any depth, pagefork structures (a CowMap,
   * CowSet, CowText, COW array, state view or draft, AddressSpace...), whose
   * contents live in pages a stored copy cannot hold: store a plain copy
   * (`new Map(x)`, `x.toString()`, `current(x)`) or keep the structure
   * beside the map.
   * @throws {KeyTypeError} when `key` is an object, function or symbol.
   * @throws {DataCloneError} when `value` cannot be stored by value;
   *   {@link StructureValueError} (a DataCloneError) when it is or holds a pagefork structure.
   * @throws {OutOfMemoryError} when the pool's `maxBytes` cannot cover the write.
   * @example
   * ```ts
   * const m = new CowMap<string, unknown>();
   * m.set("when", new Date(0)).set("tags", new Set(["a"]));
   * const inner = CowMap.from([["x", 1]]);
   * let caught: unknown;
   * try { m.set("inner", inner); } catch (e) { caught = e; }
   * [caught instanceof StructureValueError, m.size]; // [true, 2]
   * m.set("inner", new Map(inner)); // a plain copy is stored
   * [...(m.get("inner") as Map<string, number>)]; // [["x", 1]]
   * inner.release(); m.release();
   * ```
   */
  set(key: K, value: V): this {
    const t = mapTable(this, "set");
    t.check("map");
    tablePut(t, key, value, "map");
    return this;
  }

  /** True when `key` is in the map. O(1) expected; no allocation. */
  has(key: K): boolean {
    const t = mapTable(this, "has");
    t.check("map");
    return tableHas(t, key);
  }

  /**
   * Removes `key`; true when it was there. O(1) expected.
   * @throws {OutOfMemoryError} when the pool's `maxBytes` cannot supply the pages the delete copies.
   */
  delete(key: K): boolean {
    const t = mapTable(this, "delete");
    t.check("map");
    return tableDelete(t, key);
  }

  /** Removes every entry; its pages go back to the pool unless other versions share them. O(1) plus the pages freed. */
  clear(): void {
    const t = mapTable(this, "clear");
    t.check("map");
    clear(t);
  }

  /**
   * Calls `callback(value, key, map)` for each entry in insertion order, as
   * `Map.prototype.forEach` (entries added meanwhile are visited, deleted ones
   * are not).
   * @throws {TypeError} when `callback` is not a function.
   */
  forEach(callback: (value: V, key: K, map: this) => void, thisArg?: unknown): void {
    const t = mapTable(this, "forEach");
    t.check("map");
    tableForEach(t, callback, thisArg, this, "map");
  }

  /** The keys in insertion order (decoded as the iterator reaches them). */
  keys(): CowIterator<K> {
    const t = mapTable(this, "keys");
    t.check("map");
    return new KeyIterator<K>(t, "map");
  }

  /** The values in insertion order. */
  values(): CowIterator<V> {
    const t = mapTable(this, "values");
    t.check("map");
    return new ValueIterator<V>(t, "map");
  }

  /** `[key, value]` pairs in insertion order. */
  entries(): CowIterator<[K, V]> {
    const t = mapTable(this, "entries");
    t.check("map");
    return new EntryIterator<K, V>(t, "map");
  }

  /**
   * What `JSON.stringify` writes: the entries as an array of `[key, value]`
   * pairs in insertion order, which `new CowMap(JSON.parse(text))` (or
   * `new Map(...)`) reads back. Pairs rather than an object because keys are
   * not only strings: an object would merge `1` and `"1"`, turn `null` into
   * `"null"` and reorder integer-like keys. (A native Map gives `{}`.)
   * Values go through JSON as anywhere else (a Date becomes its ISO string);
   * a bigint key or value throws TypeError, as `JSON.stringify` does for any
   * BigInt. O(n); each value is decoded (a fresh copy).
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const m = new CowMap<string | number, unknown>([["a", 1], [2, { b: [true] }]]);
   * const text = JSON.stringify(m); // '[["a",1],[2,{"b":[true]}]]'
   * const back = new CowMap(JSON.parse(text) as [string | number, unknown][]);
   * (back.get(2) as { b: boolean[] }).b; // [true]
   * m.release(); back.release();
   * ```
   */
  toJSON(): [K, V][] {
    return tableToJSON(mapTable(this, "toJSON"), "map") as [K, V][];
  }

  /**
   * How `console.log` / `util.inspect` show the map: as Node shows a Map,
   * e.g. `CowMap(2) { 'a' => 1, 'b' => { deep: [ 1, 2 ] } }`; at most
   * `maxArrayLength` entries (Node's default 100) then "... N more items",
   * decoding only those; `CowMap <released>` once released.
   */
  [INSPECT_CUSTOM](depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    return inspectTable(mapTable(this, "[inspect.custom]"), "map", depth, options, inspect);
  }

  /**
   * A new version sharing every page with this one: O(1) whatever the size.
   * Each version's later writes copy the pages they touch. The fork has no
   * iterators; this map's iterators keep iterating this map.
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const a = CowMap.from([["x", 1]]);
   * const b = a.fork();
   * b.delete("x");
   * [a.size, b.size]; // [1, 0]
   * a.release(); b.release();
   * ```
   */
  fork(): CowMap<K, V> {
    return adopt<K, V>(standalone(mapTable(this, "fork"), this, "fork", "map").fork());
  }

  /** Returns this version's pages to the pool (those no other version shares). Idempotent. */
  release(): void {
    releaseStandalone(mapTable(this, "release"), this);
  }

  /** `release()` for a standalone CowMap, `free()` for an embedded one: for `using` declarations. */
  [Symbol.dispose](): void {
    const t = mapTable(this, "[Symbol.dispose]");
    t.drop();
  }

  /**
   * A handle to this version that `postMessage` can carry to a worker, where
   * `CowMap.attachShared(handle)` reads it in place, without a copy; see
   * {@link @pagefork/core!AddressSpace.share | AddressSpace.share}, whose
   * pinning, lifetimes and errors apply. O(1) in the size. The pool must be
   * shared (`{ pool: new FramePool({ shared: true }) }`). Later changes to
   * this version never change what the handle reads.
   * @param options - `worker`: the worker the handle is for; its exit drops the pin.
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded CowMap: share its space.
   * @throws {SharingUnavailableError} when the pool is not shared.
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const m = CowMap.from([["a", 1]], { pool });
   * const handle = m.share(); // worker.postMessage(handle)
   * m.set("a", 2);
   * const seen = CowMap.attachShared(handle); // in the worker
   * [seen.get("a"), m.get("a")]; // [1, 2]
   * let caught: unknown;
   * try { seen.set("b", 1); } catch (e) { caught = e; }
   * caught instanceof ProtectionFault; // true
   * seen.release(); m.release();
   * ```
   */
  share(options?: ShareOptions): SharedCollectionHandle {
    return tableHandle(standalone(mapTable(this, "share"), this, "share", "map"), "CowMap", false, options);
  }

  /**
   * A copy of this version for a thread that cannot share memory (a browser
   * page without cross-origin isolation): `postMessage(h, [h.space.bytes])`
   * moves it; `CowMap.attachShared(h)` rebuilds it there. O(pages written).
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} on an embedded CowMap.
   */
  transferCopy(): SharedCollectionHandle {
    return tableHandle(
      standalone(mapTable(this, "transferCopy"), this, "transferCopy", "map"),
      "CowMap",
      true,
      undefined,
    );
  }

  /**
   * The CowMap a handle from `share()` or `transferCopy()` names, in this
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
  static attachShared<K extends CowKey = CowKey, V = unknown>(handle: SharedCollectionHandle): CowMap<K, V> {
    return adopt<K, V>(attachTableShared(handle, "CowMap", MAP_VALUE_BYTES));
  }

  // ---- embedded in a heap (the in-space mode) ----

  /**
   * A new CowMap embedded in `heap`, holding `entries` (added in order, as by
   * the constructor): every byte it owns is a block of the heap, in
   * `heap.space`, so a fork of that space forks it in O(1) and
   * {@link CowMap.attach} finds it in the fork. Empty, it is a 24-byte header
   * block (32 bytes of heap); the first entry adds a data block (2 buckets
   * and a log just large enough) that grows by `realloc` (to the next size
   * class while small, doubling once it is whole pages; a move copies the
   * block's pages into this version: amortized O(1) per entry). The space
   * belongs to the embedder: `fork()` and `release()` throw
   * InvalidArgumentError (fork or release the space), `free()` gives the
   * blocks back. Keep one handle per collection per space (a handle caches
   * the header). README, "Embedded in a heap", has the layout and costs.
   * @param heap - the heap (core `Heap`) to allocate from.
   * @throws {InvalidArgumentError} when `heap` is not a Heap.
   * @throws {OutOfMemoryError} when the heap's range or the pool's `maxBytes` has no room (nothing is kept).
   * @throws {TypeError} / {@link KeyTypeError} / {@link DataCloneError} (or its {@link StructureValueError}) for bad
   *   entries, as `set` (nothing is kept).
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 2 ** 32, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const prices = CowMap.create(heap, [["apple", 1.5]]);
   * prices.set("pear", 2);
   * const child = space.fork(); // forks the map with the rest of the space
   * const later = CowMap.attach<string, number>(Heap.attach(child, 256), prices.address);
   * later.set("apple", 1.75);
   * [prices.get("apple"), later.get("apple"), later.size]; // [1.5, 1.75, 2]
   * child.release();
   * space.release();
   * ```
   */
  static create<K = CowKey, V = unknown>(
    heap: Heap,
    entries: Iterable<readonly [K & CowKey, V]> | null = null,
  ): CowMap<CowKeyOf<K>, V> {
    const c = adopt<CowKeyOf<K>, V>(createTable(heap, MAP_VALUE_BYTES));
    if (entries != null) fill(c, c.#table, entries, "map");
    return c;
  }

  /**
   * A handle to the embedded CowMap whose header block is at `address` in
   * `heap`: in the space it was made in, or in a fork (where writes copy the
   * pages they touch, as after any fork). O(1); reads the header and writes
   * nothing, so the space may be frozen.
   * @throws {InvalidArgumentError} when `heap` is not a Heap, or `address` is
   *   not a live block of it holding a CowMap's header.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 2 ** 24, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const address = CowMap.create(heap, [["a", 1]]).address; // kept in the embedder's records
   * space.freeze(); // a snapshot: attach only reads
   * CowMap.attach<string, number>(heap, address).get("a"); // 1
   * space.release();
   * ```
   */
  static attach<K extends CowKey = CowKey, V = unknown>(heap: Heap, address: number): CowMap<K, V> {
    return adopt<K, V>(attachTable(heap, address, MAP_VALUE_BYTES, "CowMap"));
  }

  /** Byte address of an embedded CowMap's header block in its space (stable for its life); -1 for a standalone one. */
  get address(): number {
    const t = mapTable(this, "address");
    return t.heap === null ? -1 : t.header;
  }

  /** True for a CowMap made by `create` or `attach` (in a heap), false for a standalone one. */
  get embedded(): boolean {
    return mapTable(this, "embedded").heap !== null;
  }

  /**
   * Embedded: gives every block back to the heap (O(1) plus the pages of a
   * large data block); afterwards every use of this handle, and of its
   * iterators, throws ReleasedError. Other versions (forks of the space)
   * keep their copy: freeing discards, it never writes shared data.
   * Standalone: the same as `release()`. Idempotent.
   * @throws {OutOfMemoryError} when the pool cannot supply the heap's metadata pages (nothing is freed).
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 2 ** 24, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256 });
   * const blocks = heap.stats().blocks;
   * const m = CowMap.create(heap, [["a", 1]]); // a header and a data block
   * m.free();
   * [heap.stats().blocks - blocks, m.released]; // [0, true]
   * space.release();
   * ```
   */
  free(): void {
    mapTable(this, "free").drop();
  }

  /**
   * Memory and fault counters of this version's space: RSS/PSS/USS, faults
   * by kind, bytes copied (see `SpaceStats` in @pagefork/core); of the whole
   * shared space for an embedded CowMap.
   * O(page-table nodes).
   * @throws {ReleasedError} after `release()`.
   */
  stats(): SpaceStats {
    const t = mapTable(this, "stats");
    t.check("map");
    return t.space.stats();
  }

  /**
   * Makes this CowMap read-only for good: a copy-on-write snapshot freeze,
   * like the kernel's read-only mapping (`mprotect(PROT_READ)`) of a
   * snapshot, where `Object.freeze` would not help (it leaves a native Map's
   * entries writable). Every later write (`set`, `delete`, `clear`) throws
   * {@link @pagefork/core!ProtectionFault | ProtectionFault} and changes
   * nothing: entries, order, pages and frames are as they were; it is
   * refused before it changes the table. A call that writes nothing (a
   * `delete` of an absent key, a `clear()` of an empty map) returns as on a
   * writable CowMap, as a zero-length write to a frozen `AddressSpace` does.
   * Reads, iteration, `fork()` and `release()` still work. A fork of a
   * frozen CowMap is an ordinary writable one, as a fork of a frozen
   * `AddressSpace` is, so code handed a frozen snapshot forks it to work on
   * a copy; `new History(m, { freeze: true })` freezes each version it keeps
   * so. The freeze is the space's (`m.space.frozen`). Idempotent. O(1): no
   * page is touched; a write pays one test of the frozen bit, in the frame
   * reservation it makes anyway.
   * @throws {ReleasedError} after `release()`.
   * @throws {InvalidArgumentError} for an embedded CowMap (made by `create` or
   *   `attach`): it shares its heap's space with the embedder's other
   *   structures, so freeze that space instead (`space.freeze()`, which
   *   freezes all of them); nothing changes.
   * @example
   * ```ts
   * const snapshot = CowMap.from([["a", 1]]);
   * snapshot.freeze();
   * let caught: unknown;
   * try { snapshot.set("b", 2); } catch (e) { caught = e; }
   * [caught instanceof ProtectionFault, snapshot.size]; // [true, 1]
   * const work = snapshot.fork(); // writable
   * work.set("b", 2);
   * [snapshot.frozen, work.frozen, work.size]; // [true, false, 2]
   * snapshot.release(); work.release();
   * ```
   */
  freeze(): void {
    freezeTable(mapTable(this, "freeze"), this, "map");
  }

  /**
   * True once this CowMap's space is frozen: by `freeze()`, or otherwise (a CowMap
   * from `attachShared`; an embedded one in a space its embedder froze).
   * Every write then throws ProtectionFault. O(1); readable after `release()`.
   */
  get frozen(): boolean {
    return mapTable(this, "frozen").outerSpace().frozen;
  }
}

/**
 * A CowMap over the ready table `t` (a fork, or an attached or new embedded
 * table), handed to the constructor as its first argument through the one
 * preallocated {@link TableHandoff} (ops.ts), which no user can pass: every
 * CowMap is made by the one constructor (one hidden class), and nothing is
 * allocated but the handle.
 */
function adopt<K extends CowKey, V>(t: Table): CowMapImpl<K, V> {
  return new CowMapImpl<K, V>(handoff.of(t) as unknown as null);
}

// Declaration merging adds the member the class body does not define: it is
// the very function `entries`, as `Map.prototype[Symbol.iterator]` is
// `Map.prototype.entries` (ECMA-262 24.1.3.12).
interface CowMapImpl<K extends CowKey = CowKey, V = unknown> {
  /** "CowMap": a read-only data property of the prototype, as `Map.prototype[Symbol.toStringTag]` is "Map". */
  readonly [Symbol.toStringTag]: string;
  /**
   * The `[key, value]` pairs: the same function as `entries`
   * (`CowMap.prototype[Symbol.iterator] === CowMap.prototype.entries`), as for Map.
   */
  [Symbol.iterator](): CowIterator<[K, V]>;
}
aliasMethod(CowMapImpl.prototype, Symbol.iterator, "entries");
tagPrototype(CowMapImpl.prototype, "CowMap");
// A bundler may rename a class that refers to itself (esbuild emits
// `var CowMap = class _CowMap`); the name users see stays "CowMap".
nameClass(CowMapImpl, "CowMap");

/**
 * A copy-on-write Map: the whole table (buckets, key bytes, value bytes,
 * insertion order) is bytes in pages of an {@link AddressSpace}, so `fork()`
 * is O(1) at any size and a write after a fork copies O(1) pages (one for an
 * update, two for a new key or a delete, amortized: the table occasionally
 * moves whole when it doubles, halves or compacts).
 *
 * Semantics are Map's: SameValueZero keys (NaN is one key, -0 is +0; "1", 1
 * and 1n are three keys), insertion-order iteration, re-setting a key keeps
 * its place, delete then set moves it to the end, iterators and `forEach`
 * see entries added while they run and not those deleted before they get
 * there.
 *
 * Differences, because entries are stored by value:
 * - keys are primitives: string, number, bigint, boolean, null, undefined.
 *   `set` with an object, function or symbol key throws {@link KeyTypeError};
 *   `get`/`has`/`delete` of one find nothing.
 * - values are copied in: primitives are stored inline and read back as they
 *   were (a string is a new but equal string); anything else is encoded with
 *   msgpackr in structured-clone mode and **`get` returns a fresh copy each
 *   time**: mutating it changes nothing in the map, `m.get(k) !== m.get(k)`
 *   for objects. Write it back with `set`. What can be stored is what
 *   `structuredClone` accepts, with the exceptions listed in the README; a
 *   value that cannot be stored throws {@link DataCloneError}, and one that
 *   is or holds a pagefork structure (a CowMap, a CowText...)
 *   {@link StructureValueError}.
 *
 * Errors: any use after `release()` throws ReleasedError (iterators too);
 * a write the pool's `maxBytes` cannot cover throws OutOfMemoryError. A call
 * that throws changes nothing.
 *
 * Source of the idea: Tyler Close's deterministic hash table (as in V8's
 * OrderedHashMap) kept in copy-on-write pages, as `fork()` keeps a process's
 * heap.
 *
 * @typeParam K - key type (see {@link CowKey}).
 * @typeParam V - value type.
 * @example
 * ```ts
 * import { CowMap } from "@pagefork/map";
 * // Values of any type, as `new Map<string, unknown>()`: inferred from the entries they would be numbers.
 * const v1 = CowMap.from<string, unknown>([["a", 1], ["b", 2]]);
 * const v2 = v1.fork(); // O(1)
 * v2.set("a", 10).set("c", { deep: [1, 2] });
 * v1.get("a"); // 1
 * v2.get("a"); // 10
 * [...v2.keys()]; // ["a", "b", "c"]
 * v2.get("c"); // { deep: [1, 2] }
 * v1.release(); v2.release();
 * ```
 */
export interface CowMap<K extends CowKey = CowKey, V = unknown> extends CowMapImpl<K, V> {}

/**
 * The type of the CowMap constructor (as lib.d.ts types Map with
 * `MapConstructor`): `new CowMap(...)` infers its key type from the entries
 * and widens literal types, as `new Map(...)` does, so
 * `new CowMap([["a", 1]])` is a `CowMap<string, number>` to which other string
 * keys can be added.
 *
 * @example
 * ```ts
 * const Ctor: CowMapConstructor = CowMap;
 * const m = new Ctor([["a", 1]]); // CowMap<string, number>
 * m.set("b", 2);
 * [m.size, CowMap.length, CowMap.name]; // [2, 0, "CowMap"]
 * m.release();
 * ```
 */
export interface CowMapConstructor extends Omit<typeof CowMapImpl, "prototype"> {
  /** See the constructor of {@link CowMap}: `entries` first, options only second. */
  new <K = CowKey, V = unknown>(
    entries?: Iterable<readonly [K & CowKey, V]> | null,
    options?: CowMapOptions,
  ): CowMap<CowKeyOf<K>, V>;
  /** `CowMap.prototype`: the methods every CowMap has (as `Map.prototype`). */
  readonly prototype: CowMap;
}

/** The CowMap class (see {@link CowMap} for its members and {@link CowMapConstructor} for `new`). */
export const CowMap: CowMapConstructor = CowMapImpl as unknown as CowMapConstructor;

/** @internal The table of a CowMap (TypeError for anything else): for standalone.ts. */
export function tableOfMap(x: unknown): Table {
  return mapTable(x, "standaloneStateOf");
}

/** @internal A CowMap over the table `t`, which it then owns: for standalone.ts (as `attachShared`, without a handle). */
export function mapOverTable<K extends CowKey = CowKey, V = unknown>(t: Table): CowMap<K, V> {
  return adopt<K, V>(t) as unknown as CowMap<K, V>;
}

/** The map shape-keeper.ts keeps: one entry, in `pool`. */
function makeKeptMap(pool: FramePool): CowMap<string, number> {
  const m = new CowMap<string, number>(null, { pool });
  m.set("a", 0.5);
  return m;
}
