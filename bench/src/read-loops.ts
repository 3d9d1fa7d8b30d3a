/**
 * The measured read loops. Each loop is its own top-level function that takes
 * everything it touches as parameters: a loop at module top level, or one that
 * closes over module-level `let`/`const` bindings, runs several times slower in
 * V8 (every access is a context load with a TDZ check). Each function also sees
 * one receiver class only (an `AddressSpace`, or a `Float64Array`), so its
 * property accesses and calls stay monomorphic: the native and the space
 * variants never share a call site.
 *
 * Every loop returns its sum so that the work cannot be optimised away, and
 * so that the callers can check that every variant read the same numbers.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";

/** Baseline: sequential sum of `n` elements of a native Float64Array. */
export function sumNativeSequential(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] as number;
  return s;
}

/** Sequential sum of `n` float64s through `getFloat64` (one call per element). */
export function sumGetFloat64Sequential(space: AddressSpace, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += space.getFloat64(i << 3);
  return s;
}

/** Sequential sum of `n` float64s through the page-span read cursor (raw slab slices). */
export function sumSpans(space: AddressSpace, n: number): number {
  let s = 0;
  for (const c = space.spans(Float64Array, 0, n); c.next(); ) {
    const a = c.array;
    const end = c.end;
    for (let i = c.start; i < end; i++) s += a[i] as number;
  }
  return s;
}

/** Baseline: sum of native elements at precomputed random indices. */
export function sumNativeRandom(a: Float64Array, idx: Int32Array): number {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += a[idx[i] as number] as number;
  return s;
}

/** Sum of float64s at the same precomputed random indices, through `getFloat64`. */
export function sumGetFloat64Random(space: AddressSpace, idx: Int32Array): number {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += space.getFloat64((idx[i] as number) << 3);
  return s;
}
