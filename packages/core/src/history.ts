/**
 * Undo/redo history over persistent versions. Because every version is a
 * copy-on-write snapshot (fork is O(1), a version costs only the pages it
 * changed), undo and redo are a cursor moving along a list: no inverse
 * operations, no diffs, no copying.
 *
 * @module
 */
import { throwInvalid, throwReleased } from "./errors.js";
import { checkHistoryOptions, type HistoryOptions } from "./history-options.js";
import { type HistoryStats, historyStats, type Measurable } from "./history-stats.js";

/**
 * What a history can hold: anything that forks into an independent version
 * and can be released ({@link AddressSpace}, `CowText`, the COW arrays and
 * maps). An optional `released` flag is honoured: a released state is refused.
 */
export interface Forkable<T> {
  /** A new, independent version sharing everything with this one. */
  fork(): T;
  /** Returns this version's resources (pages no other version shares). Must not throw. */
  release(): void;
}

/** Evicted slots at the front of the list are dropped (one splice) once there are this many and they are half the list. */
const COMPACT_MIN = 1024;

/**
 * An undo/redo history of versions of a state.
 *
 * Ownership: the history owns its versions. The constructor and `commit`
 * take ownership of the state passed in; the history releases a version when
 * it is evicted (`maxVersions`), dropped (a commit after an undo drops the redo
 * branch) or when the history is released. `current`, `undo()`, `redo()`,
 * `at()` and iteration hand out the history's own versions: treat them as
 * read-only (the `freeze` option enforces it), never release them, and edit a
 * fork instead:
 *
 * ```ts
 * const draft = history.fork(); // = history.current.fork(), owned by you
 * edit(draft);
 * history.commit(draft);        // now owned by the history
 * ```
 *
 * A draft from `history.fork()` is the cheapest to commit (no lookup in the
 * double-commit check). The history remembers it until its next `commit`,
 * `fork` or `release`, so a draft dropped without `release()` returns its
 * frames to the pool (finalization) only after one of those.
 *
 * Undo and redo with nothing to undo or redo return `undefined` and change
 * nothing, like an editor's disabled undo button; `canUndo` / `canRedo` say
 * beforehand.
 *
 * Costs: `commit` O(1) amortized plus the release of what it drops; `undo`,
 * `redo`, `at`, `current` O(1); `stats()` O(page-table nodes of all versions).
 * Each version costs one array slot, and one entry of a Set (the
 * double-commit check) once a state other than the draft of the history's own
 * last `fork()` was committed: 8 to about 40 bytes of JS heap besides the
 * version itself. A commit of that draft (the usual `history.fork()`, edit,
 * `commit`) needs no lookup; any other state, one.
 *
 * Errors: {@link InvalidArgumentError} for bad options, for committing
 * something that is not forkable, is released, is already in the history, or
 * cannot be frozen with `freeze: true` (nothing changes); {@link ReleasedError}
 * for any use after `release()`.
 *
 * Source of the idea: the undo list of persistent (functional) data
 * structures, as in Driscoll, Sarnak, Sleator and Tarjan, "Making data
 * structures persistent" (1989); the redo branch is dropped on a new commit as
 * in most editors (a linear history, not an undo tree).
 *
 * @example
 * ```ts
 * const history = new History(new AddressSpace({ size: 1 << 16 }));
 * for (const value of [1, 2, 3]) {
 *   const draft = history.fork();
 *   draft.setUint8(0, value);
 *   history.commit(draft);
 * }
 * history.size; // 4
 * history.undo()?.getUint8(0); // 2
 * history.undo()?.getUint8(0); // 1
 * history.redo()?.getUint8(0); // 2
 * const draft = history.fork();
 * draft.setUint8(0, 9);
 * history.commit(draft); // drops (and releases) the version holding 3
 * [...history].map((v) => v.getUint8(0)); // [0, 1, 2, 9]
 * history.canRedo; // false
 * history.stats().versions; // 4
 * history.release();
 * ```
 */
export class History<T extends Forkable<T>> implements Iterable<T> {
  /** Versions are `items[first .. items.length - 1]`, oldest first; evicted slots before `first`. */
  private items: (T | undefined)[];
  private first: number;
  /** Index in `items` of the current version. */
  private cursor: number;
  /**
   * Every version held, for the O(1) double-commit check; null while every
   * version committed so far was the draft that this history's own `fork()`
   * had just handed out (see `lastFork`), which cannot already be held. Built
   * from `items` by the first commit of any other state, then kept for the
   * history's life. Why: the Set cost a commit an insertion, a deletion at
   * eviction, a rehash every ~150 commits and, for every new version, an
   * identity hash made by a runtime call: ~35% of the History's own time in
   * a History-only loop, and ~33 B of JS heap per commit (W1b).
   */
  private owned: Set<T> | null;
  /**
   * The draft the last `fork()` returned, until the next commit, `fork()` or
   * `release()`: a commit of exactly this object needs no double-commit
   * check. It keeps that one draft reachable meanwhile (a draft dropped
   * without `release()` is reclaimed once the history forks, commits or is
   * released again).
   */
  private lastFork: T | null;
  /** Versions kept at most (an integer >= 1, or Infinity). */
  readonly maxVersions: number;
  /** Whether the history freezes the versions it takes. */
  readonly freezes: boolean;
  private isReleased: boolean;

  /**
   * A history whose only version is `initial` (position 0). Takes ownership
   * of `initial`.
   *
   * @throws {InvalidArgumentError} for a bad option, or an `initial` that is
   * not forkable, is released, or cannot be frozen when `freeze` is set.
   */
  constructor(initial: T, options: HistoryOptions = {}) {
    const { maxVersions, freeze } = checkHistoryOptions(options);
    this.items = [];
    this.first = 0;
    this.cursor = 0;
    this.owned = null;
    this.lastFork = null;
    this.maxVersions = maxVersions;
    this.freezes = freeze;
    this.isReleased = false;
    this.accept(initial, "initial", true); // an empty history holds nothing yet
    this.items.push(initial);
  }

  /** Number of versions held, >= 1. */
  get size(): number {
    this.check();
    return this.items.length - this.first;
  }

  /** Index of the current version: 0 is the oldest held, `size - 1` the newest. */
  get position(): number {
    this.check();
    return this.cursor - this.first;
  }

  /** The version at the cursor. Owned by the history: read it, fork it, never edit or release it. */
  get current(): T {
    this.check();
    return this.items[this.cursor] as T;
  }

  /** True when `undo()` would move (there is an older version). */
  get canUndo(): boolean {
    this.check();
    return this.cursor > this.first;
  }

  /** True when `redo()` would move (an undo was not yet followed by a commit). */
  get canRedo(): boolean {
    this.check();
    return this.cursor < this.items.length - 1;
  }

  /** True once `release()` has run. */
  get released(): boolean {
    return this.isReleased;
  }

  /**
   * A fork of the current version, owned by the caller: the draft to edit and
   * then `commit`. O(1) for the core's structures.
   * @throws {ReleasedError} after `release()`.
   */
  fork(): T {
    const current = this.current;
    const draft = current.fork();
    // A Forkable whose fork() returned itself (against its contract) would
    // otherwise pass as fresh: its commit then fails the double-commit check.
    this.lastFork = draft === current ? null : draft;
    return draft;
  }

  /**
   * Makes `state` the newest version and moves the cursor to it, taking
   * ownership of it. If the cursor was not at the newest version, the versions
   * after it (the redo branch) are dropped and released first. If the history
   * then holds more than `maxVersions` versions, the oldest is released.
   * O(1) amortized, plus the releases.
   *
   * @throws {InvalidArgumentError} when `state` is not forkable, was
   * released, is already in this history (commit a fork of it instead), or
   * cannot be frozen with the `freeze` option. Nothing changes.
   * @throws {ReleasedError} after `release()`.
   */
  commit(state: T): void {
    this.check();
    this.accept(state, "state", state === this.lastFork);
    const items = this.items;
    let dropped: (T | undefined)[] | null = null;
    if (this.cursor < items.length - 1) dropped = items.splice(this.cursor + 1);
    items.push(state);
    this.cursor = items.length - 1;
    // The evicted version is held in a local, not pushed on an array: in an
    // undo stack at its bound every commit evicts one, and an array per
    // commit was ~80 of the ~690 bytes of JS heap a commit allocated (W1b).
    let evicted: T | undefined;
    if (items.length - this.first > this.maxVersions) {
      evicted = items[this.first];
      items[this.first] = undefined;
      this.first++;
      if (this.first >= COMPACT_MIN && this.first * 2 >= items.length) {
        items.splice(0, this.first);
        this.cursor -= this.first;
        this.first = 0;
      }
    }
    if (dropped !== null) {
      if (evicted !== undefined) dropped.push(evicted);
      this.drop(dropped);
    } else if (evicted !== undefined) {
      if (this.owned !== null) this.owned.delete(evicted);
      evicted.release();
    }
  }

  /**
   * Moves the cursor one version back. O(1).
   * @returns the version now current, or `undefined` (nothing changes) when there is no older version.
   * @throws {ReleasedError} after `release()`.
   */
  undo(): T | undefined {
    this.check();
    if (this.cursor === this.first) return undefined;
    return this.items[--this.cursor];
  }

  /**
   * Moves the cursor one version forward. O(1).
   * @returns the version now current, or `undefined` (nothing changes) when there is no newer version.
   * @throws {ReleasedError} after `release()`.
   */
  redo(): T | undefined {
    this.check();
    if (this.cursor === this.items.length - 1) return undefined;
    return this.items[++this.cursor];
  }

  /**
   * The version at `index` (0: the oldest held; negative counts back from the
   * newest, as `Array.prototype.at`), or `undefined` outside the history. O(1).
   * @throws {InvalidArgumentError} when `index` is not an integer.
   * @throws {ReleasedError} after `release()`.
   */
  at(index: number): T | undefined {
    const size = this.size;
    if (typeof index !== "number" || !Number.isInteger(index)) throwInvalid("index", index, "an integer");
    const i = index < 0 ? index + size : index;
    return i >= 0 && i < size ? this.items[this.first + i] : undefined;
  }

  /**
   * The versions, oldest first. Do not commit while iterating.
   * @throws {ReleasedError} after `release()`.
   */
  *[Symbol.iterator](): Generator<T, undefined, unknown> {
    this.check();
    for (let i = this.first; i < this.items.length; i++) yield this.items[i] as T;
    return undefined;
  }

  /**
   * Memory held by the history, from each version's `stats()` (see
   * {@link HistoryStats}). O(page-table nodes reachable from all versions):
   * seconds for hundreds of thousands of versions, so keep it out of hot loops.
   * `pss` is exact: when every live space of the pool is a version, it equals
   * `pool.stats().bytesInUse` (see `SpaceStats.pss`).
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const pool = new FramePool({ pageSize: 4096 });
   * const history = new History(new AddressSpace({ size: 1 << 20, pool }));
   * const draft = history.fork();
   * draft.setUint8(0, 1); // one page
   * history.commit(draft);
   * const s = history.stats();
   * [s.versions, s.pss, s.uss]; // [2, 4096, 4096]
   * s.pss === pool.stats().bytesInUse; // true
   * ```
   */
  stats(this: T extends Measurable ? History<T> : never): HistoryStats {
    this.check();
    return historyStats(this.items as readonly (Measurable | undefined)[], this.first, this.cursor);
  }

  /**
   * Releases every version and the history. Idempotent. O(pages the versions
   * map alone). Prefer `using history = ...`.
   */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    const all = this.items.slice(this.first);
    this.items = [];
    this.first = 0;
    this.cursor = 0;
    this.lastFork = null;
    this.drop(all);
  }

  /** Same as `release()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.release();
  }

  private check(): void {
    if (this.isReleased) throwReleased("history");
  }

  /**
   * Refuses a state the history cannot take, else adds it to `owned` (when
   * there is one) and freezes it when asked. `fresh`: the state cannot be
   * held already (the initial state; the draft of the last `fork()`), so
   * there is no double-commit lookup. Changes nothing on error (building
   * `owned` is no change: it lists the versions held).
   */
  private accept(state: T, argument: string, fresh: boolean): void {
    const s = state as unknown as { fork?: unknown; release?: unknown; released?: unknown; freeze?: unknown };
    if (typeof state !== "object" || state === null || typeof s.fork !== "function" || typeof s.release !== "function")
      throwInvalid(argument, state, "an object with fork() and release()");
    if (s.released === true) throwInvalid(argument, state, "a state that was not released");
    if (this.freezes && typeof s.freeze !== "function")
      throwInvalid(argument, state, "a state with freeze() (the history's freeze option is set)");
    // A fresh state needs no lookup, and nothing is recorded while `owned`
    // is null. Any other state: one hash lookup for the double-commit check
    // and the insertion (~120 ns at 260,000 versions).
    let owned = this.owned;
    if (!fresh) {
      if (owned === null) owned = this.ownedSet();
      const size = owned.size;
      owned.add(state);
      if (owned.size === size)
        throwInvalid(argument, state, "a state not already in the history (commit a fork of it)");
    } else if (owned !== null) owned.add(state);
    if (this.freezes) {
      try {
        (s.freeze as () => void).call(state);
      } catch (e) {
        if (owned !== null) owned.delete(state);
        throw e;
      }
    }
    this.lastFork = null; // taken, or passed over by a commit of another state
  }

  /** Makes `owned` from the versions held, the first time a commit needs it. O(versions), once. */
  private ownedSet(): Set<T> {
    const owned = new Set<T>();
    for (let i = this.first; i < this.items.length; i++) owned.add(this.items[i] as T);
    this.owned = owned;
    return owned;
  }

  /** Releases dropped versions; every one is released even if one throws (the first error is rethrown). */
  private drop(versions: readonly (T | undefined)[]): void {
    let error: unknown = null;
    const owned = this.owned;
    for (const v of versions) {
      if (v === undefined) continue;
      if (owned !== null) owned.delete(v);
      try {
        v.release();
      } catch (e) {
        error ??= e;
      }
    }
    if (error !== null) throw error;
  }
}
