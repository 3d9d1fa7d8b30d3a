/**
 * @pagefork/react: React bindings for `@pagefork/state` stores.
 *
 * `useStore(store, selector)` subscribes a component to the part of the
 * state it selects, through React's `useSyncExternalStore` (concurrent-safe,
 * no tearing), and re-renders it only when that part changes. "Changes" is
 * `isEqual` (default `Object.is`) on the selected value, which works on views
 * directly: a record, list or map that did not change between two versions
 * is the same object in both, so `React.memo` rows and selectors of
 * unchanged parts skip their renders without any memoisation of your own.
 *
 * @packageDocumentation
 */
import { type AnyType, NODE, State, type Store } from "@pagefork/state";
import { useCallback, useEffect, useLayoutEffect, useRef, useSyncExternalStore } from "react";
import { useSyncExternalStoreWithSelector } from "use-sync-external-store/with-selector";

/**
 * A pin: a fork of the version a selected value was read from, so that the
 * value stays readable after the store drops that version (a commit past
 * `maxVersions`, a coalesced keystroke, `maxBytes`, the redo branch of an
 * undo followed by a commit) while React may still render it: the value a
 * `useDeferredValue` shows during urgent renders, the previous tree of a
 * transition, an event handler's closure. Released when the selected value
 * is garbage collected (nothing of React holds it any more), or at unmount.
 */
interface Pin {
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
interface SharedFork {
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

/**
 * `useLayoutEffect` in a browser, `useEffect` on a server (where neither
 * runs, but React 18 warns about the layout one), as react-redux does.
 */
// Through globalThis: the package compiles without the DOM library (its declaration build has none).
const useClientLayoutEffect =
  (globalThis as { document?: unknown }).document !== undefined ? useLayoutEffect : useEffect;

/** Releases a pin once its selected value and every view found in it were collected. */
const collected = new FinalizationRegistry<Pin>((pin) => {
  if (--pin.refs > 0) return;
  drop(pin.fork);
  pin.owner.delete(pin);
});

/** What one `useStore` keeps between renders: its pins, by selected value. */
interface Pins {
  /** The store the pins are of: a hook given another store starts a new `Pins` (the old one is released). */
  readonly store: object;
  byValue: WeakMap<object, Pin>;
  all: Set<Pin>;
  /** The value the hook showed last (its pin is moved on when the store drops its version). */
  shown: unknown;
}

/** The node record of a view (`addr`, `stamp`), or undefined for any other value. */
function viewRecord(value: object): { addr: number; stamp: number } | undefined {
  const r = (value as { [NODE]?: { isDraft?: boolean; addr?: number; stamp?: number } })[NODE];
  return r !== undefined && r.isDraft === false && typeof r.addr === "number" && typeof r.stamp === "number"
    ? (r as { addr: number; stamp: number })
    : undefined;
}

/** Most views {@link viewsIn} looks for in one selection, and most objects it walks. */
const WALK_LIMIT = 10_000;

/** What {@link viewsIn} found in a selected value. */
interface Found {
  /** The views met (the value itself if it is one). */
  readonly views: object[];
  /**
   * True if the walk saw all the value holds: nothing but views, plain
   * objects, arrays, Maps and Sets, at most {@link WALK_LIMIT} objects. False
   * when something may hold a view the walk cannot see (a class instance's
   * private fields, a function's closure, objects past the limit).
   */
  readonly whole: boolean;
}

/**
 * The views a selected value holds, for its pin: the value itself if it is a
 * view; else the views among the values of plain data (an array, or an
 * object whose prototype is `Object.prototype` or null: its own enumerable
 * values), `Map`s (keys and values) and `Set`s (values), at any depth. A
 * class instance is walked through its own enumerable properties, but the
 * walk is then not whole (it may hold views where the walk cannot look:
 * `#private` fields, getters), nor is it for a function (its closure) or past
 * {@link WALK_LIMIT} objects: such a value's pin keeps its version and never
 * moves, and the views found still hold it. An empty, whole result: plain
 * data holding no view (nothing to read from a version later).
 * O(objects walked).
 */
function viewsIn(value: object): Found {
  if (viewRecord(value) !== undefined) return { views: [value], whole: true };
  const views: object[] = [];
  let whole = true;
  const seen = new Set<object>();
  const stack: object[] = [value];
  const visit = (v: unknown) => {
    if (typeof v === "function") whole = false;
    else if (v !== null && typeof v === "object") stack.push(v);
  };
  while (stack.length > 0) {
    const x = stack.pop() as object;
    if (seen.has(x)) continue;
    if (seen.size >= WALK_LIMIT) return { views, whole: false };
    seen.add(x);
    if (viewRecord(x) !== undefined) {
      views.push(x);
      continue;
    }
    if (x instanceof Map) {
      for (const [k, v] of x) {
        visit(k);
        visit(v);
      }
      continue;
    }
    if (x instanceof Set) {
      for (const v of x) visit(v);
      continue;
    }
    if (!Array.isArray(x)) {
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) whole = false;
    }
    for (const k of Object.keys(x)) visit((x as Record<string, unknown>)[k]);
  }
  return { views, whole };
}

/**
 * True if version `state` holds the node content of view record `rec` (its
 * stamp at its address). False for a view of another store's state, whose
 * address may lie outside `state`'s space.
 */
function holds(state: State, rec: { addr: number; stamp: number }): boolean {
  try {
    return state.space.getFloat64(rec.addr) === rec.stamp;
  } catch {
    return false;
  }
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
function pinShown<S extends AnyType>(pins: Pins, store: Store<S>, value: unknown): void {
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
function releasePins(pins: Pins): void {
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

/**
 * The part of `store`'s current version that `selector` picks, kept up to
 * date: the component re-renders when the selected value changes
 * (`isEqual(previous, next)` false), and only then.
 *
 * `selector(root, state)` gets the current version's root view (typed as
 * `t.Infer<S>`) and the version itself. It should return views or values
 * read from them (views keep their identity while unchanged); a selector
 * that builds a new object or array on every call needs an `isEqual` such as
 * a shallow compare. A selector that throws throws from the render, so the
 * nearest error boundary shows it; the store is unchanged.
 *
 * Lifetimes: a selected value stays readable while React may still render
 * it, even after the store dropped its version (a commit past `maxVersions`,
 * a coalesced keystroke, `maxBytes`, a commit after undo): the value a
 * `useDeferredValue` shows during urgent renders, an event handler's
 * closure. The hook pins the version each value it showed came from (a
 * fork, O(1), sharing every page; one per version, shared by every hook
 * that showed a value of it; none for primitives, plain data holding no
 * view, or a version itself, which cannot be read once the store released
 * it: select views), released once that value, and every view found in it
 * through plain objects, arrays, Maps (keys and values), Sets and class
 * instances' own enumerable properties, is garbage collected, or when the
 * component unmounts or is given another store. A value that stays
 * selected while the store changes moves its pin to the current version
 * once the store released the older one, so an unchanged selection keeps
 * no old version's pages (not one holding a class instance or a function,
 * which may hold views where the hook cannot look: its pin stays). Release the store after unmounting its components to
 * get every frame back at once. Until then, the pages only a pinned version
 * holds count in its pool's `bytesInUse`, hence in a store's `maxBytes`.
 *
 * Works with React 18 and 19 (`react` is a peer dependency). O(1) per store
 * change plus the selector.
 *
 * @param store - a store from `createStore`.
 * @param selector - picks what the component shows. Default: the root view.
 * @param isEqual - when two selected values count as the same. Default `Object.is`.
 * @example
 * ```tsx
 * import { useStore } from "@pagefork/react";
 * import { createStore, t } from "@pagefork/state";
 * import { memo } from "react";
 *
 * const Todo = t.struct({ id: t.string, title: t.string });
 * const store = createStore(t.struct({ todos: t.list(Todo) }), { todos: [{ id: "1", title: "Write docs" }] });
 * function Row({ todo }: { todo: t.Infer<typeof Todo> }) { return <li>{todo.title}</li>; }
 * const MemoRow = memo(Row); // re-renders only when its todo changed
 * function List() {
 *   const todos = useStore(store, (root) => root.todos);
 *   return <ul>{todos.map((todo) => <MemoRow key={todo.id} todo={todo} />)}</ul>;
 * }
 * ```
 */
export function useStore<S extends AnyType, T = S["__view"]>(
  store: Store<S>,
  selector?: (root: S["__view"], state: State<S>) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const select = useCallback(
    (state: State<S>): T => (selector === undefined ? (state.root as T) : selector(state.root, state)),
    [selector],
  );
  const ref = useRef<Pins | null>(null);
  // Pins are of one store: given another store, the hook starts new ones, and the effect below
  // releases the old store's (its cleanup runs for the old `pins`), so they keep no frame of the
  // old store's pool once it is released.
  if (ref.current === null || ref.current.store !== store)
    ref.current = { store, byValue: new WeakMap(), all: new Set(), shown: undefined };
  const pins = ref.current;
  // The layout effect below runs only when the selected value changes: a value that stays the
  // same keeps its pin where it was made. So each change of the store also checks the value
  // shown last: once the store no longer keeps the version its pin forks (from then on the fork
  // alone keeps that version's pages), the pin moves to the current version if it holds the
  // value. `keeps`, not `released`: the store releases the version a change dropped only after
  // telling its listeners, so `released` moved the pin one change late, and the fork kept the
  // dropped version's pages until then (for good if no change came).
  // O(1) per change; a fork only then, shared by the hooks that move to that version.
  const subscribe = useCallback(
    (onChange: () => void) =>
      store.subscribe(() => {
        const pin = pins.byValue.get(pins.shown as object);
        try {
          const of = pin?.of.deref();
          if (pin !== undefined && (of === undefined || !store.keeps(of as State<S>)))
            pinShown(pins, store, pins.shown);
        } catch {
          // a fork refused (the pool's commit limit): the pin stays where it is, and the
          // store's change, already made, is not reported as failed by its setState
        }
        onChange();
      }),
    [store, pins],
  );
  const value = useSyncExternalStoreWithSelector(subscribe, store.getState, store.getState, select, isEqual);
  // Pinned after the commit (a render may be thrown away; a pin made there would stay), before
  // the browser paints and before any passive effect or event can commit to the store.
  useClientLayoutEffect(() => {
    pins.shown = value;
    pinShown(pins, store, value);
  }, [pins, store, value]);
  useEffect(() => () => releasePins(pins), [pins]);
  return value;
}

/** What {@link useHistory} returns. */
export interface HistoryControls {
  /** True when `undo` would move. */
  readonly canUndo: boolean;
  /** True when `redo` would move. */
  readonly canRedo: boolean;
  /** Index of the current version among the versions kept. */
  readonly position: number;
  /** Versions kept. */
  readonly size: number;
  /** `store.undo()`. */
  undo(): void;
  /** `store.redo()`. */
  redo(): void;
}

/**
 * Undo/redo state of `store` for buttons: re-renders when `canUndo`,
 * `canRedo`, the position or the number of versions change (the store applies
 * `maxVersions` and `maxBytes` before it notifies, so one notification per
 * change suffices). O(1) per change.
 * @example
 * ```tsx
 * import { useHistory } from "@pagefork/react";
 * import { createStore, t } from "@pagefork/state";
 *
 * const store = createStore(t.struct({ count: t.u32 }), { count: 0 }, { maxVersions: 100 });
 * function UndoButtons() {
 *   const h = useHistory(store);
 *   return <><button disabled={!h.canUndo} onClick={h.undo}>Undo</button>
 *            <button disabled={!h.canRedo} onClick={h.redo}>Redo</button></>;
 * }
 * ```
 */
export function useHistory<S extends AnyType>(store: Store<S>): HistoryControls {
  // The snapshot is the position and size themselves (a string: equal while they are), not the
  // current version: an eviction by `maxBytes` (a goTo in a pool that grew) changes them with
  // no new version.
  const getKey = useCallback(() => `${store.position}/${store.stats().versions}`, [store]);
  const key = useSyncExternalStore(store.subscribe, getKey, getKey);
  const [position, size] = key.split("/").map(Number) as [number, number];
  const undo = useCallback(() => void store.undo(), [store]);
  const redo = useCallback(() => void store.redo(), [store]);
  return { canUndo: position > 0, canRedo: position < size - 1, position, size, undo, redo };
}
