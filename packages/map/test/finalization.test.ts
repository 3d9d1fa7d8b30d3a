/**
 * Versions of a map or set dropped without `release()` are collected and
 * their frames return to the pool through the core's FinalizationRegistry:
 * nothing a table shares with its forks (its constants record) keeps a
 * dropped version's space alive.
 */
import { FramePool } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { collectUntil } from "../../../test/support/collect.js";
import { CowMap, CowSet, MAP_PAGE_SIZE } from "../src/index.js";

describe("dropped map and set versions are reclaimed", () => {
  it("the frames of map forks dropped without release() return to the pool; the kept version is intact", async () => {
    const pool = new FramePool({ pageSize: MAP_PAGE_SIZE });
    const base = new CowMap<string, number>(null, { pool });
    for (let i = 0; i < 500; i++) base.set(`k${i}`, i);
    const baseFrames = pool.framesInUse;
    (() => {
      let m = base;
      for (let i = 0; i < 2000; i++) {
        const next = m.fork(); // past the core's registration nursery
        next.set(`k${i % 500}`, -i);
        m = next;
      }
    })();
    expect(pool.framesInUse).toBeGreaterThan(baseFrames);
    expect(await collectUntil(() => pool.framesInUse === baseFrames)).toBe(true);
    expect(pool.stats()).toMatchObject({ spaces: 1, spacesReclaimed: 2000 });
    expect([base.size, base.get("k7"), base.get("k499")]).toEqual([500, 7, 499]);
    base.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
  });

  it("a dropped set and its fork are reclaimed", async () => {
    const pool = new FramePool({ pageSize: MAP_PAGE_SIZE });
    (() => {
      const s = new CowSet<number>([1, 2, 3], { pool });
      s.fork().add(4);
    })();
    expect(pool.framesInUse).toBeGreaterThan(0);
    expect(await collectUntil(() => pool.framesInUse === 0)).toBe(true);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, spaces: 0, spacesReclaimed: 2 });
  });
});
