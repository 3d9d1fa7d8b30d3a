/**
 * Review 33: a change readied as a whole. The array, map and string packages
 * reserve a change of several writes and heap calls with
 * `space.reserveFrames(n)`, which also makes the engine allocations of `n`
 * faults (slabs, page-table nodes, overflow keys); then each heap call and
 * bulk write inside the change readied itself again, by its own bound: the
 * pages it touches, not the frames they need. A heap call whose bound passed
 * what was left of the change's readiness added a slab, and an engine
 * refusing it stopped the change after its first writes (an embedded
 * vector's header written, its block not reallocated). Now a bound that does
 * not fit is replaced by the exact count (fault-ready.ts), which the change's
 * readiness covers.
 *
 * Each case brings the pool to exactly `n` frames ready (`framesReady`), so
 * that `reserveFrames(n)` adds no slab; then the change (one page written,
 * then a heap call over pages the space has to itself) runs with the engine
 * refusing every allocation: it must complete.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusingAll } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, Heap } from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PS = 256;
const SIZE = 256 * PS;

afterEach(() => {
  vi.unstubAllGlobals();
});

type HeapCall = [string, (h: Heap, blocks: number[]) => unknown];
const CALLS: HeapCall[] = [
  ["free(large)", (h, b) => h.free(b[0] as number)],
  ["free(small)", (h, b) => h.free(b[1] as number)],
  ["realloc(large, 1000)", (h, b) => h.realloc(b[0] as number, 1000)],
  ["realloc(small, 40)", (h, b) => h.realloc(b[1] as number, 40)],
  ["malloc(600)", (h) => h.malloc(600)],
  ["freePages", (h, b) => h.freePages(b[2] as number, 3)],
];

describe("a heap call inside a change readied by space.reserveFrames(n) needs no engine allocation", () => {
  for (const [name, call] of CALLS) {
    it(name, () => {
      const pool = new FramePool({ pageSize: PS, firstSlabBytes: 4 * PS, slabBytes: 64 * PS });
      const s = new AddressSpace({ size: SIZE, pool });
      const heap = Heap.create(s, {});
      const blocks = [heap.malloc(3000), heap.malloc(24), heap.allocPages(4)];
      s.write(blocks[0] as number, bytes(1, 3000));
      s.write(blocks[1] as number, bytes(2, 24));
      s.write(blocks[2] as number, bytes(3, 4 * PS));
      // A spare block, freed: a malloc then reuses pages the space has to itself.
      heap.free(heap.malloc(700));
      // The change's own page: one the space never wrote, at the end of the space.
      const page = SIZE - PS;
      // Bring the pool to exactly 2 frames ready, writing pages of a filler space one at a time.
      const filler = new AddressSpace({ size: 1024 * PS, pool });
      for (let p = 0; pool.framesReady() !== 2; p++) filler.setUint8(p * PS, 1);
      // The change: n = 2 bounds its frames (the page, and at most one for the heap call).
      s.reserveFrames(2);
      const refuse = refusingAll();
      refuse.on = true;
      let thrown: unknown = null;
      try {
        s.setUint8(page, 9);
        call(heap, blocks);
      } catch (e) {
        thrown = e;
      }
      refuse.on = false;
      expect(thrown).toBeNull();
      expect(s.getUint8(page)).toBe(9);
      heap.check();
      s.release();
      filler.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
    });
  }
});
