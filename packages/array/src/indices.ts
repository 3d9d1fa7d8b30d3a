/**
 * Index conversions of the ECMAScript TypedArray methods (ToIntegerOrInfinity,
 * relative indices, ToIndex), so every method clamps, counts from the end and
 * refuses exactly as the native one does.
 *
 * @module
 */
import { InvalidArgumentError, toIntegerOrInfinity } from "@pagefork/core";

// ToIntegerOrInfinity and the relative-index clamp are core's (one clamp for
// every package); re-exported here beside the conversions only arrays use.
export { relativeIndex, toIntegerOrInfinity } from "@pagefork/core";

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
