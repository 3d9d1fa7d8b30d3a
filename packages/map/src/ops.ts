/**
 * The operations CowMap and CowSet share, on a {@link Table}: lookup, add,
 * delete and the forEach walk. The classes check their receiver and call
 * these; the set methods (set-methods.ts) call them on the receiver's own
 * table, never through its overridable `has`/`add`/`delete`, as the native
 * Set methods work on the receiver's [[SetData]].
 *
 * @module
 */
import { throwEmbedded, throwKeyType } from "./errors.js";
import { Cursor } from "./iterator.js";
import { classifyKey, isKey, probe } from "./key.js";
import { foundLink, type Table } from "./table.js";
import { classifyValue, pending } from "./value.js";
import { insert, remove, update } from "./writes.js";

/**
 * The hand-off of a ready table (a fork, an attached or a new embedded one,
 * a set method's result) to the CowMap or CowSet constructor, passed as its
 * first argument: `new CowMapImpl(handoff.of(t))`. One preallocated
 * instance, {@link handoff}, recognised by identity; the constructor takes
 * the table at once and clears it (so it keeps no table alive), and nothing
 * runs in between: nothing is allocated per fork but the handle.
 */
export class TableHandoff {
  /** The table on its way to a constructor (null otherwise). */
  table: Table | null;
  constructor() {
    this.table = null;
  }
  /** Holds `t` and returns the hand-off, to be passed straight to a constructor. */
  of(t: Table): TableHandoff {
    this.table = t;
    return this;
  }
  /** The table, taken: `table` is cleared. */
  take(): Table {
    const t = this.table as Table;
    this.table = null;
    return t;
  }
}

/** @internal The one preallocated hand-off (see {@link TableHandoff}). */
export const handoff = new TableHandoff();

/** True when `key` is in `t`. O(1) expected; no allocation. */
export function tableHas(t: Table, key: unknown): boolean {
  return classifyKey(key, probe) && t.find(probe) >= 0;
}

/** Removes `key` from `t`; true when it was there. O(1) expected. */
export function tableDelete(t: Table, key: unknown): boolean {
  if (!classifyKey(key, probe)) return false;
  const rec = t.find(probe);
  if (rec < 0) return false;
  remove(t, rec, foundLink());
  return true;
}

/** Adds `value` to the set table `t` unless it is there. @throws {KeyTypeError} for a value that cannot be a key. */
export function tableAdd(t: Table, value: unknown): void {
  if (!isKey(value)) throwKeyType(value);
  classifyKey(value, probe);
  if (t.find(probe) < 0) insert(t, probe, pending);
}

/**
 * Sets `key` to `value` in the map table `t`. The value is classified first:
 * encoding it may run getters, which may release the map (hence the second
 * check) or classify other keys (hence the key after it).
 * @throws {KeyTypeError} / {@link DataCloneError} for a bad key or value.
 */
export function tablePut(t: Table, key: unknown, value: unknown, what: string): void {
  if (!isKey(key)) throwKeyType(key);
  classifyValue(value, pending);
  t.check(what);
  classifyKey(key, probe);
  const rec = t.find(probe);
  if (rec >= 0) update(t, rec, probe, pending);
  else insert(t, probe, pending);
}

/**
 * `t`, after checking that it is live and standalone: what `fork`, `share`
 * and `transferCopy` of CowMap and CowSet (`self`) start with. O(1).
 * @throws {ReleasedError} after `release()`.
 * @throws {InvalidArgumentError} for an embedded table (fork, share or release its space instead).
 */
export function standalone(t: Table, self: object, method: string, what: "map" | "set"): Table {
  t.check(what);
  if (t.heap !== null) throwEmbedded(self, method);
  return t;
}

/**
 * `release()` of a standalone CowMap or CowSet (`self`): its pages go back
 * to the pool unless other versions share them. Idempotent.
 * @throws {InvalidArgumentError} for an embedded table (`free()` it, or release its space).
 */
export function releaseStandalone(t: Table, self: object): void {
  if (t.heap !== null) throwEmbedded(self, "release");
  t.space.release();
}

/**
 * Calls `callback.call(thisArg, value, key, self)` (maps) or
 * `callback.call(thisArg, key, key, self)` (sets) for each live entry in
 * insertion order, seeing entries added meanwhile, as Map and Set's forEach.
 * @throws {TypeError} when `callback` is not a function.
 */
export function tableForEach(t: Table, callback: unknown, thisArg: unknown, self: object, what: "map" | "set"): void {
  if (typeof callback !== "function")
    throw new TypeError(`${what === "map" ? "CowMap" : "CowSet"}.prototype.forEach: callback is not a function`);
  const c = new Cursor(t);
  const isMap = what === "map";
  while (c.step(what)) {
    if (isMap) {
      const value = c.value(t);
      callback.call(thisArg, value, c.key(t), self);
    } else {
      const key = c.key(t);
      callback.call(thisArg, key, key, self);
    }
  }
}

/**
 * Adds the entries (maps) or values (sets) of `iterable` to a new
 * collection `self` whose table is `t`, as the Map and Set constructors do
 * (AddEntriesFromIterable): `self.set` / `self.add` is looked up once, before
 * iterating, and called for each item, so a subclass's override runs. On any
 * throw the table is dropped (its new space released) and the error goes on;
 * `for...of` has closed the iterator.
 * @throws {TypeError} when the adder is not callable, `iterable` is not iterable, or (maps) an entry is not an object.
 */
export function fill(self: object, t: Table, iterable: unknown, what: "map" | "set"): void {
  const name = what === "map" ? "CowMap" : "CowSet";
  try {
    const adder = (self as Record<string, unknown>)[what === "map" ? "set" : "add"];
    if (typeof adder !== "function")
      throw new TypeError(`${name}: ${what === "map" ? "set" : "add"} is not a function`);
    if (!isIterable(iterable))
      throw new TypeError(
        `${name}: the first argument must be iterable or null/undefined, got ${describe(iterable)} ` +
          `(options go second: new ${name}(null, { pool }))`,
      );
    t.presize(sizeOf(iterable));
    if (what === "set") for (const v of iterable) adder.call(self, v);
    else
      for (const entry of iterable) {
        if (entry === null || (typeof entry !== "object" && typeof entry !== "function"))
          throw new TypeError(`CowMap: iterator value ${String(entry)} is not an entry object`);
        const e = entry as { 0: unknown; 1: unknown };
        adder.call(self, e[0], e[1]);
      }
  } catch (e) {
    t.drop(false);
    throw e;
  }
}

function describe(x: unknown): string {
  return x === null ? "null" : typeof x === "object" ? "an object" : typeof x;
}

/** True for anything `for...of` accepts (strings included), as the Map and Set constructors test. */
export function isIterable<T>(x: unknown): x is Iterable<T> {
  return x != null && typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

/** The number of items of an array, Map or Set (NaN for other iterables), to size a new table. */
export function sizeOf(iterable: unknown): number {
  if (Array.isArray(iterable)) return iterable.length;
  if (iterable instanceof Map || iterable instanceof Set) return iterable.size;
  return Number.NaN;
}

/** Makes `proto[key]` the very function `proto[target]`, with a class method's attributes (writable, configurable, not enumerable). */
export function aliasMethod(proto: object, key: PropertyKey, target: string): void {
  Object.defineProperty(proto, key, {
    value: (proto as Record<string, unknown>)[target],
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

/**
 * Gives `proto` its `Symbol.toStringTag` as the natives have theirs (a data
 * property, read-only, not enumerable, configurable; `Map.prototype`'s is
 * "Map"), rather than an accessor: `Object.prototype.toString` gives
 * "[object <tag>]" either way, but descriptors and `Reflect.ownKeys` users
 * see what they see on Map and Set.
 */
export function tagPrototype(proto: object, tag: string): void {
  Object.defineProperty(proto, Symbol.toStringTag, {
    value: tag,
    writable: false,
    enumerable: false,
    configurable: true,
  });
}

/** Sets the `name` of class `C` to `name`, with the attributes of a class's own `name` (configurable only). */
export function nameClass(C: abstract new (...args: never[]) => unknown, name: string): void {
  Object.defineProperty(C, "name", { value: name, writable: false, enumerable: false, configurable: true });
}
