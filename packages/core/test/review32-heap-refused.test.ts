/**
 * Review 32: a heap call that the engine refuses an allocation halfway
 * (a new slab for the second or third page the call writes) must throw
 * OutOfMemoryError and change nothing, as the core's bulk writes do
 * (review25-refused-bulk). A heap call writes several pages (a slot's tag and
 * free-list link, the page map, a header, the block's pages) one fault at a
 * time; its reservation checked the pool's limit but left the slabs, the
 * page-table nodes and the overflow-table room to each fault, so a slab
 * refused at the second page left the first written: the heap's metadata
 * half changed (a malloc of 8 bytes in a fresh heap whose pool's first slab
 * held 2 frames changed the heap's bytes before throwing).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusing } from "../../../test/support/refuse.js";
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PS = 256;
const SIZE = 64 * PS;

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

type Op = [string, (h: Heap, blocks: number[]) => unknown];
const OPS: Op[] = [
  ...[8, 100, 200, 300, 600, 1200, 3000].map((n): Op => [`malloc(${n})`, (h) => h.malloc(n)]),
  ["calloc(700)", (h) => h.calloc(700)],
  ["realloc(first, 900)", (h, b) => h.realloc(b[0] as number, 900)],
  ["realloc(last, 40)", (h, b) => h.realloc(b[b.length - 1] as number, 40)],
  ["free(first)", (h, b) => h.free(b[0] as number)],
  ["allocPages(3)", (h) => h.allocPages(3)],
];

describe("a heap call refused by the engine halfway changes nothing", () => {
  for (const [name, op] of OPS) {
    for (const slabFrames of [1, 2, 4, 8]) {
      for (const forked of [false, true]) {
        it(`${name}: first slab of ${slabFrames} frames${forked ? ", in a fork" : ""}`, () => {
          const pool = new FramePool({ pageSize: PS, firstSlabBytes: slabFrames * PS, slabBytes: 16 * PS });
          const base = new AddressSpace({ size: SIZE, pool });
          const heap0 = Heap.create(base, {});
          const blocks: number[] = [];
          for (const n of [24, 300, 60]) {
            const b = heap0.malloc(n);
            base.write(b, bytes(n, n));
            blocks.push(b);
          }
          const s = forked ? base.fork() : base;
          const heap = forked ? Heap.attach(s, 0) : heap0;
          const before = observe(pool, s);
          const refuse = refusing("ArrayBuffer");
          refuse.on = true;
          let thrown: unknown = null;
          try {
            op(heap, blocks);
          } catch (e) {
            thrown = e;
          }
          refuse.on = false;
          if (thrown !== null) {
            expect(thrown).toBeInstanceOf(OutOfMemoryError);
            expect(observe(pool, s)).toEqual(before);
          }
          heap.check();
          if (thrown !== null) op(heap, blocks); // and it works once the engine gives memory again
          heap.check();
          if (forked) s.release();
          base.release();
          expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0, committedBytes: 0 });
        });
      }
    }
  }
});
