/**
 * The undo history of a store: its steps (a version with its label, time and
 * patches both ways), the current one, and when each version it lets go of
 * is released: the redo branch, a coalesced step, the oldest past
 * `maxVersions` or `maxBytes`, released before the listeners of the change
 * are told unless a notification hands it out, then once the outermost
 * notification is over. The store (store.ts) drives it.
 *
 * @module
 */
import type { Patch } from "./patch-types.js";
import type { AnyType } from "./schema.js";
import type { State } from "./state.js";
import type { StoreSettings } from "./store-options.js";

/** One undo step. */
export interface Step<S extends AnyType> {
  state: State<S>;
  label: string | undefined;
  time: number;
  /** Patches from the previous step to this one. */
  patches: Patch[];
  /** Patches from this step back to the previous one. */
  inverse: Patch[];
}

/** The steps of a store and the versions it dropped; see the module. */
export class StoreHistory<S extends AnyType> {
  readonly steps: Step<S>[];
  /** Index of the current step. */
  cursor: number;
  /** True right after an undo/redo/goTo: the next commit starts a new group. */
  private grouped: boolean;
  private readonly maxVersions: number;
  private readonly maxBytes: number;
  private readonly coalesceMs: number;
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
  /**
   * Every version that was ever one of the steps. A step leaves the steps only
   * to `dropped` or to release, so `keeps` is O(1) (plus the few handed out).
   */
  private readonly everKept: WeakSet<State<S>>;

  constructor(initial: State<S>, settings: StoreSettings) {
    this.maxVersions = settings.maxVersions;
    this.maxBytes = settings.maxBytes;
    this.coalesceMs = settings.coalesceMs;
    this.now = settings.now;
    this.steps = [{ state: initial, label: undefined, time: this.now(), patches: [], inverse: [] }];
    this.cursor = 0;
    this.grouped = true;
    this.handed = [];
    this.dropped = [];
    this.everKept = new WeakSet([initial]);
  }

  /** The current step's version. O(1). */
  get current(): State<S> {
    return (this.steps[this.cursor] as Step<S>).state;
  }

  /** True if `version` is a step, or a dropped version not released yet (a listener's `prev`). O(steps). */
  holds(version: State<S>): boolean {
    return this.steps.some((step) => step.state === version) || this.dropped.includes(version);
  }

  /** See `Store.keeps` (the store checks its own release). O(1) plus the versions handed out. */
  keeps(version: State<S>): boolean {
    return this.everKept.has(version) && !version.released && !this.dropped.includes(version);
  }

  /**
   * Makes `next` the current step after the current one: the redo branch is
   * dropped, a commit within `coalesceMs` of the last replaces its step, the
   * oldest steps past `maxVersions` are dropped. The caller then trims,
   * notifies and settles.
   */
  push(next: State<S>, patches: Patch[], inverse: Patch[], label: string | undefined): void {
    const steps = this.steps;
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
  }

  /**
   * Makes step `index` (in range, not the current one) current and ends a
   * coalescing group; returns the patches of every step in between, in the
   * order of the move. O(steps moved).
   */
  moveTo(index: number): Patch[] {
    const from = this.cursor;
    const patches: Patch[] = [];
    if (index < from) for (let i = from; i > index; i--) append(patches, (this.steps[i] as Step<S>).inverse);
    else for (let i = from + 1; i <= index; i++) append(patches, (this.steps[i] as Step<S>).patches);
    this.cursor = index;
    this.grouped = true;
    return patches;
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
  trim(next: State<S>, prev: State<S>): void {
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

  /** Marks `next` and `prev` handed out by a notification; returns the depth to give to {@link unhand}. */
  hand(next: State<S>, prev: State<S>): number {
    const depth = this.handed.length;
    this.handed.push(next, prev);
    return depth;
  }

  /** Ends the notification that {@link hand} returned `depth` for. */
  unhand(depth: number): void {
    this.handed.length = depth;
  }

  /**
   * After a notification: unless an outer one is still running (a listener
   * committed or moved), releases the versions it handed out that the store
   * dropped. (The store does not call it once a listener released it.)
   */
  settle(): void {
    if (this.handed.length > 0) return;
    const dropped = this.dropped;
    for (let i = 0; i < dropped.length; i++) (dropped[i] as State<S>).release();
    dropped.length = 0;
  }

  /** Releases every version, the steps' and the dropped ones. */
  release(): void {
    for (const s of this.steps) s.state.release();
    for (const s of this.dropped) s.release();
    this.steps.length = 0;
    this.dropped.length = 0;
  }
}

/** `out.push(...items)` without spreading (a step may hold hundreds of thousands of patches). */
export function append<T>(out: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i++) out.push(items[i] as T);
}
