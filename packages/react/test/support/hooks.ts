/**
 * Set-up shared by the React binding tests: waiting for the microtask in
 * which an unmount releases its pins, an isEqual for selections that hold
 * views in containers, and a count of a store's active subscriptions.
 */
import { type AnyType, NODE, type Store } from "@pagefork/state";

/** Resolves after the microtasks queued so far (and a macrotask turn) have run: unmounted pins are released by then. */
export const microtasks = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

const ids = new WeakMap<object, number>();
let nextId = 0;
const idOf = (o: object): number => {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
};

/**
 * A key of a selection by the identity of the objects in it: Maps (keys and
 * values), Sets, plain objects and arrays by their contents, a view or any
 * other object (a class instance) by identity, except that a class instance with
 * an own `inner` object is keyed by that object's contents.
 */
export function viewsKey(x: unknown): string {
  if (x instanceof Map) return `M${[...x].map(([k, v]) => `${viewsKey(k)}:${viewsKey(v)}`).join(",")}`;
  if (x instanceof Set) return `S${[...x].map(viewsKey).join(",")}`;
  if (x === null || typeof x !== "object") return String(x);
  if ((x as { [NODE]?: unknown })[NODE] !== undefined) return `#${idOf(x)}`; // a view (a list view is an array)
  const proto = Object.getPrototypeOf(x);
  if (Array.isArray(x) && proto === Array.prototype) return `A${x.map(viewsKey).join(",")}`;
  if (proto === Object.prototype) return `O${Object.entries(x).map(([k, v]) => `${k}=${viewsKey(v)}`)}`;
  const inner = (x as { inner?: unknown }).inner;
  if (proto !== null && Object.hasOwn(x, "inner") && typeof inner === "object") return `B${viewsKey(inner)}`;
  return `#${idOf(x)}`;
}

/** isEqual for selections made anew on every call: equal while the views (and values) in them are the same. */
export const sameViews = (a: unknown, b: unknown): boolean => a === b || viewsKey(a) === viewsKey(b);

/**
 * Counts `store`'s active subscriptions from now on (it wraps the store's
 * `subscribe`, which the hooks read at render): the returned function gives
 * how many are active. Each unsubscribe counts once, as the store's does.
 */
export function countSubscriptions<S extends AnyType>(store: Store<S>): () => number {
  const subscribe = store.subscribe;
  let active = 0;
  (store as { subscribe: Store<S>["subscribe"] }).subscribe = (listener) => {
    const stop = subscribe(listener);
    active++;
    let on = true;
    return () => {
      if (on) {
        on = false;
        active--;
      }
      stop();
    };
  };
  return () => active;
}
