/**
 * @pagefork/state: a whole application state as one copy-on-write value:
 * a typed schema (`t`), versions read in place (`createState`, `State`),
 * Immer's `produce` with patches, over pages that `fork()` shares in O(1).
 *
 * @packageDocumentation
 */
/**
 * From `@pagefork/core`, re-exported so that an app that depends on
 * `@pagefork/state` alone (a strict `node_modules`, as pnpm's, does not let it
 * import its dependencies' dependencies) can make the frame pool its states
 * and stores take (`createState(schema, initial, { pool })`, a shared pool for
 * `State.share`) and tell the core's errors that state calls throw:
 * `OutOfMemoryError` (the pool's or the heap's limit), `ReleasedError` (a
 * released version or store), `InvalidArgumentError` (bad options or
 * arguments). The same classes as `@pagefork/core`'s: `instanceof` works
 * with either import.
 */
export {
  FramePool,
  type FramePoolOptions,
  type FramePoolStats,
  InvalidArgumentError,
  OutOfMemoryError,
  ReleasedError,
} from "@pagefork/core";
export { type AttachStateOptions, attachState, nextStampOf } from "./attach.js";
export { NODE } from "./brand.js";
export { createStore } from "./create-store.js";
export { diffPatches } from "./diff.js";
export { DraftError, PatchError, type Path, SchemaError } from "./errors.js";
export { schemaFingerprint } from "./fingerprint.js";
export { STATE_HEAP_BYTES, STATE_PAGE_SIZE } from "./layout.js";
export type { Patch, PathKey } from "./patch-types.js";
export { applyPatches } from "./patches.js";
export {
  current,
  isDraft,
  original,
  type PatchOptions,
  produce,
  produceWithPatches,
  type Recipe,
  type RecipeReturn,
} from "./produce.js";
export {
  type AnyType,
  BoolType,
  EnumType,
  type KeyType,
  ListType,
  MapType,
  NullableType,
  NumberType,
  OptionalType,
  SetType,
  StringType,
  StructType,
  type TextDraft,
  TextType,
  type TextView,
  Type,
  TypedArrayType,
  type TypedArrayView,
} from "./schema.js";
export { type SharedStateHandle, STATE_HANDLE_FORMAT } from "./shared.js";
export { createState, State, type StateOptions } from "./state.js";
export { Store } from "./store.js";
export type { StoreListener, StoreOptions, StoreStats, VersionInfo } from "./store-options.js";
export * as t from "./t.js";
