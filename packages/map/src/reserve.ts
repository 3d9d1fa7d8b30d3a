/**
 * The one reservation every CowMap/CowSet write makes before it changes
 * anything: `space.reserveFrames` (the core's check, which runs the pool's
 * out-of-memory hook once when the pool is short), then a check that the
 * hook left the space writable.
 *
 * The hook is user code. A write counts its pages as upper bounds (every page
 * it may touch needs a frame, shared or not), so a hook that forks the space
 * needs nothing more. But a hook that freezes the space, or unmaps or
 * write-protects part of it, stopped the write at the first page there, its
 * earlier steps done (an embedded `clear()` freed the data block and then
 * failed to write the header: the entries were gone and the call threw).
 * So after the hook the space must still be writable wherever it was
 * before; otherwise the write is refused, having changed nothing. A write
 * does not list its pages, so any such change refuses it.
 *
 * And a hook that writes a map or set itself: a write's key and value are
 * encoded into module scratch (the probe, the pending value) before it
 * reserves, and its table's plan (buckets, log end) read; a `set` made in
 * the hook reused that scratch, so the waiting `set` wrote the hook's key
 * again (a map holding "hook" twice and not the key it was asked to set).
 * Every write bumps {@link generation} as it reserves, whatever its pool, so
 * the waiting write sees one made in the hook and is refused instead
 * (OutOfMemoryError, nothing changed, "call again").
 *
 * @module
 */
import { type AddressSpace, OutOfMemoryError } from "@pagefork/core";

/** Map and set writes that reserved so far (all tables, all pools): one made in the hook changes it. */
let generation = 0;

/** What the reservation reads of a table: its write generation. */
interface Written {
  readonly writes: number;
}

/**
 * Throws unless the pool of `space` can supply `frames` frames now (after
 * the out-of-memory hook's one chance) for a write of table `t` (null: one
 * being made) and, when the hook ran, no map or set was written meanwhile
 * and the space is still writable wherever it was before. Every map or set
 * write calls it once before it changes anything, even in a pool without
 * a limit. O(1) unless the pool is short, then O(mappings) besides the
 * hook. Changes nothing, except what the hook does.
 * @throws {OutOfMemoryError} when the frames cannot be had, or the hook wrote a map or set.
 * @throws {ReleasedError} when the hook released `space`.
 * @throws {ProtectionFault} when the hook froze the space or write-protected part of it.
 * @throws {SegmentationFault} when the hook unmapped part of it.
 */
export function reserveFrames(space: AddressSpace, frames: number, t: Written | null): void {
  const g = ++generation;
  const pool = space.pool;
  if (frames <= pool.framesAvailable()) return; // the hook cannot run (always so without a limit)
  const writes = t === null ? 0 : t.writes;
  const before = space.mappings();
  space.reserveFrames(frames);
  if (generation !== g || (t !== null && t.writes !== writes))
    throw new OutOfMemoryError(
      frames * pool.pageSize,
      "the onOutOfMemory hook wrote a CowMap or CowSet while this call waited for frames; nothing changed, call again",
    );
  for (const b of before) if (b.protection === "read-write") space.checkWritable(b.start, b.end - b.start);
}
