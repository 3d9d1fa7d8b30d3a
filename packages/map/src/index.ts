/**
 * @pagefork/map: CowMap and CowSet, copy-on-write Map and Set with the
 * semantics of the native ones, O(1) fork and page-granular copy-on-write.
 *
 * @packageDocumentation
 */
export type { CowKey, CowKeyOf } from "./cow-key.js";
export { CowMap, type CowMapConstructor } from "./cow-map.js";
export { CowSet, type CowSetConstructor } from "./cow-set.js";
export { DataCloneError, KeyTypeError, StructureValueError } from "./errors.js";
export { CowIterator } from "./iterator.js";
export { type CowMapOptions, MAP_PAGE_SIZE } from "./options.js";
export {
  closeQuietly,
  forEachOtherKey,
  getSetRecord,
  type IteratorRecord,
  openOtherKeys,
  otherHas,
  type SetLike,
  type SetRecord,
} from "./set-like.js";
export { COLLECTION_HANDLE_FORMAT, type SharedCollectionHandle } from "./shared.js";
export { adoptCollection, type CollectionState, collectionStateOf } from "./standalone.js";
