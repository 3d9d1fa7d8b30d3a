/**
 * A store: the current version of a state, its undo history, and listeners,
 * as apps reach their state (the role of zustand's store, Valtio's proxy,
 * mobx-state-tree's UndoManager).
 *
 * @module
 */
import { FramePool, InvalidArgumentError, ReleasedError } from "@pagefork/core";
import { diffPatches } from "./diff.js";
import { DraftError } from "./errors.js";
import { STATE_PAGE_SIZE } from "./layout.js";
import type { Patch } from "./patch-types.js";
import { produceNow, produceWithPatches, type Recipe } from "./produce.js";
import type { AnyType } from "./schema.js";
import { createState, State, type StateOptions } from "./state.js";

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

interface Step<S extends AnyType> {
  state: State<S>;
  label: string | undefined;
  time: number;
  /** Patches from the previous step to this one. */
  patches: Patch[];
  /** Patches from this step back to the previous one. */
  inverse: Patch[];
}

interface Transaction<S extends AnyType> {
  readonly base: State<S>;
  state: State<S>;
  patches: Patch[];
  inverse: Patch[];
}

/**
 * The store of one state: `getState()`, `setState(recipe)`, listeners,
 * transactions and an undo history whose versions share every unchanged
 * page. Make one with {@link createStore}.
 *
 * `getState`, `setState` and `subscribe` are bound to the store, so they can
 * be passed around (`useSyncExternalStore(store.subscribe, store.getState)`).
 *
 * Costs: `setState` is one `produceWithPatches` (O(what changed)) plus O(1)
 * bookkeeping; undo/redo are O(1) plus the listeners; each kept version
 * costs its copied pages and its patches.
 *
 * Errors: a recipe that throws leaves the store, its history and its
 * listeners as they were (the error is rethrown); ReleasedError after
 * `release()`; InvalidArgumentError for a version of another state.
 *
 * @example
 * ```ts
 * const store = createStore(t.struct({ count: t.u32 }), { count: 0 });
 * const seen: number[] = [];
 * const stop = store.subscribe((next) => seen.push(next.root.count));
 * store.setState((d) => { d.count++; });
 * store.setState((d) => { d.count += 10; });
 * store.undo();
 * [store.getState().root.count, seen]; // [1, [1, 11, 1]]
 * store.canRedo; // true
 * stop();
 * store.release();
 * ```
 */
export class Store<S extends AnyType> {
  private readonly steps: Step<S>[];
  private cursor: number;
  /** Listeners, in subscription order, with how many of their subscriptions are active. */
  private readonly listeners: Map<StoreListener<S>, number>;
  private tx: Transaction<S> | null;
  private isReleased: boolean;
  /** True right after an undo/redo/goTo: the next commit starts a new group. */
  private grouped: boolean;
  private readonly maxVersions: number;
  private readonly maxBytes: number;
  private readonly coalesceMs: number;
  private readonly textPatches: "splice" | "replace";
  private readonly recordPatches: boolean;
  private readonly now: () => number;
  /**
   * `next` and `prev` of each notification running, outermost first (a
   * listener may commit, undo or redo): versions a listener still to be told
   * may read, so the store keeps them until the outermost one is over.
   */
  private readonly handed: State<S>[];
  /**
   * Versions the store dropped (the redo branch, a coalesced step, the oldest
   * past `maxVersions` or `maxBytes`) that a notification hands out: released
   * once the outermost notification is over. Every other dropped version is
   * released before the listeners are told.
   */
  private readonly dropped: State<S>[];
  /** Depth of `setState` recipes running: a change of the store from inside one is refused. */
  private recipes: number;
  /**
   * Every version that was ever one of the steps. A step leaves the steps only
   * to `dropped` or to release, so `keeps` is O(1) (plus the few handed out).
   */
  private readonly everKept: WeakSet<State<S>>;

  /** @internal Use {@link createStore}. */
  constructor(initial: State<S>, options: StoreOptions) {
    const maxVersions = positive("maxVersions", options.maxVersions ?? Number.POSITIVE_INFINITY, 1);
    // "an integer >= 1": 2.5 kept 2 versions, silently
    if (maxVersions !== Number.POSITIVE_INFINITY && !Number.isInteger(maxVersions))
      throw new InvalidArgumentError("maxVersions", maxVersions, "an integer >= 1, or Infinity");
    this.maxVersions = maxVersions;
    this.maxBytes = positive("maxBytes", options.maxBytes ?? Number.POSITIVE_INFINITY, 0);
    this.coalesceMs = positive("coalesceMs", options.coalesceMs ?? 0, 0);
    // Checked here, not at the first setState: a store made with a bad value refused every commit.
    const textPatches = options.textPatches ?? "splice";
    if (textPatches !== "splice" && textPatches !== "replace")
      throw new InvalidArgumentError("textPatches", textPatches, '"splice" or "replace"');
    this.textPatches = textPatches;
    const recordPatches = options.patches ?? true;
    if (typeof recordPatches !== "boolean") throw new InvalidArgumentError("patches", recordPatches, "a boolean");
    this.recordPatches = recordPatches;
    if (options.now !== undefined && typeof options.now !== "function")
      throw new InvalidArgumentError("now", options.now, "a function returning milliseconds");
    this.now = options.now ?? (() => performance.now());
    this.steps = [{ state: initial, label: undefined, time: this.now(), patches: [], inverse: [] }];
    this.cursor = 0;
    this.listeners = new Map();
    this.tx = null;
    this.isReleased = false;
    this.grouped = true;
    this.handed = [];
    this.dropped = [];
    this.recipes = 0;
    this.everKept = new WeakSet([initial]);
  }

  /** The current version (inside `transact`, the transaction's latest). O(1). */
  readonly getState = (): State<S> => {
    this.check();
    return this.tx !== null ? this.tx.state : (this.steps[this.cursor] as Step<S>).state;
  };

  /**
   * Makes a new current version: from a recipe (as `produce`), or a version
   * of this state made elsewhere (e.g. by `applyPatches`; the store takes
   * ownership of it). A recipe that changes nothing changes nothing here
   * either (no step, no notification). Drops the redo branch. Returns the
   * new current version.
   * @param label - shown in `versions`, e.g. "rename".
   * @throws whatever the recipe throws, SchemaError, OutOfMemoryError (nothing changes).
   * @throws {TypeError} for a recipe that returns a Promise (its draft is
   *   revoked; nothing changes): await first, then `setState`.
   * @throws {DraftError} when called from inside one of this store's recipes
   *   (its change would be lost under the recipe's result); nothing changes.
   * @throws {InvalidArgumentError} for a version of another state, a released
   *   one, or one the store already holds (an older step: the store would
   *   release it twice, when its first step is evicted or dropped, and undo
   *   would reach a released version; or a listener's `prev` the change
   *   dropped, released once the notification is over); to return to an
   *   older step, `goTo` it, or commit `version.fork()` as a new step.
   *   Nothing changes.
   */
  readonly setState = (update: Recipe<S> | State<S>, label?: string): State<S> => {
    this.notInRecipe("setState");
    const base = this.getState();
    let next: State<S>;
    let patches: Patch[];
    let inverse: Patch[];
    if (update instanceof State) {
      if (update.lineage !== base.lineage)
        throw new InvalidArgumentError("update", update, "a version of this store's state");
      if (update === base) return base;
      if (update.released) throw new InvalidArgumentError("update", update, "a version not released");
      // a dropped version a listener was handed (`prev` of a coalesced or evicted step) is still
      // the store's: released once the notification is over, so refused as a held one
      if (this.steps.some((step) => step.state === update) || this.dropped.includes(update))
        throw new InvalidArgumentError(
          "update",
          update,
          "a version this store does not hold yet (goTo(index) returns to a step; setState(version.fork()) commits it again)",
        );
      next = update;
      patches = this.recordPatches ? diffPatches(base, next) : [];
      inverse = this.recordPatches ? diffPatches(next, base) : [];
    } else {
      if (typeof update !== "function") throw new TypeError("setState expects a recipe function or a State");
      // A recipe that changes this store (setState, undo, redo, goTo, transact) would commit
      // on top of `base` while this recipe's result, made from `base`, is committed after it
      // and silently drops that change: refused (see `inRecipe`).
      this.recipes++;
      try {
        if (this.recordPatches)
          [next, patches, inverse] = produceWithPatches(base, update, { textPatches: this.textPatches });
        else [next, patches, inverse] = [produceNow(base, update, "setState"), [], []];
      } finally {
        this.recipes--;
      }
      if (this.isReleased) {
        // the recipe released the store: keep nothing of its result
        if (next !== base) next.release();
        return this.check() as never;
      }
      if (next === base) return base;
    }
    const tx = this.tx;
    if (tx !== null) {
      if (tx.state !== tx.base) tx.state.release();
      tx.state = next;
      append(tx.patches, patches);
      tx.inverse = inverse.concat(tx.inverse);
      return next;
    }
    this.commit(next, patches, inverse, label);
    return next;
  };

  /**
   * Calls `listener(next, prev, patches)` after every change of the current
   * version. Returns the function that unsubscribes it. Listeners run in
   * subscription order. Each notification tells the listeners subscribed
   * when it began, as Redux does: one unsubscribed by an earlier listener is
   * still told this once, one subscribed meanwhile is told from the next
   * change on. If one throws, the others still run and the first
   * error is rethrown afterwards (the change itself stands). The history a
   * listener reads (`versions`, `canUndo`, `stats()`) is the one the change
   * leaves (`maxVersions` and `maxBytes` applied before the listeners are
   * told), and `prev` stays readable while they run even if the change
   * dropped it. A listener may itself commit, undo or redo: the listeners
   * are told of that change first, then the rest of the outer notification
   * goes on, and the `next` and `prev` of the outer one stay readable until
   * the outermost notification is over, even if the inner change dropped them.
   * A listener subscribed twice is told once per change, until both of its
   * subscriptions are ended; each returned function ends its own, once (a
   * second call does nothing, even after the listener subscribed again).
   */
  readonly subscribe = (listener: StoreListener<S>): (() => void) => {
    this.check();
    if (typeof listener !== "function") throw new TypeError("subscribe expects a function");
    const listeners = this.listeners;
    listeners.set(listener, (listeners.get(listener) ?? 0) + 1);
    let active = true;
    return () => {
      if (!active) return; // acts once: a stale call must not end a later subscription
      active = false;
      const n = listeners.get(listener);
      if (n === undefined) return; // the store was released
      if (n > 1) listeners.set(listener, n - 1);
      else listeners.delete(listener);
    };
  };

  /**
   * Runs `fn`, in which every `setState` builds on the previous one, and
   * makes all of them one undo step (labelled `label`) with one
   * notification at the end. If `fn` throws, every change it made is
   * dropped, nothing is notified, and the error is rethrown. Nested
   * transactions join the outer one (one step, one notification); one that
   * throws drops its own changes, so an outer `fn` that catches the error
   * goes on from where the nested one began.
   */
  transact<T>(label: string, fn: () => T): T {
    this.check();
    this.notInRecipe("transact");
    if (this.tx !== null) return this.nested(this.tx, fn);
    const base = this.getState();
    const tx: Transaction<S> = { base, state: base, patches: [], inverse: [] };
    this.tx = tx;
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.tx = null;
      if (tx.state !== base) tx.state.release();
      throw e;
    }
    this.tx = null;
    if (this.isReleased) return result; // fn released the store (and, with it, tx.state)
    if (tx.state !== base) this.commit(tx.state, tx.patches, tx.inverse, label);
    return result;
  }

  /**
   * Runs a transaction nested in `tx`: its changes join `tx`, or on a throw
   * are dropped. The version `tx` holds at the start is kept by a fork (O(1)),
   * since the nested setStates release each version they supersede.
   */
  private nested<T>(tx: Transaction<S>, fn: () => T): T {
    const start = tx.state;
    const kept = start === tx.base ? null : start.fork();
    const patches = tx.patches.length;
    const inverse = tx.inverse;
    let result: T;
    try {
      result = fn();
    } catch (e) {
      if (tx.state === start) kept?.release();
      else {
        if (tx.state !== tx.base) tx.state.release();
        tx.state = kept ?? tx.base;
        tx.patches.length = patches;
        tx.inverse = inverse;
      }
      throw e;
    }
    kept?.release();
    return result;
  }

  /**
   * Moves to the previous version and tells the listeners (with the inverse patches). O(1).
   * Returns undefined (and does nothing) at the oldest version.
   * @throws {InvalidArgumentError} inside `transact()` (as `goTo`), wherever the history stands; nothing changes.
   */
  undo(): State<S> | undefined {
    this.check();
    this.notInRecipe("undo");
    this.notInTransaction("undo");
    return this.cursor > 0 ? this.goTo(this.cursor - 1) : undefined;
  }

  /**
   * Moves to the next version (after an undo) and tells the listeners. O(1).
   * Returns undefined (and does nothing) at the newest version.
   * @throws {InvalidArgumentError} inside `transact()` (as `goTo`), wherever the history stands; nothing changes.
   */
  redo(): State<S> | undefined {
    this.check();
    this.notInRecipe("redo");
    this.notInTransaction("redo");
    return this.cursor < this.steps.length - 1 ? this.goTo(this.cursor + 1) : undefined;
  }

  /** True when there is an older version to undo to. */
  get canUndo(): boolean {
    this.check();
    return this.cursor > 0;
  }

  /** True when there is a newer version to redo to. */
  get canRedo(): boolean {
    this.check();
    return this.cursor < this.steps.length - 1;
  }

  /** Index of the current version in `versions`. */
  get position(): number {
    this.check();
    return this.cursor;
  }

  /** The versions kept, oldest first. O(versions). */
  get versions(): readonly VersionInfo[] {
    this.check();
    return this.steps.map((s, index) => ({ index, label: s.label, time: s.time }));
  }

  /**
   * Makes version `index` current and tells the listeners, with the patches
   * of every step in between. O(steps moved) for the patches.
   * @throws {InvalidArgumentError} for an index outside `versions`, or inside `transact()`.
   */
  goTo(index: number): State<S> {
    this.check();
    this.notInRecipe("goTo");
    this.notInTransaction("goTo", index);
    if (!Number.isInteger(index) || index < 0 || index >= this.steps.length)
      throw new InvalidArgumentError("index", index, `an integer in [0, ${this.steps.length - 1}]`);
    const from = this.cursor;
    if (index === from) return this.getState();
    const patches: Patch[] = [];
    if (index < from) for (let i = from; i > index; i--) append(patches, (this.steps[i] as Step<S>).inverse);
    else for (let i = from + 1; i <= index; i++) append(patches, (this.steps[i] as Step<S>).patches);
    const prev = this.getState();
    this.cursor = index;
    this.grouped = true;
    const next = this.getState();
    this.trim(next, prev);
    try {
      this.notify(next, prev, patches);
    } finally {
      this.settle();
    }
    return next;
  }

  /**
   * True while `version` is one of the versions the store keeps (a step of
   * `versions`, the current one included). False once the store dropped it
   * (the redo branch of a commit after undo, the step a coalesced commit
   * replaced, the oldest past `maxVersions` or `maxBytes`): already while the
   * listeners of the change that dropped it run, when it is still readable
   * and released only once they were told. False for a version the store
   * never held (a fork of one of its versions, one of another store, the
   * transaction's own inside `transact`) and after `release()`.
   *
   * For a reader that holds a fork of a version to keep it readable (a UI
   * binding pinning what it showed): once the store no longer keeps that
   * version, the fork alone holds its pages.
   * O(1) (plus the versions a running notification handed out).
   * @example
   * ```ts
   * const store = createStore(t.struct({ n: t.u32 }), { n: 0 }, { maxVersions: 1 });
   * const first = store.getState();
   * const seen: boolean[] = [];
   * store.subscribe((next, prev) => seen.push(store.keeps(next), store.keeps(prev), prev.released));
   * store.setState((d) => { d.n = 1; });
   * seen; // [true, false, false]: prev is dropped, still readable while told
   * [store.keeps(first), first.released]; // [false, true]
   * store.release();
   * ```
   */
  keeps(version: State<S>): boolean {
    return !this.isReleased && this.everKept.has(version) && !version.released && !this.dropped.includes(version);
  }

  /** Memory of the store: versions kept and the frames their pool holds (bytes). O(1). */
  stats(): StoreStats {
    this.check();
    return { versions: this.steps.length, position: this.cursor, bytesInUse: this.getState().space.pool.bytesInUse };
  }

  /** Releases every version and drops the listeners. Idempotent. */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    const tx = this.tx;
    if (tx !== null && tx.state !== tx.base) tx.state.release(); // released from inside transact()
    for (const s of this.steps) s.state.release();
    for (const s of this.dropped) s.release();
    this.steps.length = 0;
    this.dropped.length = 0;
    this.listeners.clear();
  }

  /** True once `release()` has run. */
  get released(): boolean {
    return this.isReleased;
  }

  private check(): void {
    if (this.isReleased) throw new ReleasedError("store");
  }

  /** Refuses a change of the store made from inside one of its recipes (see `setState`). */
  private notInRecipe(what: string): void {
    if (this.recipes > 0) throwInRecipe(what);
  }

  // undo/redo reach goTo only when there is a step to move to: checked here so that they are
  // refused in a transaction wherever the history stands, by their own name.
  private notInTransaction(what: string, value?: unknown): void {
    if (this.tx !== null) throwInTransaction(what, value);
  }

  private commit(next: State<S>, patches: Patch[], inverse: Patch[], label: string | undefined): void {
    const steps = this.steps;
    const prev = (steps[this.cursor] as Step<S>).state;
    const dropped = this.dropped;
    for (const s of steps.splice(this.cursor + 1)) dropped.push(s.state);
    const now = this.now();
    const top = steps[steps.length - 1] as Step<S>;
    if (!this.grouped && this.coalesceMs > 0 && steps.length > 1 && now - top.time < this.coalesceMs) {
      dropped.push(top.state); // the group's last version is replaced, after the listeners saw it go
      top.state = next;
      this.everKept.add(next);
      top.time = now;
      top.patches = top.patches.concat(patches);
      top.inverse = inverse.concat(top.inverse);
      if (label !== undefined) top.label = label;
    } else {
      steps.push({ state: next, label, time: now, patches, inverse });
      this.everKept.add(next);
    }
    this.cursor = steps.length - 1;
    this.grouped = false;
    while (steps.length > this.maxVersions) dropped.push((steps.shift() as Step<S>).state);
    this.cursor = steps.length - 1;
    this.trim(next, prev);
    try {
      this.notify(next, prev, patches);
    } finally {
      this.settle();
    }
  }

  /**
   * Before a notification of (`next`, `prev`): releases the dropped versions
   * no listener will be handed, then the oldest steps while the pool holds
   * more than `maxBytes` (and the current one is not the oldest), so that the
   * listeners read the history as it stays (as redux-undo's and zundo's
   * `limit` trims in the same update its subscribers are told of). A version
   * handed out (`next`, `prev`, or those of an outer notification still
   * running) is kept until the outermost notification is over, its pages
   * still counted: a commit that replaces its step (`coalesceMs`) may then
   * evict one older step more than it would once that version is released.
   * O(dropped + evicted).
   */
  private trim(next: State<S>, prev: State<S>): void {
    const dropped = this.dropped;
    let kept = 0;
    for (let i = 0; i < dropped.length; i++) {
      const s = dropped[i] as State<S>;
      if (this.isHanded(s, next, prev)) dropped[kept++] = s;
      else s.release();
    }
    dropped.length = kept;
    if (this.maxBytes === Number.POSITIVE_INFINITY) return;
    const pool = next.space.pool;
    while (pool.bytesInUse > this.maxBytes && this.cursor > 0) {
      const s = (this.steps.shift() as Step<S>).state;
      this.cursor--;
      if (this.isHanded(s, next, prev)) dropped.push(s);
      else s.release();
    }
  }

  /** True if `s` is `next`, `prev` or a version an outer notification handed out. O(nesting depth). */
  private isHanded(s: State<S>, next: State<S>, prev: State<S>): boolean {
    return s === next || s === prev || this.handed.includes(s);
  }

  /**
   * After a notification: unless an outer one is still running (a listener
   * committed or moved), releases the versions it handed out that the store
   * dropped. Nothing to do once a listener released the store.
   */
  private settle(): void {
    if (this.handed.length > 0 || this.isReleased) return;
    const dropped = this.dropped;
    for (let i = 0; i < dropped.length; i++) (dropped[i] as State<S>).release();
    dropped.length = 0;
  }

  private notify(next: State<S>, prev: State<S>, patches: readonly Patch[]): void {
    let failure: { error: unknown } | null = null;
    const handed = this.handed;
    const depth = handed.length;
    handed.push(next, prev);
    try {
      for (const l of [...this.listeners.keys()]) {
        try {
          l(next, prev, patches);
        } catch (e) {
          failure ??= { error: e };
        }
      }
    } finally {
      handed.length = depth;
    }
    if (failure !== null) throw failure.error;
  }
}

/** Throws the DraftError of a store changed from inside one of its own recipes. */
function throwInTransaction(what: string, value: unknown): never {
  throw new InvalidArgumentError(what, value, "a call outside transact()");
}

function throwInRecipe(what: string): never {
  throw new DraftError(
    `store.${what}() was called inside a recipe of the same store: the recipe's result would overwrite that change; make both changes in one recipe, or call ${what}() after it`,
  );
}

/** `out.push(...items)` without spreading (a step may hold hundreds of thousands of patches). */
function append<T>(out: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i++) out.push(items[i] as T);
}

function positive(name: string, v: number, min: number): number {
  if (typeof v !== "number" || Number.isNaN(v) || v < min || (v !== Number.POSITIVE_INFINITY && !Number.isFinite(v)))
    throw new InvalidArgumentError(name, v, `a number >= ${min}, or Infinity`);
  return v;
}

/**
 * A store over a new state of schema `schema` holding `initial` (plain data,
 * as `createState`). The store makes its own frame pool (so `maxBytes`
 * measures only its versions) unless `options.pool` is given.
 *
 * @throws {SchemaError} when `initial` does not fit the schema.
 * @throws {InvalidArgumentError} for bad options (`maxVersions` not an integer >= 1, `maxBytes` or
 *   `coalesceMs` negative or not a number, `textPatches` not "splice" or "replace", `patches` not a
 *   boolean, `now` not a function); nothing is kept.
 * @example
 * ```ts
 * const Doc = t.struct({ title: t.string, body: t.text() });
 * const store = createStore(Doc, { title: "draft", body: "" }, { coalesceMs: 500 });
 * for (const ch of "hello") store.setState((d) => { d.body.insert(d.body.length, ch); }, "typing");
 * store.versions.length; // 2 (the keystrokes were one step)
 * store.undo()?.root.body.toString(); // ""
 * store.release();
 * ```
 */
export function createStore<S extends AnyType>(schema: S, initial: S["__input"], options: StoreOptions = {}): Store<S> {
  if (options === null || typeof options !== "object") throw new InvalidArgumentError("options", options, "an object");
  const pool = options.pool ?? new FramePool({ pageSize: options.pageSize ?? STATE_PAGE_SIZE });
  const stateOptions: StateOptions = { pool };
  if (options.heapBytes !== undefined) stateOptions.heapBytes = options.heapBytes;
  if (options.pageSize !== undefined) stateOptions.pageSize = options.pageSize;
  const state = createState(schema, initial, stateOptions);
  try {
    return new Store(state, options);
  } catch (e) {
    state.release(); // bad store options: keep nothing
    throw e;
  }
}
