/**
 * Iterators of CowMap and CowSet, with the semantics of Map and Set
 * iterators: they walk the log in insertion order, see entries added while
 * they run, skip entries deleted before they reach them, continue with the
 * new entries after a `clear`, and once done stay done. A compaction under a
 * live iterator is followed through the epoch chain (epoch.ts).
 *
 * The scan reads the log through a {@link PageReader} (raw slab slices, one
 * `spans` call per page); keys and values that fit their page are decoded
 * from the slice, the rest through the space's accessors.
 *
 * @module
 */
import { Epoch } from "./epoch.js";
import { readKey } from "./key.js";
import {
  align8,
  B_DATA,
  B_LENGTH,
  KIND_BLOB,
  KIND_LATIN1,
  KIND_MASK,
  KIND_NUMBER,
  KLEN_ESCAPE,
  KLEN_SHIFT,
  R_VALUE,
  TAG_SHIFT,
  V_KIND_MASK,
  V_NUMBER,
} from "./layout.js";
import { bytesWrittenOf, PageReader } from "./page-reader.js";
import { registerCollectionCheck } from "./structure.js";
import type { Table } from "./table.js";
import { latin1From } from "./text.js";
import { readValue } from "./value.js";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The current epoch of `t`, opened on first use (a table keeps epochs only once iterated). */
function epochOf(t: Table): Epoch {
  let e = t.epoch;
  if (e === null) t.epoch = e = new Epoch();
  return e;
}

/**
 * Cursor shared by iterators, `forEach` and the set methods: steps to the
 * next live entry of its table after log offset `pos` in epoch `epoch`,
 * following compactions, and leaves the entry's address, meta word and slab
 * index for `key()` and `value()`. Once at the end it lets go of the table
 * and stays done.
 *
 * It reads the log through raw slab slices (page-reader.ts says why that is
 * safe); `step` has a small fast path (same epoch, same page, a live entry
 * with a short key) that V8 inlines into the caller's loop, and an
 * out-of-line slow path for everything else.
 */
export class Cursor {
  table: Table | null;
  epoch: Epoch | null;
  /** Log offset of the next record to look at. */
  pos: number;
  readonly reader: PageReader;
  /** Byte address of the current entry. */
  rec: number;
  /** Its meta word. */
  meta: number;
  /** Its slab byte index in `reader`'s views. */
  idx: number;
  /** Bytes from the current entry to the end of its page. */
  room: number;

  constructor(t: Table) {
    this.table = t;
    this.epoch = epochOf(t);
    this.pos = 0;
    this.reader = new PageReader(t.space);
    this.rec = 0;
    this.meta = 0;
    this.idx = 0;
    this.room = 0;
  }

  /**
   * Advances to the next live entry: true, or false when done (for good).
   * @throws {ReleasedError} once the table's space is released.
   */
  step(what: string): boolean {
    const t = this.table;
    if (t === null) return false;
    const r = this.reader;
    const p = this.pos;
    const a = t.logAddr + p;
    const off = a - r.page;
    if (
      t.space.released ||
      (this.epoch as Epoch).next !== null ||
      p >= t.used ||
      off < 0 ||
      off >= r.pageSize ||
      t.writes + bytesWrittenOf(t.space) !== r.stamp
    )
      return this.stepSlow(what);
    const i = r.base + off;
    const meta = r.u32[i >> 2] as number;
    const n = meta >>> KLEN_SHIFT;
    if ((meta & KIND_MASK) <= KIND_BLOB || n === KLEN_ESCAPE) return this.stepSlow(what);
    this.pos = p + align8(t.keyOff + n);
    this.rec = a;
    this.meta = meta;
    this.idx = i;
    this.room = r.pageSize - off;
    return true;
  }

  /** The general step: release check, epoch transitions, page loads, tombstones, blobs, long keys. */
  private stepSlow(what: string): boolean {
    const t = this.table as Table;
    t.check(what);
    let e = this.epoch as Epoch;
    let p = this.pos;
    while (e.next !== null) {
      p = e.remap(p);
      e = e.next;
    }
    this.epoch = e;
    const r = this.reader;
    const base = t.logAddr;
    const end = t.used;
    const stamp = t.writes + bytesWrittenOf(t.space);
    const keyOff = t.keyOff;
    while (p < end) {
      const a = base + p;
      const i = r.at(a, stamp);
      // a is 8-aligned, so a and a + 4 are on the page `at` loaded.
      const meta = r.u32[i >> 2] as number;
      const kind = meta & KIND_MASK;
      let size: number;
      if (kind === KIND_BLOB) size = align8(B_DATA + (r.u32[(i + B_LENGTH) >> 2] as number));
      else {
        const n = meta >>> KLEN_SHIFT;
        size = align8(keyOff + (n === KLEN_ESCAPE ? t.space.getUint32(a + keyOff) + 4 : n));
        if (kind > KIND_BLOB) {
          this.pos = p + size;
          this.rec = a;
          this.meta = meta;
          this.idx = i;
          this.room = r.room(a);
          return true;
        }
      }
      p += size;
    }
    this.table = null; // done, and stays done, as a Map iterator
    this.epoch = null;
    this.pos = p;
    return false;
  }

  /**
   * The key of the current entry (a new string for string keys). The common
   * case, a one-byte string on the entry's page, is a separate small method
   * so V8 inlines it into the caller's loop.
   */
  key(t: Table): unknown {
    const meta = this.meta;
    const n = meta >>> KLEN_SHIFT;
    if ((meta & KIND_MASK) === KIND_LATIN1 && this.room >= t.keyOff + n)
      return latin1From(this.reader.u8, this.idx + t.keyOff, n);
    return this.keySlow(t);
  }

  private keySlow(t: Table): unknown {
    const meta = this.meta;
    const kind = meta & KIND_MASK;
    const k = this.idx + t.keyOff;
    if (kind === KIND_NUMBER && this.room >= t.keyOff + 8) {
      const r = this.reader;
      u32[0] = r.u32[k >> 2] as number;
      u32[1] = r.u32[(k >> 2) + 1] as number;
      return f64[0];
    }
    return readKey(t.space, meta, this.rec + t.keyOff);
  }

  /** The value of the current entry of a map (a new copy for values that are not inline). */
  value(t: Table): unknown {
    const meta = this.meta;
    if (((meta >>> TAG_SHIFT) & V_KIND_MASK) === V_NUMBER && this.room >= R_VALUE + 8)
      return this.reader.f64[(this.idx + R_VALUE) >> 3];
    return this.valueSlow(t);
  }

  private valueSlow(t: Table): unknown {
    return readValue(t.space, this.meta, this.rec + R_VALUE, t.logAddr);
  }
}

/** The result of a finished iteration (a fresh object each time, as a Map iterator returns). */
function done<T>(): IteratorResult<T> {
  return { value: undefined, done: true };
}

/**
 * An iterator over a CowMap or CowSet: `next()`, and itself iterable, like
 * the iterators `Map.prototype.entries()` and friends return. Made by
 * `keys()`, `values()`, `entries()` and `[Symbol.iterator]()`; a key or value
 * is decoded when `next()` reaches it (strings and object values are new
 * each time). One subclass per kind of result keeps each `next()` small
 * enough for V8 to inline into the caller's loop.
 *
 * @throws {ReleasedError} from `next()` once the collection is released (unless already done).
 * @example
 * ```ts
 * const m = CowMap.from([["a", 1], ["b", 2]]);
 * const it = m.keys();
 * it.next().value; // "a"
 * m.set("c", 3); // seen by the running iterator, as with Map
 * [...it]; // ["b", "c"]
 * m.release();
 * ```
 */
export abstract class CowIterator<T> implements IterableIterator<T> {
  /** @internal */
  readonly cursor: Cursor;
  /** @internal "map" or "set", for errors. */
  readonly owner: string;

  /** @internal */
  constructor(t: Table, owner: "map" | "set") {
    this.cursor = new Cursor(t);
    this.owner = owner;
  }

  /** The next key, value or entry, in insertion order. O(1) amortized (plus decoding). */
  abstract next(): IteratorResult<T>;

  /** Returns the iterator itself, so it can be used in `for...of`. */
  [Symbol.iterator](): this {
    return this;
  }

  /** "CowMap Iterator" or "CowSet Iterator". */
  get [Symbol.toStringTag](): string {
    return this.owner === "map" ? "CowMap Iterator" : "CowSet Iterator";
  }
}

// %IteratorPrototype% (the prototype of every built-in iterator's prototype,
// found from an array iterator: Node 20 has no global `Iterator`) above
// CowIterator, as it is above %MapIteratorPrototype%: what an engine adds
// there (the iterator helpers `map`, `filter`, `take`, `toArray`... of
// ES2025, Node 22+) works on a CowMap's iterators as on a Map's. Done once,
// before any iterator exists; `next` stays on the subclasses' own prototypes.
Object.setPrototypeOf(CowIterator.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));

// The codec refuses an iterator given as a value (structure.ts).
registerCollectionCheck((x) =>
  x instanceof CowIterator
    ? (x as CowIterator<unknown>).owner === "map"
      ? "CowMap Iterator"
      : "CowSet Iterator"
    : null,
);

/** @internal Yields keys (a set's values). */
export class KeyIterator<K> extends CowIterator<K> {
  next(): IteratorResult<K> {
    const c = this.cursor;
    const t = c.table;
    if (t === null || !c.step(this.owner)) return done();
    return { value: c.key(t) as K, done: false };
  }
}

/** @internal Yields a map's values. */
export class ValueIterator<V> extends CowIterator<V> {
  next(): IteratorResult<V> {
    const c = this.cursor;
    const t = c.table;
    if (t === null || !c.step(this.owner)) return done();
    return { value: c.value(t) as V, done: false };
  }
}

/** @internal Yields a map's `[key, value]` pairs. */
export class EntryIterator<K, V> extends CowIterator<[K, V]> {
  next(): IteratorResult<[K, V]> {
    const c = this.cursor;
    const t = c.table;
    if (t === null || !c.step(this.owner)) return done();
    return { value: [c.key(t) as K, c.value(t) as V], done: false };
  }
}

/** @internal Yields a set's `[value, value]` pairs. */
export class SetEntryIterator<K> extends CowIterator<[K, K]> {
  next(): IteratorResult<[K, K]> {
    const c = this.cursor;
    const t = c.table;
    if (t === null || !c.step(this.owner)) return done();
    const k = c.key(t) as K;
    return { value: [k, k], done: false };
  }
}
