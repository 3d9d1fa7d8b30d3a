/**
 * The options and the statistics of a {@link FramePool} (the public shapes,
 * with their documentation), and the checks of its constructor. Apart from
 * frame-pool.ts so that the pool's module holds the pool itself: these run
 * once per pool, never on a hot path.
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import {
  DEFAULT_SLAB_BYTES,
  INITIAL_SLAB_BYTES,
  MAX_PAGE_SHIFT,
  MAX_SLAB_BYTES,
  MIN_PAGE_SHIFT,
  PAGE_SIZE,
  SHARED_INITIAL_SLAB_BYTES,
} from "./constants.js";
import { throwInvalid } from "./errors.js";
import type { FramePool } from "./frame-pool.js";
import { type OutOfMemoryEvent, type Overcommit, overcommitOf } from "./overcommit.js";
import { throwSharingUnavailable } from "./share-errors.js";

/** Options of {@link FramePool}. */
export interface FramePoolOptions {
  /** Page (and frame) size in bytes: a power of two from 256 to 65536. Default 4096. */
  pageSize?: number;
  /** Bytes per slab: a power of two from `pageSize` to 1 GiB. Default 256 MiB. */
  slabBytes?: number;
  /**
   * Most bytes of frames in use at once (the zero frame excluded), which is
   * also the commit limit under `overcommit: "never"`: a number of bytes
   * >= 0 (`Infinity` allowed), else {@link InvalidArgumentError}. Frames are
   * whole pages, so at most `floor(maxBytes / pageSize)` frames are in use.
   * Default: no limit (`stats().maxBytes` is then `Infinity`).
   */
  maxBytes?: number;
  /**
   * What a fork, a new space or `map` may promise against `maxBytes`, named
   * after Linux's `vm.overcommit_memory` (see {@link Overcommit}). Default
   * `"always"`.
   */
  overcommit?: Overcommit;
  /**
   * Called when a fault or a commit charge would pass `maxBytes` (the OOM
   * killer's place): it may release spaces, for example the oldest versions of
   * an undo history, after which the refused operation is retried once. If it
   * still does not fit, or the hook throws, the operation throws
   * {@link OutOfMemoryError} and has changed nothing. If the hook released
   * the space the operation was for (the one written, forked or mapped into),
   * the operation throws {@link ReleasedError} instead, also having changed
   * nothing. The hook must only release spaces; an out-of-memory condition
   * inside it is not reported to it again.
   */
  onOutOfMemory?: (event: OutOfMemoryEvent) => void;
  /**
   * Register every space with a `FinalizationRegistry` so that the frames of
   * a space dropped without `release()` return to the pool after the garbage
   * collector finds it. Default true. A space is registered only if it is
   * still unreleased after the current job or after ~1,000 more forks (see
   * space-registry.ts), so forks released soon after they were made (drafts,
   * an undo history evicting its oldest versions) cost nothing extra; a
   * registered space costs ~70 bytes of JS heap (measured on Node 20).
   * `release()` (or `using`) remains the reliable path: finalization runs
   * late or not at all. Until the current job ends, the pool holds its new
   * spaces for that check (a queued microtask), so a pool dropped inside a
   * long synchronous loop keeps its slabs until the loop returns to the event
   * loop (measured: four 8 MiB pools made and dropped in one loop kept
   * `arrayBuffers` at 41 MiB until the next turn; with `false`, at 0).
   */
  reclaimDropped?: boolean;
  /**
   * Keep slabs and page-table nodes in SharedArrayBuffers, so that versions
   * can be handed to worker threads with {@link AddressSpace.share} and read
   * there without a copy. Default false: a plain ArrayBuffer is available
   * everywhere (a SharedArrayBuffer needs cross-origin isolation in
   * browsers), and reads cost the same on both (measured: see
   * docs/workers.md). Only `share()` and the pins it creates do any extra
   * work; the accessors, faults and forks of a shared pool run the same code
   * as those of a plain one.
   */
  shared?: boolean;
  /**
   * Size of the first slab in bytes (a power of two from `pageSize` to
   * `slabBytes`). Default: 64 KiB, 32 MiB for a shared pool (at least 4
   * pages, at most `slabBytes`). A reader thread's view of a shared pool is
   * built with its owner's, so that both map frame numbers to the same slabs.
   * @internal
   */
  firstSlabBytes?: number;
}

/** A snapshot of a pool's counters, all in bytes or counts as named. */
export interface FramePoolStats {
  /** Page size in bytes. */
  pageSize: number;
  /** Frames currently referenced by at least one PTE (the zero frame excluded). */
  framesInUse: number;
  /** `framesInUse * pageSize`. */
  bytesInUse: number;
  /** Highest `bytesInUse` seen. */
  peakBytesInUse: number;
  /** Bytes of ArrayBuffer held by slabs (frames in use, free and never used). */
  bytesReserved: number;
  /** Frames on the free list, ready for reuse without touching fresh memory. */
  framesFree: number;
  /** Page-table nodes in use. */
  pageTableNodes: number;
  /** Bytes of page-table nodes in use (32 bytes each at fanout 8). */
  pageTableBytes: number;
  /**
   * Bytes of frame metadata (refcount bytes, overflow entries, free list) per
   * frame of capacity: about 1 byte of refcount plus the free-list slots.
   */
  metadataBytesPerFrame: number;
  /** Frames whose refcount passed 254 and lives in the overflow table. */
  overflowRefcounts: number;
  /**
   * The pool's limit in bytes: the most bytes of frames in use at once (the
   * zero frame excluded), and the commit limit under `overcommit: "never"`.
   * It is the `maxBytes` option as given, and `Infinity` when the pool was
   * made without one (no limit). `JSON.stringify` writes `Infinity` as `null`,
   * as it writes every non-finite number: in a pool's JSON, `null` means no
   * limit.
   * @example
   * ```ts
   * new FramePool({ pageSize: 4096, maxBytes: 1 << 20 }).stats().maxBytes; // 1048576
   * new FramePool().stats().maxBytes; // Infinity
   * JSON.parse(JSON.stringify(new FramePool())).maxBytes; // null
   * ```
   */
  maxBytes: number;
  /** The overcommit policy. */
  overcommit: Overcommit;
  /**
   * Commit charge in bytes (Linux's `Committed_AS`): the sum over live spaces
   * of the bytes they map, i.e. what their pages would take if every mapped
   * page were written privately. Counted under every policy; enforced against
   * `maxBytes` only under `"never"`.
   */
  committedBytes: number;
  /** Highest `committedBytes` seen. */
  peakCommittedBytes: number;
  /** Spaces alive (created or forked and neither released nor reclaimed). */
  spaces: number;
  /** Spaces whose frames were returned by finalization after being dropped without `release()`. */
  spacesReclaimed: number;
  /** Handles from {@link AddressSpace.share} still pinning a version (not yet released by their holder). */
  sharedHandles: number;
}

/** Throws {@link SharingUnavailableError} unless this thread can allocate SharedArrayBuffers. */
export function checkSharedMemory(): void {
  if (typeof SharedArrayBuffer !== "function")
    throwSharingUnavailable(
      "SharedArrayBuffer is not available: in a browser, serve the page with the headers " +
        "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp " +
        "(cross-origin isolation); use transferCopy() where that is not possible",
    );
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false)
    throwSharingUnavailable(
      "this page is not cross-origin isolated (crossOriginIsolated is false): serve it with " +
        "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, " +
        "or use transferCopy()",
    );
}

/** log2 of `n` when it is a positive power of two, else -1. */
export function log2Exact(n: number): number {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 ? 31 - Math.clz32(n) : -1;
}

/**
 * The checked options of a new pool, with their defaults applied: what the
 * {@link FramePool} constructor sets its fields from. @internal
 */
export interface PoolConfig {
  /** Page size in bytes. */
  pageSize: number;
  /** log2(pageSize). */
  pageShift: number;
  /** log2(frames per full-size slab). */
  slabShift: number;
  /** Bytes of slab 0. */
  firstBytes: number;
  /** log2(frames of slab 0). */
  firstShift: number;
  maxBytes: number;
  overcommit: Overcommit;
  onOom: ((event: OutOfMemoryEvent) => void) | null;
  reclaimDropped: boolean;
  shared: boolean;
}

/**
 * Checks `options` and applies the defaults: the {@link FramePool}
 * constructor's checks, all run before it sets a field, each option read
 * once, in a fixed order (pageSize, slabBytes, maxBytes, overcommit,
 * onOutOfMemory, reclaimDropped, shared, firstSlabBytes): the first bad
 * one is the one reported. O(1).
 * @throws {InvalidArgumentError} when `pageSize`, `slabBytes`, `maxBytes`,
 *   `overcommit`, `onOutOfMemory`, `reclaimDropped`, `shared` or
 *   `firstSlabBytes` is out of range or of the wrong type.
 * @throws {SharingUnavailableError} for `shared: true` where SharedArrayBuffer is missing.
 * @internal
 */
export function poolConfig(options: FramePoolOptions): PoolConfig {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const shift = log2Exact(pageSize);
  if (shift < MIN_PAGE_SHIFT || shift > MAX_PAGE_SHIFT)
    throwInvalid("pageSize", pageSize, "a power of two from 256 to 65536 bytes");
  const slabBytes = options.slabBytes ?? Math.max(DEFAULT_SLAB_BYTES, pageSize);
  const slabLog = log2Exact(slabBytes);
  if (slabLog < shift || slabBytes > MAX_SLAB_BYTES)
    throwInvalid("slabBytes", slabBytes, `a power of two from pageSize (${pageSize}) to 1 GiB`);
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  if (typeof maxBytes !== "number" || !(maxBytes >= 0)) throwInvalid("maxBytes", maxBytes, "a number of bytes >= 0");
  const overcommit = overcommitOf(options.overcommit);
  const onOom = options.onOutOfMemory ?? null;
  if (onOom !== null && typeof onOom !== "function") throwInvalid("onOutOfMemory", onOom, "a function");
  const reclaimDropped = options.reclaimDropped ?? true;
  if (typeof reclaimDropped !== "boolean") throwInvalid("reclaimDropped", reclaimDropped, "a boolean");
  const shared = options.shared ?? false;
  if (typeof shared !== "boolean") throwInvalid("shared", shared, "a boolean");
  if (shared) checkSharedMemory();
  // A shared pool starts larger: its slabs travel with every handle (constants.ts).
  const initial = shared ? SHARED_INITIAL_SLAB_BYTES : INITIAL_SLAB_BYTES;
  const first = options.firstSlabBytes ?? Math.min(slabBytes, Math.max(initial, pageSize * 4));
  const firstLog = log2Exact(first);
  if (firstLog < shift || first > slabBytes)
    throwInvalid("firstSlabBytes", first, `a power of two from pageSize (${pageSize}) to slabBytes (${slabBytes})`);
  return {
    pageSize,
    pageShift: shift,
    slabShift: slabLog - shift,
    firstBytes: first,
    firstShift: firstLog - shift,
    maxBytes,
    overcommit,
    onOom,
    reclaimDropped,
    shared,
  };
}
