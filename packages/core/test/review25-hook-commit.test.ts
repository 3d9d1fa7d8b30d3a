/**
 * The commit charge when the out-of-memory hook, run by a refused charge,
 * changes the mappings of the space being forked or mapped into. `fork()`
 * charged the parent's mapped bytes as they were before the hook, while the
 * child recorded (and at release uncharged) what it maps after: the
 * difference stayed charged forever. `map()` built its new mapping list on
 * the list from before the hook, undoing the hook's `unmap` (the range
 * mapped again, uncharged): the charge went negative once every space was
 * released, and the pool's commit limit loosened for good.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";

const PS = 256;

describe("commit charge when the out-of-memory hook changes the mappings of the space charged", () => {
  it("fork(): the child is charged what it maps after the hook", () => {
    const box: { s: AddressSpace | null; armed: boolean } = { s: null, armed: false };
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: PS,
      overcommit: "heuristic",
      onOutOfMemory: () => {
        if (!box.armed) return;
        box.armed = false;
        box.s?.unmap(4 * PS, 4 * PS); // frees the one frame: the fork may go on
      },
    });
    const s = new AddressSpace({ size: 8 * PS, pool });
    box.s = s;
    s.setUint8(7 * PS, 1); // every frame in use: a fork runs the hook (heuristic overcommit)
    box.armed = true;
    const c = s.fork();
    expect(c.stats().mappedBytes).toBe(4 * PS);
    expect(pool.stats().committedBytes).toBe(8 * PS); // 4 pages each
    c.release();
    s.release();
    expect(pool.stats()).toMatchObject({ committedBytes: 0, framesInUse: 0, spaces: 0 });
  });

  it("map(): the new mapping is added to the mappings the hook left", () => {
    const box: { s: AddressSpace | null; armed: boolean } = { s: null, armed: false };
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: 8 * PS,
      overcommit: "never",
      onOutOfMemory: () => {
        if (!box.armed) return;
        box.armed = false;
        box.s?.unmap(0, 4 * PS);
      },
    });
    const s = new AddressSpace({ size: 8 * PS, pool });
    box.s = s;
    s.unmap(4 * PS, 4 * PS);
    s.setUint8(0, 5);
    const other = new AddressSpace({ size: 4 * PS, pool }); // the commit limit is reached
    box.armed = true;
    s.map(4 * PS, 4 * PS); // refused, the hook unmaps [0, 4 pages): fits
    expect(s.mappings().map((m) => [m.start, m.end])).toEqual([[4 * PS, 8 * PS]]);
    expect(() => s.getUint8(0)).toThrow(); // still unmapped
    expect(pool.stats().committedBytes).toBe(8 * PS);
    s.release();
    other.release();
    expect(pool.stats()).toMatchObject({ committedBytes: 0, framesInUse: 0, spaces: 0 });
  });
});
