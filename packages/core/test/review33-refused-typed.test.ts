/**
 * Review 33: engine refusals that a stub of the ArrayBuffer constructor does
 * not catch. `new Uint8Array(n)` and `new Int32Array(n)` allocate their own
 * buffer without calling the global ArrayBuffer constructor; the core makes
 * them for a slab's refcount bytes, the free list, the page-table arena, the
 * overflow-refcount table and the TLBs. A call refused at one of them
 * halfway must still throw OutOfMemoryError and change nothing.
 *
 * Found: a heap call that releases pages (free of a large block, freePages)
 * discards them first and then writes the heap's page map; in a space that
 * had just forked (its TLBs went to the child), that first write took a new
 * TLB, and a refused TLB left the pages discarded (the block's bytes gone)
 * and the heap still recording them as in use. The readiness of a change
 * (fault-ready.ts) now takes the TLBs too.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusingAll } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PS = 256;
const SIZE = 64 * PS;
/** Made before the engine refuses: the test's own allocations are not the core's. */
const FIVE_PAGES = bytes(77, 5 * PS);

afterEach(() => {
  vi.unstubAllGlobals();
});

function observe(pool: FramePool, s: AddressSpace) {
  const st = pool.stats();
  return {
    bytes: Buffer.from(s.read(0, new Uint8Array(SIZE))).toString("hex"),
    framesInUse: st.framesInUse,
    pageTableNodes: st.pageTableNodes,
    committedBytes: st.committedBytes,
  };
}

type Op = [string, (s: AddressSpace, h: Heap, blocks: number[]) => unknown];
const OPS: Op[] = [
  ...[8, 300, 1200, 3000].map((n): Op => [`malloc(${n})`, (_s, h) => h.malloc(n)]),
  ["realloc(large, 4000)", (_s, h, b) => h.realloc(b[0] as number, 4000)],
  ["realloc(large, 40)", (_s, h, b) => h.realloc(b[0] as number, 40)],
  ["free(large)", (_s, h, b) => h.free(b[0] as number)],
  ["free(small)", (_s, h, b) => h.free(b[1] as number)],
  ["freePages(2)", (_s, h, b) => h.freePages(b[2] as number, 2)],
  ["allocPages(3)", (_s, h) => h.allocPages(3)],
  ["write 5 pages", (s) => s.write(40 * PS + 7, FIVE_PAGES)],
  ["fill 6 pages", (s) => s.fill(5, 50 * PS, 56 * PS)],
  ["copyWithin 4 pages", (s) => s.copyWithin(56 * PS + 3, 0, 4 * PS)],
];

describe("a call refused by a typed-array allocation halfway changes nothing", () => {
  for (const [name, op] of OPS) {
    for (const slabFrames of [1, 2, 4, 8]) {
      for (const side of ["alone", "fork", "parent"] as const) {
        it(`${name}: first slab of ${slabFrames} frames, ${side}`, () => {
          const pool = new FramePool({ pageSize: PS, firstSlabBytes: slabFrames * PS, slabBytes: 16 * PS });
          const base = new AddressSpace({ size: SIZE, pool });
          const heap0 = Heap.create(base, {});
          const blocks = [heap0.malloc(2000), heap0.malloc(24), heap0.allocPages(3)];
          base.write(blocks[0] as number, bytes(1, 2000));
          base.write(blocks[1] as number, bytes(2, 24));
          base.write(blocks[2] as number, bytes(3, 3 * PS));
          const child = side === "alone" ? null : base.fork(); // the child takes the parent's TLBs
          const s = side === "fork" ? (child as AddressSpace) : base;
          const heap = s === base ? heap0 : Heap.attach(s, 0);
          const before = observe(pool, s);
          const refuse = refusingAll();
          refuse.on = true;
          let thrown: unknown = null;
          try {
            op(s, heap, blocks);
          } catch (e) {
            thrown = e;
          }
          refuse.on = false;
          if (thrown !== null) {
            expect(thrown).toBeInstanceOf(OutOfMemoryError);
            expect(observe(pool, s)).toEqual(before);
          }
          heap.check();
          if (thrown !== null) op(s, heap, blocks); // and it works once the engine gives memory again
          heap.check();
          child?.release();
          base.release();
          expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
        });
      }
    }
  }
});
