/**
 * Write reservation for heap operations: "a call that throws changes nothing".
 *
 * A heap operation first plans (reads only) and records every byte range it
 * will write; then {@link reserveWrites} refuses, with OutOfMemoryError, an
 * operation the pool could not complete; only then does the operation write.
 * The fast path is one comparison: when the pool has at least as many frames
 * available as pages touched (always so without `maxBytes`), nothing more is
 * done. Near the limit it counts, page by page, the writes that really need a
 * frame (zero-fill or copy), as the bulk writes of the core do.
 *
 * State is module-level scratch (JS is single-threaded and heap operations do
 * not nest), so recording costs no allocation.
 *
 * @module
 */
import { reserveFrames } from "../reserve.js";
import { type SpaceState, vpnOf } from "../space-state.js";

const MAX_RANGES = 32;
const rangeStart = new Float64Array(MAX_RANGES);
const rangeLen = new Float64Array(MAX_RANGES);
let ranges = 0;
/** Upper bound of the distinct pages recorded. */
let bound = 0;
let overflow = false;

/** Starts recording the writes of one operation. */
export function beginWrites(): void {
  ranges = 0;
  bound = 0;
  overflow = false;
}

/** Records a write inside the page holding byte `addr`. */
export function touch(addr: number): void {
  if (ranges < MAX_RANGES) {
    rangeStart[ranges] = addr;
    rangeLen[ranges] = 1;
    ranges++;
  } else overflow = true;
  bound++;
}

/** Records writes to bytes `[addr, addr + len)`. */
export function touchRange(addr: number, len: number, pageSize: number): void {
  if (len <= 0) return;
  if (ranges < MAX_RANGES) {
    rangeStart[ranges] = addr;
    rangeLen[ranges] = len;
    ranges++;
  } else overflow = true;
  bound += Math.floor((addr + len - 1) / pageSize) - Math.floor(addr / pageSize) + 1;
}

/**
 * Throws OutOfMemoryError unless `space`'s pool can supply every frame the
 * recorded writes need, and ReleasedError when the out-of-memory hook released
 * `space` itself. Changes nothing.
 */
export function reserveWrites(space: SpaceState): void {
  if (space.pool.framesAvailable() >= bound) return;
  reserveExactly(space);
}

/** Slow path: counts the distinct recorded pages that need a frame. */
function reserveExactly(space: SpaceState): void {
  if (overflow) {
    reserveFrames(space, bound);
    return;
  }
  const vpns = new Float64Array(bound);
  let n = 0;
  for (let i = 0; i < ranges; i++) {
    const start = rangeStart[i] as number;
    const last = vpnOf(space, start + (rangeLen[i] as number) - 1);
    for (let v = vpnOf(space, start); v <= last; v++) vpns[n++] = v;
  }
  vpns.subarray(0, n).sort();
  let need = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const v = vpns[i] as number;
    if (v === prev) continue;
    prev = v;
    if (space.pool.pt.needsFrame(space.root, space.levels, v)) need++;
  }
  reserveFrames(space, need);
}
