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
import type { AnyType, State, Store } from "@pagefork/state";
import { useCallback, useEffect, useLayoutEffect, useRef, useSyncExternalStore } from "react";
import { useSyncExternalStoreWithSelector } from "use-sync-external-store/with-selector";
import { type Pins, pinShown, releasePins } from "./pins.js";

/**
 * `useLayoutEffect` in a browser, `useEffect` on a server (where neither
 * runs, but React 18 warns about the layout one), as react-redux does.
 */
// Through globalThis: the package compiles without the DOM library (its declaration build has none).
const useClientLayoutEffect =
  (globalThis as { document?: unknown }).document !== undefined ? useLayoutEffect : useEffect;

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
