/**
 * A call refused after its commit charge was taken (the charge's
 * out-of-memory hook made room but also changed what the call depends on)
 * took the charge back but left `peakCommittedBytes` raised to a level the
 * pool never committed: a refused call changed the pool's stats. Each such
 * refusal must leave `pool.stats()` as it was after the hook.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, InvalidArgumentError, OutOfMemoryError } from "../src/index.js";

const PS = 256;

describe("a call refused after its charge leaves peakCommittedBytes as the hook left it", () => {
  it("map: the hook released a space and mapped the same range", () => {
    let hook: (() => void) | null = null;
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: 10 * PS,
      overcommit: "never",
      onOutOfMemory: () => hook?.(),
    });
    const a = new AddressSpace({ size: 8 * PS, pool });
    a.unmap(6 * PS, 2 * PS);
    const b = new AddressSpace({ size: 3 * PS, pool }); // commit 9 pages: the peak
    let after: unknown = null;
    hook = () => {
      hook = null;
      b.release(); // 6 pages
      a.map(6 * PS, 2 * PS); // 8 pages: the refused map fits now (10), but its range is taken
      after = pool.stats();
    };
    expect(pool.stats().peakCommittedBytes).toBe(9 * PS);
    expect(() => a.map(6 * PS, 2 * PS)).toThrow(InvalidArgumentError);
    expect(pool.stats()).toEqual(after);
    expect(pool.stats().peakCommittedBytes).toBe(9 * PS);
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
  });

  it("fork: the hook released a space and mapped more of the forked space than the limit takes", () => {
    let hook: (() => void) | null = null;
    const pool = new FramePool({
      pageSize: PS,
      maxBytes: 12 * PS,
      overcommit: "never",
      onOutOfMemory: () => hook?.(),
    });
    const a = new AddressSpace({ size: 8 * PS, pool });
    a.unmap(4 * PS, 4 * PS); // 4 pages
    const b = new AddressSpace({ size: 6 * PS, pool }); // 10 pages: the peak
    let after: unknown = null;
    hook = () => {
      hook = null;
      b.release(); // 4
      a.map(4 * PS, 4 * PS); // 8: the fork's first charge (4) fits (12), the child's 8 do not (16)
      after = pool.stats();
    };
    expect(pool.stats().peakCommittedBytes).toBe(10 * PS);
    expect(() => a.fork()).toThrow(OutOfMemoryError);
    expect(pool.stats()).toEqual(after);
    a.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
  });
});
