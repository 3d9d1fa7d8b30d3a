/**
 * The options of a {@link History} and their validation.
 *
 * @module
 */
import { throwInvalid } from "./errors.js";

/** Options of {@link History}. */
export interface HistoryOptions {
  /**
   * Versions kept at most, an integer >= 1 or `Infinity` (the default). A
   * commit that makes the history longer releases the oldest version.
   */
  maxVersions?: number;
  /**
   * Call `freeze()` on every version the history takes (the initial state and
   * each committed one), so an accidental write to `history.current` throws
   * instead of silently changing the past ({@link AddressSpace.freeze} throws
   * {@link ProtectionFault}). Forks of a frozen version are writable. The
   * versions must have a `freeze()` method. Default false.
   */
  freeze?: boolean;
}

/**
 * `options` with their defaults filled in (`maxVersions` Infinity, `freeze`
 * false). O(1).
 * @throws {InvalidArgumentError} when `options` is not an object, `maxVersions`
 * is not an integer >= 1 nor Infinity, or `freeze` is not a boolean.
 * @internal
 */
export function checkHistoryOptions(options: HistoryOptions): { maxVersions: number; freeze: boolean } {
  if (options === null || typeof options !== "object")
    throwInvalid("options", options, "an object { maxVersions?, freeze? }");
  const max = options.maxVersions ?? Number.POSITIVE_INFINITY;
  if (typeof max !== "number" || !(max >= 1) || (max !== Number.POSITIVE_INFINITY && !Number.isSafeInteger(max)))
    throwInvalid("maxVersions", max, "an integer >= 1, or Infinity");
  const freeze = options.freeze ?? false;
  if (typeof freeze !== "boolean") throwInvalid("freeze", freeze, "a boolean");
  return { maxVersions: max, freeze };
}
