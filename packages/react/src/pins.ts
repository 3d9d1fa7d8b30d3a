/**
 * Pins: forks of the store versions that selected values were read from,
 * kept while React may still render those values (see `useStore`), shared
 * by every hook that showed a value of one version, released when the values
 * are collected or the component unmounts.
 *
 * @module
 */
import { type AnyType, State, type Store } from "@pagefork/state";
import { holds, viewRecord, viewsIn } from "./views-in.js";

/**
 * A pin: a fork of the version a selected value was read from, so that the
 * value stays readable after the store drops that version (a commit past
 * `maxVersions`, a coalesced keystroke, `maxBytes`, the redo branch of an
 * undo followed by a commit) while React may still render it: the value a
 * `useDeferredValue` shows during urgent renders, the previous tree of a
 * transition, an event handler's closure. Released when the selected value
 * is garbage collected (nothing of React holds it any more), or at unmount.
 */
export interface Pin {
  /** The fork keeping the pages of the selected value's version (shared by every pin of that version). */
  fork: SharedFork;
  /**
   * The store version `fork` is a fork of, held weakly: the registry holds
   * each pin strongly until its value is collected, so a pin that held its
   * version strongly would keep a value that version references alive (the
   * version itself, `(root, state) => state`), and with it the pin and the
   * version's pages, for as long as the component stays mounted.
   */
  of: WeakRef<State>;
  /** The hook's set of pins, to drop this one from once released. */
  readonly owner: Set<Pin>;
  /**
   * Registrations with {@link collected} not yet collected: the selected value and each view
   * found in it (see {@link viewsIn}). The pin is released when the last is collected: a view
   * taken out of a selection of plain data (an event handler's closure, a memo child) still
   * needs its version after the selection itself was replaced and collected.
   */
  refs: number;
}

/**
 * One fork of a store version, shared by every pin of that version (all the
 * hooks that showed a value of it): one fork per version a commit shows, not
 * one per hook (a fork and its release cost ~26 µs here).
 */
export interface SharedFork {
  readonly state: State;
  /** Pins holding it; released at 0. */
  count: number;
}

/** The live shared fork of each store version pinned. */
const forks = new WeakMap<State, SharedFork>();

/** A pin's share of the fork of `version` (live: the store's current one). O(1). */
function acquire(version: State): SharedFork {
  let f = forks.get(version);
  if (f === undefined || f.count === 0) {
    f = { state: version.fork(), count: 0 };
    forks.set(version, f);
  }
  f.count++;
  return f;
}

/** Gives a pin's share back; the last releases the fork. */
function drop(f: SharedFork): void {
  if (--f.count === 0) f.state.release();
}

/** Releases a pin once its selected value and every view found in it were collected. */
const collected = new FinalizationRegistry<Pin>((pin) => {
  if (--pin.refs > 0) return;
  drop(pin.fork);
  pin.owner.delete(pin);
});

/** What one `useStore` keeps between renders: its pins, by selected value. */
export interface Pins {
  /** The store the pins are of: a hook given another store starts a new `Pins` (the old one is released). */
  readonly store: object;
  byValue: WeakMap<object, Pin>;
  all: Set<Pin>;
  /** The value the hook showed last (its pin is moved on when the store drops its version). */
  shown: unknown;
}

/**
 * After a commit that showed `value` (selected from the store's current
 * version, or kept by `isEqual` from an earlier one that is pinned already):
 * pins the current version for it, once per value, until the value and every
 * view found in it (see {@link viewsIn}) were collected. Plain data holding no
 * view is not pinned. A value shown again from a newer version that holds
 * every view in it (the same stamp at its address: it did not change) moves
 * its pin to that version, so an unchanged selection does not keep an old
 * version's pages. O(1) (a fork) plus O(views and plain objects in the
 * value) per commit whose selection changed.
 */
export function pinShown<S extends AnyType>(pins: Pins, store: Store<S>, value: unknown): void {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return; // nothing to read later
  // A version itself (`(root, state) => state`): once the store releases it, it cannot be read
  // whatever holds its pages, so a fork of it would keep them for nothing.
  if (value instanceof State) return;
  if (store.released) return;
  const now = store.getState() as State;
  const pin = pins.byValue.get(value);
  if (pin !== undefined) {
    if (pin.of.deref() === now) return;
    const { views, whole } = viewsIn(value);
    if (!whole) return; // cannot tell what it reads: it keeps its own version
    for (const v of views) if (!holds(now, viewRecord(v) as { addr: number; stamp: number })) return;
    const moved = acquire(now);
    drop(pin.fork);
    pin.fork = moved;
    pin.of = new WeakRef(now);
    return;
  }
  const { views, whole } = viewsIn(value);
  if (whole && views.length === 0) return; // plain data: nothing to read from a version
  const made: Pin = { fork: acquire(now), of: new WeakRef(now), owner: pins.all, refs: 1 };
  pins.byValue.set(value, made);
  pins.all.add(made);
  collected.register(value, made, made);
  for (const v of views)
    if (v !== value) {
      made.refs++;
      collected.register(v, made, made);
    }
}

/**
 * At unmount: releases every pin the hook holds, in a microtask, so that the
 * component's own effect cleanups (which run after this one) can still read
 * what it showed. Under StrictMode's simulated unmount the remount pins
 * afresh. O(pins).
 */
export function releasePins(pins: Pins): void {
  const gone = pins.all;
  pins.all = new Set();
  pins.byValue = new WeakMap();
  queueMicrotask(() => {
    for (const pin of gone) {
      collected.unregister(pin);
      drop(pin.fork);
    }
    gone.clear();
  });
}
