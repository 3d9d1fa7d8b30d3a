/**
 * A store: the current version of a state, its undo history, and listeners,
 * as apps reach their state (the role of zustand's store, Valtio's proxy,
 * mobx-state-tree's UndoManager). Its options are in store-options.ts, the
 * keeping and releasing of its versions in store-history.ts, nested
 * transactions in store-transaction.ts, `createStore` in create-store.ts.
 *
 * @module
 */
import { InvalidArgumentError, ReleasedError } from "@pagefork/core";
import { diffPatches } from "./diff.js";
import type { Patch } from "./patch-types.js";
import { produceNow, produceWithPatches, type Recipe } from "./produce.js";
import type { AnyType } from "./schema.js";
import { State } from "./state.js";
import { append, StoreHistory } from "./store-history.js";
import {
  type StoreListener,
  type StoreOptions,
  type StoreStats,
  storeSettings,
  type VersionInfo,
} from "./store-options.js";
import { nested, type Transaction, throwInRecipe, throwInTransaction } from "./store-transaction.js";

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
  /** The steps, the current one, and the versions dropped but handed to listeners. */
  private readonly history: StoreHistory<S>;
  /** Listeners, in subscription order, with how many of their subscriptions are active. */
  private readonly listeners: Map<StoreListener<S>, number>;
  private tx: Transaction<S> | null;
  private isReleased: boolean;
  private readonly textPatches: "splice" | "replace";
  private readonly recordPatches: boolean;
  /** Depth of `setState` recipes running: a change of the store from inside one is refused. */
  private recipes: number;

  /** @internal Use {@link createStore}. */
  constructor(initial: State<S>, options: StoreOptions) {
    const settings = storeSettings(options);
    this.textPatches = settings.textPatches;
    this.recordPatches = settings.recordPatches;
    this.history = new StoreHistory(initial, settings);
    this.listeners = new Map();
    this.tx = null;
    this.isReleased = false;
    this.recipes = 0;
  }

  /** The current version (inside `transact`, the transaction's latest). O(1). */
  readonly getState = (): State<S> => {
    this.check();
    return this.tx !== null ? this.tx.state : this.history.current;
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
      if (this.history.holds(update))
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
    if (this.tx !== null) return nested(this.tx, fn);
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
   * Moves to the previous version and tells the listeners (with the inverse patches). O(1).
   * Returns undefined (and does nothing) at the oldest version.
   * @throws {InvalidArgumentError} inside `transact()` (as `goTo`), wherever the history stands; nothing changes.
   */
  undo(): State<S> | undefined {
    this.check();
    this.notInRecipe("undo");
    this.notInTransaction("undo");
    const cursor = this.history.cursor;
    return cursor > 0 ? this.goTo(cursor - 1) : undefined;
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
    const cursor = this.history.cursor;
    return cursor < this.history.steps.length - 1 ? this.goTo(cursor + 1) : undefined;
  }

  /** True when there is an older version to undo to. */
  get canUndo(): boolean {
    this.check();
    return this.history.cursor > 0;
  }

  /** True when there is a newer version to redo to. */
  get canRedo(): boolean {
    this.check();
    return this.history.cursor < this.history.steps.length - 1;
  }

  /** Index of the current version in `versions`. */
  get position(): number {
    this.check();
    return this.history.cursor;
  }

  /** The versions kept, oldest first. O(versions). */
  get versions(): readonly VersionInfo[] {
    this.check();
    return this.history.steps.map((s, index) => ({ index, label: s.label, time: s.time }));
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
    const steps = this.history.steps.length;
    if (!Number.isInteger(index) || index < 0 || index >= steps)
      throw new InvalidArgumentError("index", index, `an integer in [0, ${steps - 1}]`);
    if (index === this.history.cursor) return this.getState();
    const prev = this.getState();
    const patches = this.history.moveTo(index);
    const next = this.getState();
    this.changed(next, prev, patches);
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
    return !this.isReleased && this.history.keeps(version);
  }

  /** Memory of the store: versions kept and the frames their pool holds (bytes). O(1). */
  stats(): StoreStats {
    this.check();
    const h = this.history;
    return { versions: h.steps.length, position: h.cursor, bytesInUse: this.getState().space.pool.bytesInUse };
  }

  /** Releases every version and drops the listeners. Idempotent. */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    const tx = this.tx;
    if (tx !== null && tx.state !== tx.base) tx.state.release(); // released from inside transact()
    this.history.release();
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
    const prev = this.history.current;
    this.history.push(next, patches, inverse, label);
    this.changed(next, prev, patches);
  }

  /**
   * Tells the listeners of a change from `prev` to `next`: the history trimmed
   * first (see StoreHistory.trim), settled after (unless a listener released
   * the store).
   */
  private changed(next: State<S>, prev: State<S>, patches: Patch[]): void {
    this.history.trim(next, prev);
    try {
      this.notify(next, prev, patches);
    } finally {
      if (!this.isReleased) this.history.settle();
    }
  }

  private notify(next: State<S>, prev: State<S>, patches: readonly Patch[]): void {
    let failure: { error: unknown } | null = null;
    const depth = this.history.hand(next, prev);
    try {
      for (const l of [...this.listeners.keys()]) {
        try {
          l(next, prev, patches);
        } catch (e) {
          failure ??= { error: e };
        }
      }
    } finally {
      this.history.unhand(depth);
    }
    if (failure !== null) throw failure.error;
  }
}
