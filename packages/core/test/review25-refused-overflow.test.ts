/**
 * A write over several pages whose leaf copies take frames past 254
 * references needs room in the pool's overflow refcount table for each leaf
 * it copies, and each fault makes room for a leaf's worth first. When the
 * engine refused the table's growth at the second page (the first leaf's
 * frames had filled it), the first page had been written already: the
 * write threw OutOfMemoryError having changed the version (and taken frames). Now the
 * write makes that room before its first page (reserve.ts), by the bound for
 * a small write and by counting the frames at 254 for a large one.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, OutOfMemoryError } from "../src/index.js";

const PS = 256;

afterEach(() => {
  vi.unstubAllGlobals();
});

/**
 * A version `q` whose leaves at pages 8-15 and 16-23 hold frames at exactly
 * 254 references (253 forks copied those leaves), with everything a write
 * of `pages` pages needs but overflow slots already allocated: TLBs, free
 * frames, arena room.
 */
function setup(pages: number) {
  const pool = new FramePool({ pageSize: PS });
  const size = (pages + 64) * PS;
  const warm = new AddressSpace({ size, pool });
  // Frames back on the free list, the arena grown; one page per write, so no
  // write over several pages has grown the overflow table yet.
  for (let page = 0; page < pages + 40; page++) warm.setUint8(page * PS, 1);
  warm.release();
  const p = new AddressSpace({ size, pool });
  for (let page = 0; page < 24; page++) p.setUint8(page * PS, page + 1);
  const forks: AddressSpace[] = [];
  for (let k = 0; k < 253; k++) {
    const f = p.fork();
    f.setUint8(8 * PS + 1, 1);
    f.setUint8(16 * PS + 1, 1);
    forks.push(f);
  }
  const q = p.fork();
  q.setUint8(size - PS, 1); // its TLBs
  expect(pool.stats().overflowRefcounts).toBe(0);
  return { pool, p, q, forks, size };
}

function observe(pool: FramePool, q: AddressSpace, size: number) {
  const st = pool.stats();
  return {
    bytes: Array.from(q.read(0, new Uint8Array(size))),
    framesInUse: st.framesInUse,
    pageTableNodes: st.pageTableNodes,
    overflowRefcounts: st.overflowRefcounts,
  };
}

describe("a multi-page write refused an overflow refcount slot changes nothing", () => {
  for (const pages of [8, 1100]) {
    it(`a write of ${pages} pages over two leaves of frames at 254 references`, () => {
      const { pool, p, q, forks, size } = setup(pages);
      const before = observe(pool, q, size);
      const refuse = refusing("Int32Array");
      refuse.on = true;
      expect(() => q.write(9 * PS, new Uint8Array(pages * PS).fill(0xee))).toThrow(OutOfMemoryError);
      refuse.on = false;
      expect(refuse.refused).toBeGreaterThan(0);
      expect(observe(pool, q, size)).toEqual(before);
      q.write(9 * PS, new Uint8Array(pages * PS).fill(0xee));
      // The 7 frames of the last leaf that the write does not cover passed 254 (the written ones went back).
      expect(pool.stats().overflowRefcounts).toBe(pages === 8 ? 7 : 0);
      expect(q.getUint8(16 * PS)).toBe(0xee);
      expect(p.getUint8(16 * PS)).toBe(17);
      for (const f of forks) f.release();
      q.release();
      p.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, overflowRefcounts: 0 });
    });
  }
});
