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
   * {@link ProtectionFault} and changes nothing, instead of silently changing
   * the past. Forks of a frozen version (`history.fork()`) are writable. The
   * versions must have a `freeze()` method; these do:
   *
   * - {@link AddressSpace} ({@link AddressSpace.freeze});
   * - `CowText` (@pagefork/string), `CowMap` and `CowSet` (@pagefork/map),
   *   every `Cow*Array` kind and `CowVector` (@pagefork/array): standalone
   *   ones (an embedded one, made by `create` or `attach` in a heap, cannot
   *   be forked nor frozen alone: its `freeze()` throws InvalidArgumentError,
   *   so the history refuses it; keep a history of the space instead);
   * - `State` (@pagefork/state), always frozen (a no-op).
   *
   * A state without one is refused with {@link InvalidArgumentError}. Freezing
   * is O(1) and costs the edits of forks nothing. Default false.
   * @example
   * ```ts
   * const history = new History(CowText.from("draft"), { freeze: true });
   * const next = history.fork(); // writable
   * next.insert(5, " 2");
   * history.commit(next); // frozen now
   * let caught: unknown;
   * try { history.current.insert(0, "!"); } catch (e) { caught = e; }
   * [caught instanceof ProtectionFault, history.current.toString()]; // [true, "draft 2"]
   * history.undo()?.toString(); // "draft"
   * history.release();
   * ```
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
