/**
 * The measured write loops of the fault group. As in `read-loops.ts`, each
 * variant is its own function taking its inputs as parameters, so no loop
 * closes over module bindings and no call site sees two receiver classes.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";

/** Baseline: `copyWithin` of `count` page-sized blocks from `src` to `dst` in one buffer. */
export function copyPagesWithin(u8: Uint8Array, src: number, dst: number, count: number, pageSize: number): void {
  for (let k = 0; k < count; k++) {
    const s = src + k * pageSize;
    u8.copyWithin(dst + k * pageSize, s, s + pageSize);
  }
}

/** Baseline: one native float64 store into each of `count` consecutive pages. */
export function storeOnePerPage(f64: Float64Array, count: number, elementsPerPage: number): void {
  for (let k = 0; k < count; k++) f64[k * elementsPerPage] = k;
}

/** First write to each of `count` consecutive pages of a fresh fork: one COW copy each. */
export function writeSequentialPagesCow(space: AddressSpace, count: number, pageSize: number): void {
  for (let k = 0; k < count; k++) space.setFloat64(k * pageSize, k);
}

/** First write to every `stride`-th page of a fresh fork: a COW copy plus a leaf path copy each. */
export function writeStridedPagesCow(space: AddressSpace, count: number, stride: number, pageSize: number): void {
  for (let k = 0; k < count; k++) space.setFloat64(k * stride * pageSize, k);
}

/** One write to one page of a fresh fork. */
export function writeOnce(space: AddressSpace, addr: number): void {
  space.setFloat64(addr, 1);
}

/** First write to each of `count` consecutive private pages after a TLB shootdown: reuse faults. */
export function writeSequentialPagesReuse(space: AddressSpace, count: number, pageSize: number): void {
  for (let k = 0; k < count; k++) space.setFloat64(k * pageSize, k);
}
