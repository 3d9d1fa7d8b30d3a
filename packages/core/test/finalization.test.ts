/**
 * Leak safety: a space dropped without `release()` is found by the garbage
 * collector and its frames, page-table nodes and commit charge return to the
 * pool through the FinalizationRegistry. Runs the collector explicitly
 * (`--expose-gc`, switched on at run time), and waits for the registry's
 * callbacks, which run in a later task.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, ReleasedError } from "../src/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collects garbage and yields until `done()` or `rounds` rounds of ~20 ms have passed. */
async function collectUntil(done: () => boolean, rounds = 100): Promise<boolean> {
  for (let i = 0; i < rounds && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return done();
}

/** Makes `n` versions with private pages and drops them all, without release. */
function dropVersions(pool: FramePool, n: number): void {
  let s = new AddressSpace({ size: 64 * 256, pool });
  for (let i = 0; i < n; i++) {
    const next = s.fork();
    next.setUint32((i % 64) * 256, i);
    s = next;
  }
}

describe("dropped spaces are reclaimed", () => {
  it("frames, page-table nodes and commit charge return to the pool", async () => {
    const pool = new FramePool({ pageSize: 256 });
    dropVersions(pool, 200);
    expect(pool.framesInUse).toBeGreaterThan(0);
    const ok = await collectUntil(() => pool.framesInUse === 0);
    expect(ok).toBe(true);
    expect(pool.stats()).toMatchObject({
      framesInUse: 0,
      pageTableNodes: 0,
      committedBytes: 0,
      spaces: 0,
      spacesReclaimed: 201,
    });
  });

  it("released spaces are not reclaimed twice; live ones keep their pages", async () => {
    const pool = new FramePool({ pageSize: 256 });
    const keep = new AddressSpace({ size: 4096, pool });
    keep.setUint8(0, 9);
    (() => {
      const a = keep.fork();
      a.setUint8(0, 1);
      a.release();
      const b = keep.fork();
      b.setUint8(256, 2); // dropped without release
    })();
    expect(await collectUntil(() => pool.stats().spacesReclaimed === 1)).toBe(true);
    expect(pool.stats()).toMatchObject({ framesInUse: 1, spaces: 1, spacesReclaimed: 1 });
    expect(keep.getUint8(0)).toBe(9);
    keep.release();
    expect(() => keep.getUint8(0)).toThrow(ReleasedError);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
  });

  it("with reclaimDropped: false nothing is reclaimed (release() is the only path)", async () => {
    const pool = new FramePool({ pageSize: 256, reclaimDropped: false });
    dropVersions(pool, 20);
    const frames = pool.framesInUse;
    await collectUntil(() => false, 10);
    expect(pool.framesInUse).toBe(frames);
    expect(pool.stats().spacesReclaimed).toBe(0);
  });
});
