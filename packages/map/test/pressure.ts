/**
 * Memory pressure for the model tests: a ballast space that holds all but a
 * few of the frames a pool's `maxBytes` allows, so the collections under test
 * work at the limit and their writes are refused (OutOfMemoryError) at
 * varied points; and `refusable`, which checks that a refused call changed
 * nothing.
 */
import { AddressSpace, type FramePool, OutOfMemoryError } from "@pagefork/core";
import fc from "fast-check";
import { expect } from "vitest";

/** A space of `pool` whose pages take frames away from the collections under test. */
export class Ballast {
  space: AddressSpace | null = null;
  constructor(readonly pool: FramePool) {}

  /** Releases the previous ballast, then takes all but `leave` of the frames the pool still allows. No-op without a limit. */
  squeeze(leave: number): void {
    this.release();
    const n = this.pool.framesAvailable() - leave;
    if (!Number.isFinite(n) || n <= 0) return;
    const ps = this.pool.pageSize;
    const b = new AddressSpace({ size: n * ps, pool: this.pool });
    for (let i = 0; i < n; i++) b.setUint8(i * ps, 1);
    this.space = b;
  }

  release(): void {
    this.space?.release();
    this.space = null;
  }
}

/** A command that squeezes the ballast of the real side to leave `leave` frames free. */
export class SqueezeCmd<M extends object> implements fc.Command<M, { ballast: Ballast }> {
  constructor(readonly leave: number) {}
  check = () => true;
  run(_m: M, r: { ballast: Ballast }): void {
    r.ballast.squeeze(this.leave);
  }
  toString = () => `squeeze(${this.leave})`;
}

/** Squeeze commands for `fc.commands`. */
export function squeezes<M extends object>(): fc.Arbitrary<SqueezeCmd<M>> {
  return fc.integer({ min: 0, max: 8 }).map((n) => new SqueezeCmd<M>(n));
}

/**
 * Runs `op`; when the pool refuses it with OutOfMemoryError, checks that the
 * pool holds the frames it held before (unless `exactFrames` is false) and
 * runs `unchanged` (which compares the collection with its model), then
 * returns false. Other errors go on.
 */
export function refusable(pool: FramePool, op: () => void, unchanged: () => void, exactFrames = true): boolean {
  const frames = pool.framesInUse;
  try {
    op();
    return true;
  } catch (e) {
    if (!(e instanceof OutOfMemoryError)) throw e;
    if (exactFrames) expect(pool.framesInUse).toBe(frames);
    unchanged();
    return false;
  }
}
