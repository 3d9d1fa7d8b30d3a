/**
 * The measured write loops of W7's fault figures. As in `read-loops.ts`, each
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

/** First write to each of `count` consecutive pages of a fresh fork: one COW copy each. */
export function writeSequentialPagesCow(space: AddressSpace, count: number, pageSize: number): void {
  for (let k = 0; k < count; k++) space.setFloat64(k * pageSize, k);
}

/** First write to each of `count` consecutive private pages after a TLB shootdown: reuse faults. */
export function writeSequentialPagesReuse(space: AddressSpace, count: number, pageSize: number): void {
  for (let k = 0; k < count; k++) space.setFloat64(k * pageSize, k);
}
