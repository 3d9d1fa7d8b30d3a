/**
 * Helpers of the methods that return a new array (`map`, `filter`, `slice`,
 * `with`, `toSorted`, `toReversed`): filling the new array, and releasing it
 * when filling throws, so a failed call leaks no frame.
 *
 * @module
 */
import { CHUNK_BYTES, writeFrom } from "./bulk.js";
import type { NativeTypedArray } from "./kinds.js";
import { type AnyCallback, forward } from "./scan.js";
import type { ElementView } from "./view.js";

/** Runs `fill`, then returns `out`; frees (releases) `out` and rethrows if `fill` throws. */
export function fillFrom<T extends { free(): void }>(out: T, fill: () => void): T {
  try {
    fill();
  } catch (e) {
    out.free();
    throw e;
  }
  return out;
}

/**
 * Writes `fn(value, index, self)` of each element of `src` into `out` (same
 * length and kind), converted by a native buffer of the kind and written one
 * chunk at a time: a bigint for a number kind throws the native TypeError.
 */
export function mapInto(src: ElementView, out: ElementView, fn: AnyCallback, thisArg: unknown): void {
  const len = src.len;
  const buf = new src.kind.Native(Math.min(len, CHUNK_BYTES >>> src.kind.shift)) as unknown as unknown[];
  let n = 0;
  let at = 0;
  forward(src, 0, len, (v, k) => {
    buf[n++] = fn.call(thisArg, v, k, src);
    if (n === buf.length) {
      writeFrom(out, at, buf as unknown as NativeTypedArray);
      at += n;
      n = 0;
    }
    return false;
  });
  if (n > 0) writeFrom(out, at, (buf as unknown as NativeTypedArray).subarray(0, n) as NativeTypedArray);
}

/**
 * `fn(value, index, self)` of each element of `src`, converted to its kind,
 * as a new native array: the callbacks all run before anything is allocated
 * (the embedded `map`, whose callbacks may use the heap it allocates from).
 */
export function mapToNative(src: ElementView, fn: AnyCallback, thisArg: unknown): NativeTypedArray {
  const out = new src.kind.Native(src.len) as unknown as unknown[];
  forward(src, 0, src.len, (v, k) => {
    out[k] = fn.call(thisArg, v, k, src);
    return false;
  });
  return out as unknown as NativeTypedArray;
}
