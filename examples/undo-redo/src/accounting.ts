/**
 * What the history costs: memory of all versions (pool, page tables, process
 * RSS, JS heap) and the faults the edits took.
 *
 * @module
 */
import type { FramePool, SpaceStats } from "@pagefork/core";
import type { SingleBar } from "cli-progress";
import type { TextHistory, TextVersion } from "./replay.js";

/** Fault counters summed over every version; counts and bytes. */
export interface FaultTotals {
  /** Faults served by clearing a fresh frame. */
  readonly zeroFillFaults: number;
  /** Faults served by copying a shared frame. */
  readonly copyFaults: number;
  /** Faults served without a copy (the frame had refcount 1). */
  readonly reuseFaults: number;
  /** All faults. */
  readonly faults: number;
  /** Bytes copied by copy faults. */
  readonly bytesCopied: number;
  /** Bytes of page-table nodes created by faults. */
  readonly pageTableBytesCopied: number;
  /** Bytes the library asked its spaces to write. */
  readonly bytesWritten: number;
  /** `bytesCopied / bytesWritten` (0 when nothing was written). */
  readonly writeAmplification: number;
  /** Seconds the summing pass took (outside the timed replay). */
  readonly statsSeconds: number;
}

/**
 * The edits whose faults {@link sumFaultCounters} sums: one per kept version but version 0
 * (no edit made it). With `--max-versions` the released versions took their counters with them,
 * so a per-edit figure must divide by this, not by the edits replayed.
 *
 * @param editsReplayed - edits replayed (the newest version's number).
 * @param firstVersion - the oldest version kept.
 */
export function editsCounted(editsReplayed: number, firstVersion: number): number {
  return firstVersion === 0 ? editsReplayed : editsReplayed - firstVersion + 1;
}

/**
 * Sums the fault counters of every version's space held by the history.
 *
 * Counters are per space and a fork starts at zero, so the history's total is
 * the sum over all versions; because the replay edits each new fork exactly
 * once, version `v`'s counters are the faults of edit `v`. The sum is taken
 * here, after the timed loop, with `stats()`, the only public way to read
 * them; `stats()` also walks the version's page table (O(nodes) each, a few
 * seconds over 259,779 versions), which is why it is never called inside the
 * replay loop. With `--max-versions`, the evicted versions' counters went
 * with them: the totals cover the versions held.
 *
 * @param history - the history.
 * @param progress - where to report progress (updated every ~1%).
 */
export function sumFaultCounters(history: TextHistory, progress?: SingleBar): FaultTotals {
  let zeroFill = 0;
  let copy = 0;
  let reuse = 0;
  let copied = 0;
  let ptCopied = 0;
  let written = 0;
  const n = history.size;
  const step = Math.max(1, Math.ceil(n / 100));
  progress?.start(n, 0, { label: "sum fault counters" });
  const t0 = performance.now();
  let i = 0;
  for (const version of history) {
    const s = version.space.stats();
    zeroFill += s.zeroFillFaults;
    copy += s.copyFaults;
    reuse += s.reuseFaults;
    copied += s.bytesCopied;
    ptCopied += s.pageTableBytesCopied;
    written += s.bytesWritten;
    if (++i % step === 0) progress?.update(i);
  }
  progress?.stop();
  return {
    zeroFillFaults: zeroFill,
    copyFaults: copy,
    reuseFaults: reuse,
    faults: zeroFill + copy + reuse,
    bytesCopied: copied,
    pageTableBytesCopied: ptCopied,
    bytesWritten: written,
    writeAmplification: written === 0 ? 0 : copied / written,
    statsSeconds: (performance.now() - t0) / 1000,
  };
}

/** Memory of the whole history, in bytes, measured right after the replay. */
export interface MemoryFigures {
  /** Bytes of frames in use by all versions (`pool.stats().bytesInUse`). */
  readonly poolBytesInUse: number;
  /** Highest `poolBytesInUse` seen. */
  readonly poolPeakBytesInUse: number;
  /** Bytes of ArrayBuffer the pool's slabs hold (in use, free and not yet used). */
  readonly poolBytesReserved: number;
  /** Frames in use. */
  readonly framesInUse: number;
  /** Page-table nodes in use, shared among versions. */
  readonly pageTableNodes: number;
  /** Bytes of those nodes. */
  readonly pageTableBytes: number;
  /** Refcount and free-list bytes the pool keeps per frame in use. */
  readonly frameMetadataBytes: number;
  /** `poolBytesInUse + pageTableBytes + frameMetadataBytes`: the library's memory for all versions. */
  readonly versionsBytes: number;
  /** Process resident set size (`process.memoryUsage().rss`). */
  readonly rssBytes: number;
  /** JS heap in use after a full GC (`heapUsed`), trace and history included. */
  readonly heapUsedBytes: number;
  /** `heapUsedBytes` minus the heap in use after a full GC just before the replay: the history's JS objects. */
  readonly heapHistoryBytes: number;
  /** Memory outside the JS heap held by JS objects (`external`; includes the slabs). */
  readonly externalBytes: number;
  /** Whether `global.gc` was available (run node with `--expose-gc`); if not, heap figures include garbage. */
  readonly gcExposed: boolean;
}

/**
 * Runs a full garbage collection when node was started with `--expose-gc`.
 * @returns whether it could.
 */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return false;
  gc();
  gc();
  return true;
}

/** `heapUsed` after a full GC: the baseline {@link measureMemory} subtracts. */
export function heapBaseline(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/**
 * Measures the memory of the history after a full GC.
 *
 * @param pool - the pool every version lives in.
 * @param baselineHeapBytes - {@link heapBaseline} taken just before the replay.
 */
export function measureMemory(pool: FramePool, baselineHeapBytes: number): MemoryFigures {
  const gcExposed = collectGarbage();
  const mem = process.memoryUsage();
  const p = pool.stats();
  const frameMetadataBytes = p.framesInUse * p.metadataBytesPerFrame;
  return {
    poolBytesInUse: p.bytesInUse,
    poolPeakBytesInUse: p.peakBytesInUse,
    poolBytesReserved: p.bytesReserved,
    framesInUse: p.framesInUse,
    pageTableNodes: p.pageTableNodes,
    pageTableBytes: p.pageTableBytes,
    frameMetadataBytes,
    versionsBytes: p.bytesInUse + p.pageTableBytes + frameMetadataBytes,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    heapHistoryBytes: mem.heapUsed - baselineHeapBytes,
    externalBytes: mem.external,
    gcExposed,
  };
}

/** The space statistics of one version (RSS/PSS/USS as Linux reports them). O(its page-table nodes). */
export function versionStats(version: TextVersion): SpaceStats {
  return version.space.stats();
}
