/**
 * What a store takes and reports: its options (checked once, when the store
 * is made), its listeners' signature, its stats and the entries of its
 * `versions`.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import type { Patch } from "./patch-types.js";
import type { AnyType } from "./schema.js";
import type { State, StateOptions } from "./state.js";

/** Options of {@link createStore}. */
export interface StoreOptions extends StateOptions {
  /** Versions kept at most (an integer >= 1, or Infinity, the default); the oldest is released first. */
  maxVersions?: number;
  /**
   * Bytes the store's versions may hold (frames in use in its pool; the
   * store makes its own pool unless `pool` is given, then the whole pool
   * counts). At each change (a commit, an undo, a redo, a `goTo`), before
   * the listeners are told, the oldest versions are released, each freeing
   * its USS, until the store fits or the current version is the oldest
   * left: listeners read `versions`, `canUndo` and `stats()` as they stay.
   * The version a change replaced stays readable (and counted) until the
   * listeners were told, so a coalesced keystroke at the edge of the budget
   * may release one old version more than strictly needed. Default Infinity.
   */
  maxBytes?: number;
  /**
   * Commits closer together than this many milliseconds become one undo
   * step, as an editor groups keystrokes (each commit restarts the window).
   * Undo, redo and `goTo` end a group. Default 0: every commit is a step.
   */
  coalesceMs?: number;
  /** How text edits appear in listeners' patches (see `produceWithPatches`). Default "splice". */
  textPatches?: "splice" | "replace";
  /**
   * Record patches (default true). Each step keeps its patches and their
   * inverse for the listeners of undo and redo: about a hundred bytes a
   * changed value, which for bulk edits (a stroke that sets 30,000 grid cells)
   * outweighs the pages the step copied. With `false`, `setState` runs a plain
   * `produce` and listeners get an empty patch list.
   */
  patches?: boolean;
  /** Clock in milliseconds for `coalesceMs` (for tests). Default `performance.now`. */
  now?: () => number;
}

/**
 * Told after every change of the current version: a commit, an undo, a redo, a
 * `goTo`. The history (`versions`, `canUndo`, `canRedo`, `position`,
 * `stats()`) is already as the change leaves it, `maxVersions` and `maxBytes`
 * applied.
 */
export type StoreListener<S extends AnyType> = (next: State<S>, prev: State<S>, patches: readonly Patch[]) => void;

/** What {@link Store.stats} returns. */
export interface StoreStats {
  /** Versions kept. */
  readonly versions: number;
  /** Index of the current version. */
  readonly position: number;
  /** Bytes of frames in use in the store's pool (all of its versions; the whole pool if it was given). */
  readonly bytesInUse: number;
}

/** One entry of {@link Store.versions}. */
export interface VersionInfo {
  /** Position in the history (0: the oldest kept). */
  readonly index: number;
  /** The label given to `setState` or `transact`, if any. */
  readonly label: string | undefined;
  /** When it was committed (the store's clock, milliseconds). */
  readonly time: number;
}

/** The options of a store as it uses them, checked and with their defaults. */
export interface StoreSettings {
  readonly maxVersions: number;
  readonly maxBytes: number;
  readonly coalesceMs: number;
  readonly textPatches: "splice" | "replace";
  readonly recordPatches: boolean;
  readonly now: () => number;
}

/**
 * The settings of `options`, checked: throws InvalidArgumentError for a bad
 * one (`maxVersions` not an integer >= 1 or Infinity, `maxBytes` or
 * `coalesceMs` negative or not a number, `textPatches` not "splice" or
 * "replace", `patches` not a boolean, `now` not a function). O(1).
 */
export function storeSettings(options: StoreOptions): StoreSettings {
  const maxVersions = positive("maxVersions", options.maxVersions ?? Number.POSITIVE_INFINITY, 1);
  // "an integer >= 1": 2.5 kept 2 versions, silently
  if (maxVersions !== Number.POSITIVE_INFINITY && !Number.isInteger(maxVersions))
    throw new InvalidArgumentError("maxVersions", maxVersions, "an integer >= 1, or Infinity");
  const maxBytes = positive("maxBytes", options.maxBytes ?? Number.POSITIVE_INFINITY, 0);
  const coalesceMs = positive("coalesceMs", options.coalesceMs ?? 0, 0);
  // Checked here, not at the first setState: a store made with a bad value refused every commit.
  const textPatches = options.textPatches ?? "splice";
  if (textPatches !== "splice" && textPatches !== "replace")
    throw new InvalidArgumentError("textPatches", textPatches, '"splice" or "replace"');
  const recordPatches = options.patches ?? true;
  if (typeof recordPatches !== "boolean") throw new InvalidArgumentError("patches", recordPatches, "a boolean");
  if (options.now !== undefined && typeof options.now !== "function")
    throw new InvalidArgumentError("now", options.now, "a function returning milliseconds");
  const now = options.now ?? (() => performance.now());
  return { maxVersions, maxBytes, coalesceMs, textPatches, recordPatches, now };
}

function positive(name: string, v: number, min: number): number {
  if (typeof v !== "number" || Number.isNaN(v) || v < min || (v !== Number.POSITIVE_INFINITY && !Number.isFinite(v)))
    throw new InvalidArgumentError(name, v, `a number >= ${min}, or Infinity`);
  return v;
}
