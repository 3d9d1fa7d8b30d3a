/**
 * The frame pool's counters as one snapshot: `FramePool.stats()` (and with it
 * `toJSON()` and the `console.log` form) is this, delegated. The
 * {@link FramePoolStats} type it fills lives in pool-options.ts, with the
 * pool's other public types.
 *
 * @module
 */
import type { FramePool } from "./frame-pool.js";
import type { FramePoolStats } from "./pool-options.js";

/** `pool.stats()`: a snapshot of the counters, after sweeping released share pins. O(slabs). @internal */
export function poolStats(pool: FramePool): FramePoolStats {
  if (pool.shares !== null) pool.shares.sweep();
  let reserved = 0;
  // Whole frames: a shared slab's buffer has a 16-byte fingerprint past them (share-format.ts).
  for (const s of pool.slabs) reserved += (s.buffer.byteLength >>> pool.pageShift) * pool.pageSize;
  const overflowBytes = pool.refOverflow.byteLength;
  return {
    pageSize: pool.pageSize,
    framesInUse: pool.inUse,
    bytesInUse: pool.inUse * pool.pageSize,
    peakBytesInUse: pool.peak * pool.pageSize,
    bytesReserved: reserved,
    framesFree: pool.freeTop + (pool.capacity - pool.nextPfn),
    pageTableNodes: pool.pt.nodesInUse,
    pageTableBytes: pool.pt.bytesInUse,
    metadataBytesPerFrame:
      (pool.refcount.byteLength + pool.freeList.byteLength + overflowBytes) / Math.max(1, pool.capacity),
    overflowRefcounts: pool.refOverflow.size,
    maxBytes: pool.maxBytes,
    overcommit: pool.overcommit,
    committedBytes: pool.commit[0] as number,
    peakCommittedBytes: pool.commit[1] as number,
    spaces: pool.spaces.live,
    spacesReclaimed: pool.spaces.reclaimed,
    sharedHandles: pool.shares === null ? 0 : pool.shares.outstanding,
  };
}
