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
 * @module
 */
import { type AddressSpace, type Mapping, ProtectionFault, SegmentationFault } from "@pagefork/core";

/**
 * Throws unless the pool of `space` can supply `frames` frames now (after
 * the out-of-memory hook's one chance) and, when the hook ran, the space is
 * still writable wherever it was before. O(1) unless the pool is short, then
 * O(mappings) besides the hook. Changes nothing, except what the hook does.
 * @throws {OutOfMemoryError} when the frames cannot be had.
 * @throws {ReleasedError} when the hook released `space`.
 * @throws {ProtectionFault} when the hook froze the space or write-protected part of it.
 * @throws {SegmentationFault} when the hook unmapped part of it.
 */
export function reserveFrames(space: AddressSpace, frames: number): void {
  if (frames <= space.pool.framesAvailable()) return; // the hook cannot run
  const before = space.mappings();
  space.reserveFrames(frames);
  if (space.frozen) throw new ProtectionFault(0, 1, "the address space was frozen (by the out-of-memory hook)");
  const now = space.mappings();
  if (!sameMappings(before, now)) checkStillWritable(before, now);
}

function sameMappings(a: readonly Mapping[], b: readonly Mapping[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Mapping;
    const y = b[i] as Mapping;
    if (x.start !== y.start || x.end !== y.end || x.protection !== y.protection) return false;
  }
  return true;
}

/** Throws at the first byte a read-write mapping of `before` held that no read-write mapping of `now` holds. */
function checkStillWritable(before: readonly Mapping[], now: readonly Mapping[]): void {
  for (const b of before) {
    if (b.protection !== "read-write") continue;
    for (let x = b.start; x < b.end; ) {
      const m = now.find((n) => n.start <= x && x < n.end);
      if (m === undefined)
        throw new SegmentationFault(
          x,
          1,
          `address ${x} is not inside any mapping (unmapped by the out-of-memory hook)`,
        );
      if (m.protection !== "read-write")
        throw new ProtectionFault(
          x,
          1,
          `address ${x} is in a read-only mapping (write-protected by the out-of-memory hook)`,
        );
      x = m.end;
    }
  }
}
