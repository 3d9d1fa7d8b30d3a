/**
 * @pagefork/core: copy-on-write address spaces in userland.
 *
 * @packageDocumentation
 */
export { AddressSpace } from "./address-space.js";
export { brandErrorClass, CORE_BRAND_VERSION, isAddressSpace, isFramePool, isHeap } from "./brand.js";
export {
  DEFAULT_SLAB_BYTES,
  MAX_PAGE_SHIFT,
  MAX_PAGES,
  MIN_PAGE_SHIFT,
  PAGE_MASK,
  PAGE_SHIFT,
  PAGE_SIZE,
  PT_FANOUT,
  PT_SHIFT,
  TLB_SIZE,
} from "./constants.js";
export { describeValue } from "./describe-value.js";
export type { DiffOptions } from "./diff.js";
export {
  ElementKind,
  elementKindOf,
  elementKinds,
  KIND_BIGINT64,
  KIND_BIGUINT64,
  KIND_FLOAT32,
  KIND_FLOAT64,
  KIND_INT8,
  KIND_INT16,
  KIND_INT32,
  KIND_UINT8,
  KIND_UINT8_CLAMPED,
  KIND_UINT16,
  KIND_UINT32,
} from "./element-kind.js";
export {
  AlignmentFault,
  InvalidArgumentError,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
  SegmentationFault,
} from "./errors.js";
export { FramePool } from "./frame-pool.js";
export { Heap, type HeapOptions, type HeapStats } from "./heap/heap.js";
export { type Forkable, History } from "./history.js";
export type { HistoryOptions } from "./history-options.js";
export type { HistoryStats, Measurable } from "./history-stats.js";
export {
  INSPECT_CUSTOM,
  type InspectFunction,
  type InspectOptions,
  inspectElements,
  inspectEntries,
  inspectRecord,
  inspectText,
} from "./inspect.js";
export type { Mapping, Protection } from "./mappings.js";
export type { OutOfMemoryEvent, Overcommit } from "./overcommit.js";
export {
  PageSpanCursor,
  readU8Span,
  readU16Span,
  readU32Span,
  type SpanArrayConstructor,
  type SpanMode,
  U32Span,
} from "./page-span.js";
export type { FramePoolOptions, FramePoolStats } from "./pool-options.js";
export type { ProxyView, ViewArrayConstructor } from "./proxy-view.js";
export { relativeIndex, toIntegerOrInfinity } from "./relative-index.js";
export { InvalidHandleError, type InvalidHandleReason, SharingUnavailableError } from "./share-errors.js";
export {
  HANDLE_FORMAT,
  type MappingArrays,
  type SharedSpaceHandle,
  type ShareOptions,
  type WorkerLike,
} from "./share-format.js";
export type { AddressSpaceOptions } from "./space-options.js";
export type { SpaceSummary } from "./space-summary.js";
export type { SpaceStats } from "./stats.js";
export { COPY_FORMAT, type SpaceCopy } from "./transfer.js";
export { U8Span, U16Span, writeU8Span, writeU16Span } from "./write-span.js";
