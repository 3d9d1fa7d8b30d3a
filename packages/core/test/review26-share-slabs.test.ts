/**
 * A shared handle whose `slabs` list was cut short (fewer slabs than the
 * frames its page table names): the shape checks pass (the slab sizes fit the
 * pool's geometry). Reads of a page past the slabs threw a raw TypeError, and
 * a fork of the attached space numbered its new local frames from the end of
 * the slabs given, so the version (the frozen attached space too) read the
 * fork's writes as its own pages. Format /2 carried no slab count, so the
 * first fork checked the version's tree (it copies the node indices anyway)
 * and refused with InvalidHandleError, changing nothing. Since format /3 (session 30)
 * the pin word holds the slab count and attach itself refuses the handle;
 * the fork's check stays behind it.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool, InvalidHandleError, type SharedSpaceHandle } from "../src/index.js";

const PAGE = 256;

describe("a handle with fewer slabs than its version's frames", () => {
  it("is refused by attach with InvalidHandleError, changing nothing", () => {
    const pool = new FramePool({ shared: true, pageSize: PAGE, firstSlabBytes: 16 * PAGE, slabBytes: 64 * PAGE });
    const s = new AddressSpace({ size: 64 * PAGE, pool });
    for (let i = 0; i < 40; i++) s.setUint8(i * PAGE, i + 1);
    const h = s.share();
    expect(h.slabs.length).toBeGreaterThanOrEqual(3);
    const before = pool.stats();
    let caught: unknown;
    try {
      AddressSpace.attach({ ...h, slabs: h.slabs.slice(0, 1) } as SharedSpaceHandle);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidHandleError);
    expect((caught as InvalidHandleError).reason).toBe("forged");
    expect(pool.stats()).toEqual(before);
    // The genuine handle still attaches: the cut one did not take its pin.
    const seen = AddressSpace.attach(h);
    for (let i = 0; i < 40; i++) expect(seen.getUint8(i * PAGE)).toBe(i + 1);
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
