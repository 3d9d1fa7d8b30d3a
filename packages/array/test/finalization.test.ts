/**
 * Versions of an array dropped without `release()` are collected and their
 * frames return to the pool through the core's FinalizationRegistry: nothing
 * an array's handle shares with its forks keeps a dropped version's space
 * alive (a standalone array is its own views' owner, so a dropped fork
 * takes its owner's counters with it).
 */
import { FramePool } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";
import { ARRAY_PAGE_SIZE, CowFloat64Array, CowVector } from "../src/index.js";

/** Forks `base` `n` times in a chain, writing one element per fork, and drops every fork. */
function dropForks(base: CowFloat64Array, n: number): void {
  let a = base;
  for (let i = 0; i < n; i++) {
    const next = a.fork();
    next.set((i * 131) % next.length, i);
    a = next;
  }
}

describe("dropped array versions are reclaimed", () => {
  it("the frames of forks dropped without release() return to the pool; the kept version is intact", async () => {
    const pool = new FramePool({ pageSize: ARRAY_PAGE_SIZE });
    const base = new CowFloat64Array(10_000, { pool });
    base.fill(0.5);
    const baseFrames = pool.framesInUse;
    dropForks(base, 3000); // past the core's registration nursery
    expect(pool.framesInUse).toBeGreaterThan(baseFrames);
    expect(await collectUntil(() => pool.framesInUse === baseFrames)).toBe(true);
    expect(pool.stats()).toMatchObject({ spaces: 1, spacesReclaimed: 3000 });
    expect(base.every((x) => x === 0.5)).toBe(true);
    base.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
  });

  it("a dropped vector, and a dropped array with its subarray view, are reclaimed", async () => {
    const pool = new FramePool({ pageSize: ARRAY_PAGE_SIZE });
    (() => {
      const v = new CowVector(Float64Array, { pool });
      v.push(1, 2, 3);
      const f = v.fork();
      f.push(4);
      const a = new CowFloat64Array(1000, { pool });
      a.fill(1);
      void a.subarray(1, 3).fill(2);
    })();
    expect(pool.framesInUse).toBeGreaterThan(0);
    expect(await collectUntil(() => pool.framesInUse === 0)).toBe(true);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0, spacesReclaimed: 3 });
  });
});
