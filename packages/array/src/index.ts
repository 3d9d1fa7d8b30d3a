/**
 * @pagefork/array: copy-on-write typed arrays and growable vectors with the
 * native TypedArray semantics and an O(1) `fork()`.
 *
 * @packageDocumentation
 */

export { CowBigInt64Array, CowBigUint64Array } from "./bigint-arrays.js";
export { type CowArrayClass, cowArrayClassOf } from "./class-of.js";
export { CowElements } from "./cow-elements.js";
export { CowTypedArray, type CowTypedArrayConstructor } from "./cow-typed-array.js";
export { CowVector } from "./cow-vector.js";
export type { JsonElements } from "./debug.js";
export { CowFloat32Array, CowFloat64Array } from "./float-arrays.js";
export { CowInt8Array, CowUint8Array, CowUint8ClampedArray } from "./int8-arrays.js";
export { CowInt16Array, CowUint16Array } from "./int16-arrays.js";
export { CowInt32Array, CowUint32Array } from "./int32-arrays.js";
export type { ElementOf, NativeTypedArray } from "./kinds.js";
export {
  ARRAY_PAGE_SIZE,
  arrayPageSizeFor,
  type CowArrayOptions,
  SMALL_ARRAY_MAX_BYTES,
  SMALL_ARRAY_PAGE_SIZE,
} from "./options.js";
export { ARRAY_HANDLE_FORMAT, type SharedArrayHandle } from "./shared.js";
export { adoptVector, type VectorState, vectorStateOf } from "./standalone-vector.js";
export type { CowVectorCreateOptions, CowVectorOptions } from "./vector-options.js";
export { type SharedVectorHandle, VECTOR_HANDLE_FORMAT } from "./vector-shared.js";
