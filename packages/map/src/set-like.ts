/**
 * The "set-like" protocol of the ES2025 Set methods (`union`,
 * `intersection`...): GetSetRecord and the iteration of `other.keys()`, as
 * ECMA-262 specifies them, so CowSet's methods accept native Sets, CowSets
 * and any object with `size`, `has` and `keys`.
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

/** GetSetRecord(obj): validated size, has and keys of a set-like `other`. */
export interface SetRecord<T> {
  readonly set: object;
  readonly size: number;
  readonly has: (this: unknown, value: T) => unknown;
  readonly keys: (this: unknown) => unknown;
}

/**
 * ECMA-262 GetSetRecord: reads `size` (converted with ToNumber, then to an
 * integer or Infinity), `has` and `keys`, in that order.
 * @throws {TypeError} when `other` is not an object, `size` is NaN (or not convertible), or `has`/`keys` is not callable.
 * @throws {RangeError} when `size` is negative.
 */
export function getSetRecord<T>(other: unknown, method: string): SetRecord<T> {
  if (other === null || (typeof other !== "object" && typeof other !== "function"))
    throw new TypeError(`CowSet.${method}: the argument must be a set-like object`);
  const o = other as { size: unknown; has: unknown; keys: unknown };
  // ToNumber: unary plus throws a TypeError for symbols and bigints, as the
  // spec's does (Number(x) would convert a bigint).
  const num = +(o.size as number);
  if (Number.isNaN(num)) throw new TypeError(`CowSet.${method}: the argument's size is not a number`);
  const size = Number.isFinite(num) ? Math.trunc(num) : num;
  if (size < 0) throw new RangeError(`CowSet.${method}: the argument's size is negative`);
  const has = o.has;
  if (typeof has !== "function") throw new TypeError(`CowSet.${method}: the argument's has is not a function`);
  const keys = o.keys;
  if (typeof keys !== "function") throw new TypeError(`CowSet.${method}: the argument's keys is not a function`);
  return { set: o, size, has: has as SetRecord<T>["has"], keys: keys as SetRecord<T>["keys"] };
}

/** ToBoolean(Call(rec.has, rec.set, « value »)). */
export function otherHas<T>(rec: SetRecord<T>, value: T): boolean {
  return Boolean(rec.has.call(rec.set, value));
}

/** An iterator and its `next` method, read once (ECMA-262 Iterator Record). */
export interface IteratorRecord<T> {
  readonly it: Iterator<T>;
  readonly next: (this: unknown) => unknown;
}

/**
 * GetIteratorFromMethod(rec.set, rec.keys): calls `keys()` and reads the
 * iterator's `next`. Separate from the walk because some methods (union,
 * symmetricDifference) must call `keys()` before copying the receiver.
 * @throws {TypeError} when `keys()` returns a non-object or its `next` is not callable.
 */
export function openOtherKeys<T>(rec: SetRecord<T>, method: string): IteratorRecord<T> {
  const iter = rec.keys.call(rec.set);
  if (iter === null || (typeof iter !== "object" && typeof iter !== "function"))
    throw new TypeError(`CowSet.${method}: the argument's keys() did not return an object`);
  const it = iter as Iterator<T>;
  const next = it.next;
  if (typeof next !== "function") throw new TypeError(`CowSet.${method}: the argument's iterator has no next()`);
  return { it, next };
}

/**
 * Runs `visit` on each value of `rec.keys()` (or of `opened`, when the caller already called it) (GetIteratorFromMethod, then
 * IteratorStepValue with the `next` read once), -0 canonicalized to +0. When
 * `visit` returns false the iterator is closed (IteratorClose: its `return`
 * is called) and the walk stops; when `visit` throws, the iterator is closed
 * and the error goes on.
 * @returns false when `visit` stopped the walk.
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
      throw new TypeError(`CowSet.${method}: the iterator result is not an object`);
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
      close(it);
      return false;
    }
  }
}

/** IteratorClose on a normal completion: calls `return` and checks its result is an object. */
function close(it: Iterator<unknown>): void {
  const ret = it.return;
  if (ret === undefined || ret === null) return;
  const r = (ret as () => unknown).call(it);
  if (r === null || (typeof r !== "object" && typeof r !== "function"))
    throw new TypeError("CowSet: the iterator's return() did not return an object");
}

/** IteratorClose on a throw completion: the original error wins over anything `return` throws. */
export function closeQuietly(it: Iterator<unknown>): void {
  try {
    it.return?.();
  } catch {
    // the error being thrown takes precedence (ECMA-262 IteratorClose, step 5)
  }
}
