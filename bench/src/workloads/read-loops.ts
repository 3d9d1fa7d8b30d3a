/**
 * The measured read loops of W2, W7 and W8. Each loop is its own top-level
 * function that takes everything it touches as parameters: a loop at module
 * top level, or one that closes over module-level `let`/`const` bindings, runs
 * several times slower in V8 (every access is a context load with a TDZ
 * check). Each function also sees one receiver class only, so its property
 * accesses and calls stay monomorphic: no two libraries share a function or a
 * call site.
 *
 * Every loop returns its sum so that the work cannot be optimised away and so
 * that the caller can check that every variant read the same numbers.
 *
 * @module
 */
import type { CowFloat64Array } from "@pagefork/array";
import type { AddressSpace, ProxyView } from "@pagefork/core";
import type { List } from "immutable";

/** Sequential sum of `n` elements of a native Float64Array. */
export function sumNativeSequential(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] as number;
  return s;
}

/** Sum of native elements at precomputed random indices. */
export function sumNativeRandom(a: Float64Array, idx: Int32Array): number {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += a[idx[i] as number] as number;
  return s;
}

/** `for..of` over a native Float64Array. */
export function sumNativeIterate(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

/** Sequential sum over a plain Array of numbers. */
export function sumArraySequential(a: number[], n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] as number;
  return s;
}

/** Random reads from a plain Array. */
export function sumArrayRandom(a: number[], idx: Int32Array): number {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += a[idx[i] as number] as number;
  return s;
}

/** `for..of` over a plain Array. */
export function sumArrayIterate(a: number[]): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

/** Sequential `getFloat64(i << 3)` over a space (one call per element). */
export function sumSpaceSequential(space: AddressSpace, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += space.getFloat64(i * 8);
  return s;
}

/** Random `getFloat64` reads at precomputed indices. */
export function sumSpaceRandom(space: AddressSpace, idx: Int32Array): number {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += space.getFloat64((idx[i] as number) * 8);
  return s;
}

/** Sequential sum through the page-span read cursor: one raw slab slice per page. */
export function sumSpaceSpans(space: AddressSpace, n: number): number {
  let s = 0;
  for (const c = space.spans(Float64Array, 0, n); c.next(); ) {
    const a = c.array;
    const end = c.end;
    for (let i = c.start; i < end; i++) s += a[i] as number;
  }
  return s;
}

/** Sequential `view[i]` over a space's proxy view: one Proxy `get` trap per element. */
export function sumViewSequential(v: ProxyView<Float64Array<ArrayBuffer>>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i] as number;
  return s;
}

/**
 * W8's alternative to `diff`: every page of two spaces compared 4 bytes at a
 * time through page spans (a float64 `!==` is no byte comparison: NaN, -0);
 * the byte addresses of the pages that differ.
 */
export function diffPagesByBytes(a: AddressSpace, b: AddressSpace, bytes: number): number[] {
  const out: number[] = [];
  const n = bytes / 4;
  const cb = b.spans(Int32Array, 0, n);
  for (const ca = a.spans(Int32Array, 0, n); ca.next(); ) {
    cb.next();
    const x = ca.array;
    const y = cb.array;
    const d = cb.start - ca.start;
    const end = ca.end;
    for (let i = ca.start; i < end; i++)
      if (x[i] !== y[i + d]) {
        out.push(ca.address);
        break;
      }
  }
  return out;
}

/** Sequential `get(i)` over a CowFloat64Array. */
export function sumCowSequential(a: CowFloat64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a.get(i) as number;
  return s;
}

/** Random `get` reads from a CowFloat64Array. */
export function sumCowRandom(a: CowFloat64Array, idx: Int32Array): number {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += a.get(idx[i] as number) as number;
  return s;
}

/** `for..of` over a CowFloat64Array. */
export function sumCowIterate(a: CowFloat64Array): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

/** Sequential `get(i)` over an Immutable.js List. */
export function sumListSequential(a: List<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a.get(i) as number;
  return s;
}

/** Random `get` reads from an Immutable.js List. */
export function sumListRandom(a: List<number>, idx: Int32Array): number {
  let s = 0;
  const n = idx.length;
  for (let i = 0; i < n; i++) s += a.get(idx[i] as number) as number;
  return s;
}

/** `for..of` over an Immutable.js List. */
export function sumListIterate(a: List<number>): number {
  let s = 0;
  for (const x of a) s += x;
  return s;
}

/** The reducer every `reduce` variant uses. */
export function add(s: number, x: number): number {
  return s + x;
}
