/**
 * PSS of an attached version's spaces. A view pool (AddressSpace.attach)
 * maps the owner pool's nodes and frames; they are the owner's memory, so
 * the view pool's census counts none of them, and the PSS of the view
 * pool's live spaces adds up to its bytesInUse (its own frames) as in any
 * pool. Before: the attached view's slot kept the level count of an empty
 * space (attach set the space's levels without the registry's copy), the
 * census walked the adopted root at that depth and divided by refcount
 * bytes the view pool did not have yet: `pss` was NaN.
 */
import { describe, expect, it } from "vitest";
import { AddressSpace, FramePool } from "../src/index.js";

const PS = 256;

describe("PSS of an attached version", () => {
  it("counts the owner's frames in neither the view nor its forks, and sums to the view pool's bytesInUse", () => {
    const pool = new FramePool({ pageSize: PS, shared: true });
    const owner = new AddressSpace({ size: 4096 * PS, pool }); // several page-table levels
    for (let p = 0; p < 40; p++) owner.setUint8(p * 97 * PS, p + 1);
    const view = AddressSpace.attach(owner.share());
    const viewPool = view.pool;
    expect(view.stats().pss).toBe(0);
    expect(view.stats().rss).toBe(40 * PS); // it maps the owner's 40 frames

    const a = view.fork();
    const b = view.fork();
    a.setUint8(0, 9); // a copy of an adopted frame: private to a
    a.setUint8(1 * PS, 1); // zero-fill: private to a
    b.setUint8(97 * PS, 5); // a copy, private to b
    const pa = a.stats().pss;
    const pb = b.stats().pss;
    const pv = view.stats().pss;
    expect([pv, pa, pb]).toEqual([0, 2 * PS, PS]);
    expect(pv + pa + pb).toBe(viewPool.bytesInUse);

    a.release();
    b.release();
    view.release();
    owner.release();
    expect(pool.framesInUse).toBe(0);
  });
});
