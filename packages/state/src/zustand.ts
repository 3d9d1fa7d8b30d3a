/**
 * `@pagefork/state/zustand`: a zustand middleware that keeps the state's data
 * in a pagefork {@link Store}: `set((draft) => { ... })` as with
 * `zustand/middleware/immer`, plus `undo`, `redo`, `canUndo`, `canRedo`.
 *
 * No runtime dependency on zustand (it only shapes the state creator
 * zustand calls); zustand is an optional peer dependency for the types.
 *
 * @module
 */
import type { StateCreator, StoreApi } from "zustand/vanilla";
import { createStore } from "./create-store.js";
import type { AnyType } from "./schema.js";
import type { State } from "./state.js";
import type { Store } from "./store.js";
import type { StoreOptions } from "./store-options.js";

/**
 * The `set` an initializer's actions get, as with `zustand/middleware/immer`:
 * a recipe that changes the draft (or returns plain data for some fields,
 * merged as zustand merges), or plain data for some fields.
 */
export type PageforkSet<S extends AnyType> = (
  update: ((draft: S["__draft"]) => Partial<S["__input"]> | void) | Partial<S["__input"]>,
  label?: string,
) => void;

/** No extra arguments for zustand's `set` (see `told` in {@link pagefork}). */
const NO_ARGS: readonly unknown[] = [];

/**
 * The store label of a zustand action name (`setState(x, replace, name)`, as
 * `devtools` takes it): a string, or an action object's string `type`.
 */
function labelOf(action: unknown): string | undefined {
  if (typeof action === "string") return action;
  const type = action !== null && typeof action === "object" ? (action as { type?: unknown }).type : undefined;
  return typeof type === "string" ? type : undefined;
}

const UNDO: readonly unknown[] = ["undo"];
const REDO: readonly unknown[] = ["redo"];

/** Keys of the zustand state that are not data of the schema: never written to the draft. */
const CONTROL_KEYS = new Set(["$state", "$store", "canUndo", "canRedo", "undo", "redo"]);

/**
 * The data fields of `value` (a partial or whole zustand state, plain data or
 * views): its own keys, less the functions (actions) and the controls.
 */
function dataOf(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v !== "function" && !CONTROL_KEYS.has(k)) out[k] = v;
  }
  return out;
}

/**
 * Undo/redo members the middleware adds to the zustand state. `$state` and
 * `$store` are not enumerable (not data): a spread or the JSON of the state
 * (persist, devtools) leaves them out.
 */
export interface PageforkControls<S extends AnyType> {
  /** The current version (read it, fork it, save it). Not enumerable. */
  readonly $state: State<S>;
  /** The pagefork store behind the zustand store (history, `versions`, `goTo`, `transact`). Not enumerable. */
  readonly $store: Store<S>;
  /** True when `undo()` would move. */
  readonly canUndo: boolean;
  /** True when `redo()` would move. */
  readonly canRedo: boolean;
  /** Back one version. */
  undo(): void;
  /** Forward one version. */
  redo(): void;
}

/** The zustand state: the root view's fields, the actions, and the controls. */
export type PageforkState<S extends AnyType, A> = S["__view"] & Omit<A, keyof S["__input"]> & PageforkControls<S>;

/**
 * A zustand state creator whose data lives in a pagefork store. The
 * initializer returns the initial data (plain data of `schema`) together with
 * the actions (its function-valued properties), as with zustand's own
 * middleware; actions call `set(recipe)` or `set(partialData)`.
 *
 * The zustand state is rebuilt on every change from the root view: its data
 * fields are views, so a field that did not change keeps its identity and
 * `useStore((s) => s.todos)` re-renders only when the todos changed. The
 * store's own `setState(update, replace)` goes through the same path: a
 * recipe, or data merged into the state (what a recipe returns is merged
 * too, as with `zustand/middleware/immer`); with `replace: true` the data
 * given (or returned) becomes the whole state's data, so it must hold every
 * field of the schema. Actions and the controls (`undo`, `$store`, ...) are
 * never data: functions and those keys in the data given are ignored, so
 * `setState({ ...getState(), count: 1 })` works. One commit (one undo step)
 * per call; a call that throws (a SchemaError for data that does not fit)
 * changes nothing.
 *
 * Composes with zustand's middlewares around it, as zustand's `immer`
 * middleware does: `api.setState(update, replace, ...more)` passes `more`
 * on to the `set` an outer middleware gave it (devtools' action name, which
 * also labels the store's step), and an action's `set(update, label)`
 * passes `label`, `undo()` and `redo()` pass `"undo"` and `"redo"`. A zustand state set past
 * the middleware (zustand's own `set`, as `persist` rehydrates with) is
 * merged into the store as one commit (one undo step) and replaced by the
 * store's snapshot; data that do not fit throw (persist hands the
 * SchemaError to `onRehydrateStorage`) and the state stays the store's.
 * `persist` saves the data fields and `canUndo`/`canRedo`, not the history.
 * `getInitialState()` is the first snapshot; once the store dropped the
 * first version its data fields are the initializer's data as given, so a
 * reset (`setState(getInitialState(), true)`) works at any time.
 *
 * Lifetimes: a zustand state's views read the version it was made from, and
 * nothing here pins it. Once the store dropped that version (`maxVersions`,
 * `maxBytes`, `coalesceMs`, the redo branch) a view of a part that changed
 * since throws ReleasedError: a `prev` state kept past its listener's call,
 * or what zustand's own `useStore` shows through `useDeferredValue` or a
 * transition's previous tree. With such renders and a bounded history, read
 * through `@pagefork/react`'s `useStore(state.$store, selector)`, which pins
 * the versions of what it shows.
 *
 * @param schema - the state's schema (a `t.struct`).
 * @param initializer - `(set, get, api) => ({ ...initialData, ...actions })`.
 * @param options - options of the pagefork store (`maxVersions`, `coalesceMs`, ...).
 * @throws {SchemaError} (when zustand calls the creator) if the initial data does not fit the schema.
 * @example
 * ```ts
 * import { create } from "zustand";
 * import { t } from "@pagefork/state";
 * import { pagefork } from "@pagefork/state/zustand";
 * const App = t.struct({ todos: t.list(t.struct({ title: t.string, done: t.bool })) });
 * const useTodos = create(pagefork(App, (set) => ({
 *   todos: [],
 *   add: (title: string) => set((d) => { d.todos.push({ title, done: false }); }),
 * })));
 * useTodos.getState().add("write");
 * useTodos.getState().todos.length; // 1
 * useTodos.getState().undo();
 * useTodos.getState().todos.length; // 0
 * useTodos.getState().$store.release();
 * ```
 */
export function pagefork<S extends AnyType, A extends object>(
  schema: S,
  initializer: (
    set: PageforkSet<S>,
    get: () => PageforkState<S, A>,
    api: StoreApi<PageforkState<S, A>>,
  ) => S["__input"] & A,
  options: StoreOptions = {},
): StateCreator<PageforkState<S, A>, [], []> {
  return (zset, zget, api) => {
    let store: Store<S> | null = null;
    /**
     * The extra arguments of the call being applied (`setState(x, replace, name)`'s name, an
     * action's label, "undo"): the store's listener passes them to zustand's `set` after the
     * snapshot, as zustand's `immer` middleware passes its own on, so that an outer middleware
     * that takes them (devtools' action name) gets them. Set only while the call runs.
     */
    let told: readonly unknown[] = NO_ARGS;
    /** Runs `fn` with `args` as the extra arguments of the `set` its change makes. */
    const telling = (args: readonly unknown[], fn: () => void): void => {
      const outer = told;
      told = args;
      try {
        fn();
      } finally {
        told = outer;
      }
    };
    /**
     * zustand's `set(update, replace)` on the pagefork store: a recipe changes the draft;
     * data (given, or returned by the recipe) is merged field by field, as zustand merges
     * (a field given as the current version's own view is left alone: no copy), or with
     * `replace` becomes the whole state's data (every field of the schema required).
     */
    const apply = (
      update: unknown,
      replace: boolean,
      label: string | undefined,
      args: readonly unknown[] = NO_ARGS,
    ): void => {
      if (store === null)
        throw new Error("pagefork: set() was called before the store was made (inside the initializer)");
      const s = store;
      if (typeof update !== "function" && (update === null || typeof update !== "object"))
        throw new TypeError("pagefork: set() expects a recipe function or an object of fields");
      telling(args, () => commit(s, update, replace, label));
    };
    /** `apply`'s commit: one `setState` of the store. */
    const commit = (s: Store<S>, update: unknown, replace: boolean, label: string | undefined): void => {
      s.setState((d: S["__draft"]) => {
        const r = typeof update === "function" ? (update as (d: S["__draft"]) => unknown)(d) : update;
        if (r === undefined || r === d) return undefined;
        if (r === null || typeof r !== "object")
          throw new TypeError("pagefork: a set() recipe may return only an object of fields (or nothing)");
        const data = dataOf(r);
        if (replace) return data as S["__input"];
        const base = s.getState().root as Record<string, unknown>;
        for (const k of Object.keys(data)) {
          const v = data[k];
          if (v !== base[k]) (d as Record<string, unknown>)[k] = v;
        }
        return undefined;
      }, label);
    };
    const set: PageforkSet<S> = (update, label) => apply(update, false, label, label === undefined ? NO_ARGS : [label]);
    const created = initializer(set, zget as () => PageforkState<S, A>, api as StoreApi<PageforkState<S, A>>);
    const data: Record<string, unknown> = {};
    const actions: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(created as object)) (typeof v === "function" ? actions : data)[k] = v;
    store = createStore(schema, data as S["__input"], options);
    const s = store;
    const controls = {
      undo: () => telling(UNDO, () => void s.undo()),
      redo: () => telling(REDO, () => void s.redo()),
    };
    /**
     * The zustand state of version `state`. `$state` and `$store` are not enumerable: they are
     * not data, so a spread of the state (persist's `partialize`, devtools) or its JSON leaves
     * them out instead of writing the whole history (every version's data and patches) with
     * every save; reading them is unchanged.
     */
    const snapshot = (state: State<S>): PageforkState<S, A> => {
      const out = {
        ...(state.root as object),
        ...actions,
        ...controls,
        canUndo: s.canUndo,
        canRedo: s.canRedo,
      };
      Object.defineProperty(out, "$state", { value: state, writable: true, configurable: true });
      Object.defineProperty(out, "$store", { value: s, writable: true, configurable: true });
      return out as unknown as PageforkState<S, A>;
    };
    /** The last zustand state the middleware made: any other one was set past it. */
    let shown: object;
    const first = s.getState();
    const initial = snapshot(first);
    /**
     * zustand's `getInitialState()` (and persist's) returns the first snapshot, whose fields are
     * views of the first version: once the store drops that version they could not be read any
     * more (ReleasedError), so its data fields then become the initializer's data as given.
     */
    let initialViews = true;
    // The store notifies with its history settled (`maxVersions`, `maxBytes` applied), so the
    // controls are read there. The current version rather than `next`: the same unless a
    // listener changed the store while this notification ran, and then the current one is news.
    s.subscribe(() => {
      if (s.released) return;
      if (initialViews && !s.keeps(first)) {
        initialViews = false;
        Object.assign(initial, data);
      }
      shown = snapshot(s.getState());
      (zset as (...a: unknown[]) => void)(shown, true, ...told);
    });
    // A zustand state the middleware did not make was set past it: persist's rehydration (it
    // calls zustand's own `set(merged, true)`), another middleware. Its data are merged into
    // the store (one commit), whose notification sets the store's snapshot in its place; data
    // that do not fit (a SchemaError) put the store's snapshot back and throw.
    api.subscribe((state, prev) => {
      if (state === shown || s.released) return;
      const before = s.getState();
      try {
        apply(state, false, undefined);
      } finally {
        if (s.getState() === before) {
          shown = snapshot(before);
          zset(shown as PageforkState<S, A>, true);
        }
        // While zustand makes the store (a persist reading a synchronous storage), the state
        // set is what zustand installs once the creators return: it becomes the snapshot.
        if (prev === undefined && state !== null && typeof state === "object") {
          const made = shown as Record<string, unknown>;
          const raw = state as Record<string, unknown>;
          for (const k of Object.keys(raw)) if (!(k in made)) delete raw[k];
          Object.assign(raw, made);
          Object.defineProperty(raw, "$state", { value: made.$state, writable: true, configurable: true });
          Object.defineProperty(raw, "$store", { value: s, writable: true, configurable: true });
          shown = raw;
        }
      }
    });
    // As zustand's immer middleware: the replacement takes an outer middleware's extra
    // arguments (devtools' action name: also the store's label) and passes them on.
    api.setState = ((update: unknown, replace?: boolean, ...args: unknown[]) =>
      apply(update, replace === true, labelOf(args[0]), args)) as StoreApi<PageforkState<S, A>>["setState"];
    shown = initial;
    return initial;
  };
}
