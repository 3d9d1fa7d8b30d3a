/**
 * A write over several pages that the engine refuses an allocation halfway
 * through (a slab, or the page-table arena, needed by the third page's
 * fault) must throw OutOfMemoryError and change nothing: `write` promises
 * every byte or none, and every writer "changes nothing when it throws".
 * Before the fix the faults of the first pages had run: their bytes were
 * written (and their frames taken) when the error came.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, OutOfMemoryError } from "../src/index.js";
import { FAULT_NODES_MAX } from "../src/page-table-geometry.js";
import { bytes } from "./support/helpers.js";

const PS = 256;

afterEach(() => {
  vi.unstubAllGlobals();
});

type Op = { name: string; run: (s: AddressSpace, addr: number, n: number) => void };

const OPS: Op[] = [
  { name: "write", run: (s, addr, n) => s.write(addr, bytes(7, n)) },
  { name: "fill", run: (s, addr, n) => s.fill(0x5a, addr, addr + n) },
  { name: "copyWithin", run: (s, addr, n) => s.copyWithin(addr, 0, n) },
  {
    name: "spans (write mode)",
    run: (s, addr, n) => {
      for (const c = s.spans(Uint8Array, addr, n, "write"); c.next(); ) c.array.fill(0x33, c.start, c.end);
    },
  },
];

/** Everything a refused call must leave as it was (the bytes of the first 16 pages and of the 64 at 2^19). */
function observe(pool: FramePool, s: AddressSpace) {
  const st = pool.stats();
  const far = s.size > 2 ** 19 * PS ? Array.from(s.read(2 ** 19 * PS, new Uint8Array(64 * PS))) : [];
  return {
    bytes: Array.from(s.read(0, new Uint8Array(16 * PS))),
    far,
    framesInUse: st.framesInUse,
    pageTableNodes: st.pageTableNodes,
    committedBytes: st.committedBytes,
  };
}

describe("a multi-page write refused by the engine halfway changes nothing", () => {
  for (const op of OPS) {
    it(`${op.name}: a slab refused at the third page`, () => {
      // A first slab of 4 frames (pfn 0 is the zero frame): pages 0 .. 1 and
      // the next two fit, the third new page needs a second slab.
      const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: 16 * PS });
      const s = new AddressSpace({ size: 16 * PS, pool });
      s.write(0, bytes(3, PS)); // one frame; page 0 is the copyWithin source
      const before = observe(pool, s);
      const refuse = refusing("ArrayBuffer");
      refuse.on = true;
      expect(() => op.run(s, 4 * PS + 10, 3 * PS - 20)).toThrow(OutOfMemoryError);
      refuse.on = false;
      expect(refuse.refused).toBeGreaterThan(0);
      expect(observe(pool, s)).toEqual(before);
      op.run(s, 4 * PS + 10, 3 * PS - 20); // and it works once the engine gives memory again
      expect(pool.stats().framesInUse).toBe(4);
      s.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
    });

    it(`${op.name}: the page-table arena refused mid-write`, () => {
      const pool = new FramePool({ pageSize: PS });
      const pt = (pool as unknown as { pt: { ref: Int32Array; highWater: number; freeCount: number } }).pt;
      const room = () => pt.ref.length - pt.highWater + pt.freeCount;
      // Frames on the free list (so no slab, refcount or free-list growth is needed below).
      const warm = new AddressSpace({ size: 4096 * PS, pool });
      warm.fill(1, 0, 600 * PS);
      warm.release();
      // A sparse space whose leaves fill the arena until a fault's reservation
      // (FAULT_NODES_MAX free nodes) just holds: the first fault of the write
      // below fits, a later one must grow the arena.
      const filler = new AddressSpace({ size: 2 ** 20 * PS, pool });
      for (let page = 0; !(room() >= FAULT_NODES_MAX && room() <= FAULT_NODES_MAX + 2); page += 8)
        filler.setUint8(page * PS, 1);
      const s = new AddressSpace({ size: 2 ** 20 * PS, pool });
      s.write(0, bytes(3, PS));
      const before = observe(pool, s);
      const refuse = refusing("Int32Array");
      refuse.on = true;
      // 64 pages far from page 0: 8 leaves and their parents, more than the arena has left.
      expect(() => op.run(s, 2 ** 19 * PS, 64 * PS)).toThrow(OutOfMemoryError);
      refuse.on = false;
      expect(refuse.refused).toBeGreaterThan(0);
      expect(observe(pool, s)).toEqual(before);
      s.release();
      filler.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
    });
  }
});
