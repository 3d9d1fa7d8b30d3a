/**
 * The reservation check before writes: the one path by which every writer
 * (the space's own bulk writes, page spans and faults, the heap, and the
 * structures of the other packages through {@link AddressSpace.reserveFrames})
 * makes sure the pool can supply the frames a write will take, before the
 * write changes anything. So the pool's `onOutOfMemory` hook runs, and the
 * errors are the same, whatever structure writes:
 * - {@link OutOfMemoryError} when the frames cannot be had even after the hook;
 * - {@link ReleasedError} when the hook released the very space written to
 *   (the caller must then stop: frames faulted into a released space would
 *   never be given back).
 *
 * The fast path is one comparison with `pool.framesAvailable()`; only near
 * the limit are pages counted one by one (`PageTable.needsFrame`).
 *
 * @module
 */
import { throwInvalid, throwReleased, throwSegv } from "./errors.js";
import { type SpaceState, vpnOf } from "./space-state.js";

/**
 * Throws unless the pool of `s` can supply `n` frames now, after giving the
 * out-of-memory hook one chance (see the module comment). Changes nothing.
 * O(1) plus the hook when it runs.
 */
export function reserveFrames(s: SpaceState, n: number): void {
  if (n <= 0 || n <= s.pool.framesAvailable()) return;
  s.pool.requireFrames(n, s);
}

/**
 * Frames a write to every byte of `[addr, addr + length)` (inside the
 * space, length > 0) would take now. O(pages x levels), reads only.
 */
function countFrames(s: SpaceState, addr: number, length: number): number {
  const last = vpnOf(s, addr + length - 1);
  let need = 0;
  for (let vpn = vpnOf(s, addr); vpn <= last; vpn++) if (s.pool.pt.needsFrame(s.root, s.levels, vpn)) need++;
  return need;
}

/** Reserves (as {@link reserveFrames}) the frames of a write to `[addr, addr + length)`, range already checked. */
export function reserveForWrite(s: SpaceState, addr: number, length: number): void {
  const pool = s.pool;
  if (length === 0 || pool.maxBytes === Number.POSITIVE_INFINITY) return;
  const first = vpnOf(s, addr);
  const last = vpnOf(s, addr + length - 1);
  if (last - first + 1 <= pool.framesAvailable()) return; // cannot fail
  reserveFrames(s, countFrames(s, addr, length));
}

/**
 * Frames a write to every byte of `[addr, addr + length)` would take now: the
 * pages there that map the zero frame, or whose frame or page-table path is
 * shared with another space. Mappings are not consulted (an unmapped page
 * reads as the zero frame). Validates its arguments; reads only.
 */
export function framesForWrite(s: SpaceState, addr: number, length: number): number {
  if (s.isReleased) throwReleased("address space");
  if (typeof addr !== "number" || !Number.isInteger(addr)) throwInvalid("address", addr, "an integer byte address");
  if (typeof length !== "number" || !Number.isInteger(length) || length < 0)
    throwInvalid("length", length, "an integer number of bytes >= 0");
  if (addr < 0 || addr + length > s.size) throwSegv(addr, length, s.size);
  return length === 0 ? 0 : countFrames(s, addr, length);
}

/** `space.reserveFrames(frames)`: validates, then {@link reserveFrames}. */
export function reserveFramesChecked(s: SpaceState, frames: number): void {
  if (s.isReleased) throwReleased("address space");
  if (typeof frames !== "number" || !Number.isSafeInteger(frames) || frames < 0)
    throwInvalid("frames", frames, "a non-negative integer number of frames");
  reserveFrames(s, frames);
}
