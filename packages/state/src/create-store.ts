/**
 * `createStore`: a store over a new state.
 *
 * @module
 */
import { FramePool, InvalidArgumentError } from "@pagefork/core";
import { STATE_PAGE_SIZE } from "./layout.js";
import type { AnyType } from "./schema.js";
import { createState, type StateOptions } from "./state.js";
import { Store } from "./store.js";
import type { StoreOptions } from "./store-options.js";

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
