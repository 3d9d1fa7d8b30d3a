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
import { useCallback } from "react";
import { useSyncExternalStoreWithSelector } from "use-sync-external-store/with-selector";

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
 * Works with React 18 and 19 (`react` is a peer dependency). O(1) per store
 * change plus the selector.
 *
 * @param store - a store from `createStore`.
 * @param selector - picks what the component shows. Default: the root view.
 * @param isEqual - when two selected values count as the same. Default `Object.is`.
 * @example
 * ```tsx
 * const store = createStore(App, initial);
 * function Row({ todo }: { todo: t.Infer<typeof Todo> }) { return <li>{todo.title}</li>; }
 * const MemoRow = React.memo(Row); // re-renders only when its todo changed
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
  return useSyncExternalStoreWithSelector(store.subscribe, store.getState, store.getState, select, isEqual);
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
 * `canRedo`, the position or the number of versions change. O(1) per change.
 * @example
 * ```tsx
 * function UndoButtons() {
 *   const h = useHistory(store);
 *   return <><button disabled={!h.canUndo} onClick={h.undo}>Undo</button>
 *            <button disabled={!h.canRedo} onClick={h.redo}>Redo</button></>;
 * }
 * ```
 */
export function useHistory<S extends AnyType>(store: Store<S>): HistoryControls {
  const key = useSyncExternalStoreWithSelector(
    store.subscribe,
    store.getState,
    store.getState,
    () => `${store.position}/${store.stats().versions}`,
  );
  const [position, size] = key.split("/").map(Number) as [number, number];
  const undo = useCallback(() => void store.undo(), [store]);
  const redo = useCallback(() => void store.redo(), [store]);
  return { canUndo: position > 0, canRedo: position < size - 1, position, size, undo, redo };
}
