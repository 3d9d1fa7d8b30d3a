/**
 * A shared handle whose `slabs` list was cut short (fewer slabs than the
 * frames its page table names): the shape checks pass (the slab sizes fit the
 * pool's geometry). Reads of a page past the slabs threw a raw TypeError, and
 * a fork of the attached space numbered its new local frames from the end of
 * the slabs given, so the version (the frozen attached space too) read the
 * fork's writes as its own pages. The handle format carries no frame count,
 * so attach itself cannot tell in O(1); the first fork now checks the
 * version's tree (it copies the node indices anyway) and refuses with
 * InvalidHandleError, changing nothing.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, InvalidHandleError, type SharedSpaceHandle } from "../src/index.js";

const PAGE = 256;

describe("a handle with fewer slabs than its version's frames", () => {
  it("a fork of the attached space is refused with InvalidHandleError and no page of the version changes", () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 16 * PAGE, slabBytes: 64 * PAGE });
    const s = new AddressSpace({ size: 64 * PAGE, pool });
    for (let i = 0; i < 40; i++) s.setUint8(i * PAGE, i + 1);
    const h = s.share();
    expect(h.slabs.length).toBeGreaterThanOrEqual(3);
    const seen = AddressSpace.attach({ ...h, slabs: h.slabs.slice(0, 1) } as SharedSpaceHandle);
    const before = seen.pool.stats();
    let f: AddressSpace | null = null;
    let caught: unknown;
    try {
      f = seen.fork();
      f.setUint8(0, 200);
      f.setUint8(60 * PAGE, 201);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidHandleError);
    expect(f).toBeNull();
    expect(seen.pool.stats()).toEqual(before);
    // The pages inside the first slab still read the version.
    for (let i = 0; i < 15; i++) expect(seen.getUint8(i * PAGE)).toBe(i + 1);
    seen.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });

  it("a genuine handle still forks and writes privately", () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 16 * PAGE, slabBytes: 64 * PAGE });
    const s = new AddressSpace({ size: 64 * PAGE, pool });
    for (let i = 0; i < 40; i++) s.setUint8(i * PAGE, i + 1);
    const seen = AddressSpace.attach(s.share());
    const f = seen.fork();
    f.setUint8(0, 200);
    f.setUint8(60 * PAGE, 201);
    for (let i = 1; i < 40; i++) expect([seen.getUint8(i * PAGE), f.getUint8(i * PAGE)]).toEqual([i + 1, i + 1]);
    expect([seen.getUint8(0), f.getUint8(0), seen.getUint8(60 * PAGE), f.getUint8(60 * PAGE)]).toEqual([
      1, 200, 0, 201,
    ]);
    f.release();
    seen.release();
    s.release();
    expect(pool.stats()).toMatchObject({ framesInUse: 0, sharedHandles: 0 });
  });
});
