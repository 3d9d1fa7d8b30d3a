/**
 * The index conversions of ECMAScript's array-like methods, written once for
 * every package: ToIntegerOrInfinity and the relative index that `slice`,
 * `subarray`, `fill`, `copyWithin` and `String.prototype.slice` take.
 *
 * @module
 */

/**
 * ECMAScript ToIntegerOrInfinity: ToNumber (a bigint or a symbol throws
 * TypeError, as natively), NaN to 0, truncation toward zero, -0 to +0.
 * @throws {TypeError} for a bigint or a symbol.
 * @example
 * ```ts
 * [toIntegerOrInfinity(-2.7), toIntegerOrInfinity("3"), toIntegerOrInfinity(Number.NaN)]; // [-2, 3, 0]
 * ```
 */
export function toIntegerOrInfinity(v: unknown): number {
  const n = typeof v === "number" ? v : +(v as number);
  if (Number.isNaN(n)) return 0;
  return Math.trunc(n) + 0; // + 0 turns -0 into +0
}

/**
 * A relative index as `slice`, `subarray`, `fill` and `copyWithin` take it
 * (ECMA-262, e.g. %TypedArray%.prototype.slice steps 4-7): ToIntegerOrInfinity,
 * negatives count back from `len`, the result is clamped to `[0, len]`, and
 * `undefined` means `dflt`. O(1), no allocation.
 * @param v - the argument as the caller got it.
 * @param len - the length (elements, or UTF-16 code units for text).
 * @param dflt - the index `undefined` stands for (0 for a start, `len` for an end).
 * @throws {TypeError} for a bigint or a symbol (ToNumber).
 * @example
 * ```ts
 * [relativeIndex(-2, 10, 0), relativeIndex(99, 10, 0), relativeIndex(undefined, 10, 10)]; // [8, 10, 10]
 * ```
 */
export function relativeIndex(v: unknown, len: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = toIntegerOrInfinity(v);
  if (n < 0) return n === Number.NEGATIVE_INFINITY ? 0 : Math.max(len + n, 0);
  return Math.min(n, len);
}
