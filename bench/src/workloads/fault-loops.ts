/**
 * The measured write loops of W7's fault figures and W8's element writes. As
 * in `read-loops.ts`, each variant is its own function taking its inputs as
 * parameters, so no loop closes over module bindings and no call site sees two
 * receiver classes.
 *
 * @module
 */
import type { AddressSpace, ProxyView } from "@pagefork/core";

/** Baseline: `copyWithin` of `count` page-sized blocks from `src` to `dst` in one buffer. */
export function copyPagesWithin(u8: Uint8Array, src: number, dst: number, count: number, pageSize: number): void {
  for (let k = 0; k < count; k++) {
    const s = src + k * pageSize;
    u8.copyWithin(dst + k * pageSize, s, s + pageSize);
  }
}

/** First write to each of `count` consecutive pages of a fresh fork: one COW copy each. */
export function writeSequentialPagesCow(space: AddressSpace, count: number, pageSize: number): void {
  for (let k = 0; k < count; k++) space.setFloat64(k * pageSize, k);
}

/** First write to each of `count` consecutive private pages after a TLB shootdown: reuse faults. */
export function writeSequentialPagesReuse(space: AddressSpace, count: number, pageSize: number): void {
  for (let k = 0; k < count; k++) space.setFloat64(k * pageSize, k);
}

/** `a[i] = i + 0.5` over a native Float64Array. */
export function writeNativeSequential(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) a[i] = i + 0.5;
}

/** `setFloat64(i * 8, i + 0.5)` over a space whose pages are private (no fault after the first write per page). */
export function writeSpaceSequential(space: AddressSpace, n: number): void {
  for (let i = 0; i < n; i++) space.setFloat64(i * 8, i + 0.5);
}

/** `view[i] = i + 0.5` through a space's proxy view: one Proxy `set` trap per element. */
export function writeViewSequential(v: ProxyView<Float64Array<ArrayBuffer>>, n: number): void {
  for (let i = 0; i < n; i++) v[i] = i + 0.5;
}
