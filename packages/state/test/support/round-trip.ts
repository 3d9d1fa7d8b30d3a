/**
 * The check that closes most patch tests: the patches of a produce take its
 * base to its result and the inverse patches take the result back (applied
 * with `applyPatches`), then every version is released and the pool holds
 * no frame.
 */
import type { FramePool } from "@pagefork/core";
import { applyPatches, type Patch, type State } from "@pagefork/state";
import { expect } from "vitest";

/**
 * Expects `applyPatches(s0, patches)` to equal `s1` and `applyPatches(s1,
 * inverse)` to equal `s0` (as JSON), then releases the four versions and
 * expects `pool` to hold no frame (every version of `pool` must be among them).
 */
export function expectRoundTrip<S extends State>(
  pool: FramePool,
  s0: S,
  s1: S,
  patches: readonly Patch[],
  inverse: readonly Patch[],
): void {
  const replayed = applyPatches(s0, patches);
  expect(replayed.toJSON()).toEqual(s1.toJSON());
  const back = applyPatches(s1, inverse);
  expect(back.toJSON()).toEqual(s0.toJSON());
  for (const s of [replayed, back, s1, s0]) s.release();
  expect(pool.framesInUse).toBe(0);
}
