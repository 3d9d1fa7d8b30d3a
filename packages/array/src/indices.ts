/**
 * Index conversions of the ECMAScript TypedArray methods (ToIntegerOrInfinity,
 * relative indices, ToIndex), so every method clamps, counts from the end and
 * refuses exactly as the native one does.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";

/**
 * ECMAScript ToIntegerOrInfinity: ToNumber (a bigint or symbol throws
 * TypeError, as natively), NaN to 0, truncation, -0 to +0.
 */
export function toIntegerOrInfinity(v: unknown): number {
  const n = typeof v === "number" ? v : +(v as number);
  if (Number.isNaN(n)) return 0;
  return Math.trunc(n) + 0; // + 0 turns -0 into +0
}

/**
 * A relative index as `slice`, `fill`, `copyWithin`, `subarray` take it:
 * negatives count from `len`, the result is clamped to `[0, len]`, and
 * `undefined` means `dflt`.
 */
export function relativeIndex(v: unknown, len: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = toIntegerOrInfinity(v);
  if (n < 0) return n === Number.NEGATIVE_INFINITY ? 0 : Math.max(len + n, 0);
  return Math.min(n, len);
}

/**
 * ECMAScript ToIndex for a length: `undefined` is 0, otherwise an integer in
 * `[0, max]` after ToIntegerOrInfinity.
 *
 * @throws {RangeError} for a negative, infinite or too large value, with the
 * native message "Invalid typed array length: x" extended by the bound.
 * @throws {TypeError} for a bigint or symbol (ToNumber).
 */
export function toLength(v: unknown, max: number, what: string): number {
  if (v === undefined) return 0;
  const n = toIntegerOrInfinity(v);
  if (n < 0 || n > max)
    throw new RangeError(`Invalid typed array length: ${String(v)} (${what} holds 0 to ${max} elements)`);
  return n;
}

/**
 * The index a strict position argument names (`insert`, `removeRange`):
 * an integer number in `[0, max]`, nothing else.
 *
 * @throws {InvalidArgumentError} (a RangeError) otherwise, naming the argument.
 */
export function strictIndex(v: unknown, max: number, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max)
    throw new InvalidArgumentError(what, v, `an integer in [0, ${max}]`);
  return v + 0;
}
