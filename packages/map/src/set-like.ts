/**
 * The "set-like" protocol of the ES2025 Set methods (`union`,
 * `intersection`...): GetSetRecord and the iteration of `other.keys()`, as
 * ECMA-262 specifies them (2025, 24.2.1.2 GetSetRecord, 7.4 Iterator
 * Records; from the TC39 "Set methods" proposal,
 * https://github.com/tc39/proposal-set-methods), so CowSet's methods accept
 * native Sets, CowSets and any object with `size`, `has` and `keys`.
 *
 * Exported for other collections that implement the Set methods over their
 * own elements (@pagefork/state's set views and drafts use them): each
 * function takes the name of the calling method (`"CowSet.union"`,
 * `"Set.prototype.union"`...), which starts every error message it throws.
 *
 * @module
 */

/**
 * What the Set methods accept as `other`: an object with a numeric `size`, a
 * `has(value)` and a `keys()` returning an iterator (a Set, a CowSet, a Map's
 * keys via a Map...). Same shape as TypeScript's `ReadonlySetLike` (ES2025 lib).
 *
 * @example
 * ```ts
 * const evens: SetLike<number> = { size: Infinity, has: (n) => n % 2 === 0, keys: () => [][Symbol.iterator]() };
 * const s = CowSet.from([1, 2, 3, 4]);
 * [...s.intersection(evens)]; // [2, 4]
 * s.release();
 * ```
 */
export interface SetLike<T> {
  /** Number of elements (may be Infinity; must not be NaN or negative). */
  readonly size: number;
  /** True when `value` is an element. */
  has(value: T): boolean;
  /** An iterator over the elements. */
  keys(): Iterator<T>;
}

/**
 * A Set Record (ECMA-262 GetSetRecord's result): the set-like `other` with
 * its `size`, `has` and `keys` read once and validated, so that each is read
 * exactly once per Set method call, as the spec requires.
 */
export interface SetRecord<T> {
  /** The set-like object itself (`this` of `has` and `keys`). */
  readonly set: object;
  /** Its `size` as an integer, or Infinity: never NaN nor negative. */
  readonly size: number;
  /** Its `has` method (called through {@link otherHas}). */
  readonly has: (this: unknown, value: T) => unknown;
  /** Its `keys` method (called through {@link openOtherKeys} / {@link forEachOtherKey}). */
  readonly keys: (this: unknown) => unknown;
}

/**
 * ECMA-262 GetSetRecord(other): reads `size` (converted with ToNumber, then
 * to an integer or Infinity), `has` and `keys`, in that order, each once.
 * Call it first, before reading the receiver, as every Set method does. O(1)
 * plus `other`'s getters.
 * @param other - the argument of the Set method.
 * @param method - the calling method's name, which starts every error
 *   message: `"CowSet.union"`, `"Set.prototype.union"`...
 * @throws {TypeError} when `other` is not an object, `size` is NaN (or not
 *   convertible: a symbol or a bigint), or `has`/`keys` is not callable.
 * @throws {RangeError} when `size` is negative.
 * @example
 * ```ts
 * const rec = getSetRecord(new Set([1, 2]), "mySet.union");
 * [rec.size, otherHas(rec, 2), otherHas(rec, 3)]; // [2, true, false]
 * let caught: unknown;
 * try { getSetRecord({ size: -1, has() {}, keys() {} }, "mySet.union"); } catch (e) { caught = e; }
 * (caught as RangeError).message; // "mySet.union: the argument's size is negative"
 * ```
 */
export function getSetRecord<T>(other: unknown, method: string): SetRecord<T> {
  if (other === null || (typeof other !== "object" && typeof other !== "function"))
    throw new TypeError(`${method}: the argument must be a set-like object`);
  const o = other as { size: unknown; has: unknown; keys: unknown };
  // ToNumber: unary plus throws a TypeError for symbols and bigints, as the
  // spec's does (Number(x) would convert a bigint).
  const num = +(o.size as number);
  if (Number.isNaN(num)) throw new TypeError(`${method}: the argument's size is not a number`);
  const size = Number.isFinite(num) ? Math.trunc(num) : num;
  if (size < 0) throw new RangeError(`${method}: the argument's size is negative`);
  const has = o.has;
  if (typeof has !== "function") throw new TypeError(`${method}: the argument's has is not a function`);
  const keys = o.keys;
  if (typeof keys !== "function") throw new TypeError(`${method}: the argument's keys is not a function`);
  return { set: o, size, has: has as SetRecord<T>["has"], keys: keys as SetRecord<T>["keys"] };
}

/**
 * ToBoolean(Call(rec.has, rec.set, « value »)): whether the set-like has
 * `value`, by its own `has` as read by {@link getSetRecord}. O(1) plus
 * `has`, whose errors go on unchanged.
 * @example
 * ```ts
 * const rec = getSetRecord<string>({ size: 1, has: (v: string) => (v === "a" ? 1 : 0), keys: () => ["a"].values() }, "f");
 * [otherHas(rec, "a"), otherHas(rec, "b")]; // [true, false]
 * ```
 */
export function otherHas<T>(rec: SetRecord<T>, value: T): boolean {
  return Boolean(rec.has.call(rec.set, value));
}

/** An Iterator Record (ECMA-262 7.4.1): an iterator and its `next` method, read once. */
export interface IteratorRecord<T> {
  /** The iterator `keys()` returned. */
  readonly it: Iterator<T>;
  /** Its `next`, read once when it was opened. */
  readonly next: (this: unknown) => unknown;
}

/**
 * GetIteratorFromMethod(rec.set, rec.keys): calls `keys()` and reads the
 * iterator's `next` once. Separate from {@link forEachOtherKey} for methods
 * that must call `keys()` before other work (`union` and
 * `symmetricDifference` call it before copying the receiver): once opened,
 * the caller must close it on any error of its own (see {@link closeQuietly})
 * or pass it to {@link forEachOtherKey}, which does. O(1) plus `keys()`.
 * @param method - the calling method's name, which starts every error message.
 * @throws {TypeError} when `keys()` returns a non-object or its `next` is not callable.
 * @example
 * ```ts
 * const rec = getSetRecord<number>(new Set([1, 2]), "f");
 * const opened = openOtherKeys(rec, "f");
 * const seen: number[] = [];
 * forEachOtherKey(rec, "f", (v) => { seen.push(v); return true; }, opened);
 * seen; // [1, 2]
 * ```
 */
export function openOtherKeys<T>(rec: SetRecord<T>, method: string): IteratorRecord<T> {
  const iter = rec.keys.call(rec.set);
  if (iter === null || (typeof iter !== "object" && typeof iter !== "function"))
    throw new TypeError(`${method}: the argument's keys() did not return an object`);
  const it = iter as Iterator<T>;
  const next = it.next;
  if (typeof next !== "function") throw new TypeError(`${method}: the argument's iterator has no next()`);
  return { it, next };
}

/**
 * Runs `visit` on each value of `rec.keys()` (or of `opened`, when the
 * caller already opened it with {@link openOtherKeys}): GetIteratorFromMethod,
 * then IteratorStepValue with `next` read once and each result's `done` and
 * `value` read once, -0 made +0 (CanonicalizeKeyedCollectionKey). When
 * `visit` returns false the iterator is closed (IteratorClose: its `return`
 * is called and must return an object) and the walk stops; when `visit`
 * throws, the iterator is closed (its `return` called, whatever it throws
 * ignored) and `visit`'s error goes on. An error of `next`, `done` or
 * `value` itself goes on without a close, as the spec says. O(n) calls of
 * `next` and `visit`.
 * @param method - the calling method's name, which starts every error message.
 * @returns false when `visit` stopped the walk, true when the iterator was exhausted.
 * @throws {TypeError} when `keys()` or `next()` returns a non-object, `next`
 *   is not callable, or `return()` (after `visit` returned false) returns a non-object.
 * @example
 * ```ts
 * const rec = getSetRecord<number>(new Set([1, -0, 3]), "mySet.isSupersetOf");
 * const seen: number[] = [];
 * const all = forEachOtherKey(rec, "mySet.isSupersetOf", (v) => { seen.push(v); return v !== 0; });
 * [all, Object.is(seen[1], 0)]; // [false, true]
 * ```
 */
export function forEachOtherKey<T>(
  rec: SetRecord<T>,
  method: string,
  visit: (value: T) => boolean,
  opened?: IteratorRecord<T>,
): boolean {
  const { it, next } = opened ?? openOtherKeys(rec, method);
  for (;;) {
    const r = next.call(it) as IteratorResult<T>;
    if (r === null || (typeof r !== "object" && typeof r !== "function"))
      throw new TypeError(`${method}: the iterator result is not an object`);
    if (r.done) return true; // IteratorComplete: reads `done` once
    const raw = r.value; // IteratorValue: reads `value` once (it may be a getter)
    const v = (raw === 0 ? 0 : raw) as T; // CanonicalizeKeyedCollectionKey: -0 becomes +0
    let go: boolean;
    try {
      go = visit(v);
    } catch (e) {
      closeQuietly(it);
      throw e;
    }
    if (!go) {
      close(it, method);
      return false;
    }
  }
}

/** IteratorClose on a normal completion: calls `return` and checks its result is an object. */
function close(it: Iterator<unknown>, method: string): void {
  const ret = it.return;
  if (ret === undefined || ret === null) return;
  // GetMethod: a `return` that is neither absent nor callable is a TypeError (of its own, named here).
  if (typeof ret !== "function") throw new TypeError(`${method}: the argument's iterator's return is not a function`);
  const r = (ret as () => unknown).call(it);
  if (r === null || (typeof r !== "object" && typeof r !== "function"))
    throw new TypeError(`${method}: the iterator's return() did not return an object`);
}

/**
 * IteratorClose on a throw completion: calls the iterator's `return`, if
 * any, and ignores what it throws or returns: the error being thrown takes
 * precedence (ECMA-262 IteratorClose, step 5). For a caller that opened the
 * iterator with {@link openOtherKeys} and fails before walking it. O(1)
 * plus `return`.
 * @example
 * ```ts
 * const log: string[] = [];
 * const it = { next: () => ({ done: false, value: 1 }), return() { log.push("return"); throw new Error("ignored"); } };
 * closeQuietly(it);
 * log; // ["return"]
 * ```
 */
export function closeQuietly(it: Iterator<unknown>): void {
  try {
    it.return?.();
  } catch {
    // the error being thrown takes precedence (ECMA-262 IteratorClose, step 5)
  }
}
