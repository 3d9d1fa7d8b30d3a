/**
 * Review 32: a vector call over several pages that the engine refuses an
 * allocation halfway (`new ArrayBuffer` for a slab throwing RangeError, as
 * V8 does out of memory) must throw OutOfMemoryError and change nothing. The
 * array package reserved with `space.reserveFrames` only near the pool's
 * limit, which counts frames; each later page's fault then added its own
 * slab, so a refusal at the third page left the first two written (an
 * `insertFrom` of a fork shifted and not filled, a `sort` half written back,
 * an embedded `resize` half done). The core's `space.reserveFrames` now
 * makes those allocations first (reserve.ts `readyFaultsFor`), and the array
 * calls it for every write over several pages.
 */
import { CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { thrownWhileRefused } from "../../../test/support/refuse.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const PS = 256;
const init = Array.from({ length: 200 }, (_, i) => i + 1);
const zeros = (n: number) => new Array<number>(n).fill(0);
const desc = (x: number, y: number) => y - x;
const calls: [string, (w: CowVector) => unknown][] = [
  ["removeRange", (w) => w.removeRange(0, 40)],
  ["insert", (w) => w.insert(3, 1, 2, 3)],
  ["insertFrom", (w) => w.insertFrom(0, new Float64Array(100))],
  ["resize", (w) => w.resize(400)],
  ["extend", (w) => w.extend(new Float64Array(300))],
  ["splice grow", (w) => w.splice(10, 2, 1, 2, 3, 4, 5)],
  ["splice shrink", (w) => w.splice(10, 50, 7)],
  ["splice head", (w) => w.splice(0, 65, ...zeros(32))],
  ["copyWithin", (w) => w.copyWithin(0, 100)],
  ["fill", (w) => w.fill(7)],
  ["sort", (w) => w.sort(desc)],
  ["reverse", (w) => w.reverse()],
  ["set", (w) => w.set(new Float64Array(150), 10)],
  ["set Int8", (w) => w.set(new Int8Array(150), 10)],
];

describe("a vector call refused by the engine halfway changes nothing", () => {
  for (const [name, call] of calls) {
    for (const embedded of [false, true]) {
      for (const forked of [false, true]) {
        it(`${name} ${embedded ? "embedded" : "standalone"} ${forked ? "forked" : ""}`, () => {
          const bad: string[] = [];
          for (const slab of [1, 2, 4, 8, 16])
            for (const pre of [0, 1, 2, 3, 5, 7]) {
              const pool = new FramePool({ pageSize: PS, firstSlabBytes: slab * PS, slabBytes: 16 * PS });
              let space: AddressSpace | null = null;
              let v: CowVector;
              if (embedded) {
                space = new AddressSpace({ size: 1024 * PS, pool });
                const heap = Heap.create(space, {});
                v = CowVector.create(heap, Float64Array, { capacity: 512 });
                v.extend(init);
              } else v = CowVector.from(Float64Array, init, { pool, maxLength: 4096 });
              let w = v;
              let ws: AddressSpace | null = space;
              if (forked) {
                if (embedded) {
                  ws = (space as AddressSpace).fork();
                  w = CowVector.attach(Heap.attach(ws, 0), v.address) as CowVector;
                } else w = v.fork();
              }
              const pad = new AddressSpace({ size: 64 * PS, pool });
              pad.fill(1, 0, pre * PS);
              const st0 = pool.stats();
              const before = { items: [...w], frames: st0.framesInUse, nodes: st0.pageTableNodes };
              const thrown = thrownWhileRefused(() => call(w));
              if (thrown !== null) {
                expect(thrown).toBeInstanceOf(OutOfMemoryError);
                const st = pool.stats();
                const after = { items: [...w], frames: st.framesInUse, nodes: st.pageTableNodes };
                if (JSON.stringify(after) !== JSON.stringify(before))
                  bad.push(`slab ${slab} pre ${pre}: ${JSON.stringify(after).slice(0, 200)}`);
                call(w); // and it works once the engine gives memory again
              }
              if (embedded) {
                if (forked) (ws as AddressSpace).release();
                (space as AddressSpace).release();
              } else {
                if (forked) w.release();
                v.release();
              }
              pad.release();
              if (pool.framesInUse !== 0) bad.push(`slab ${slab} pre ${pre}: ${pool.framesInUse} frames leaked`);
            }
          expect(bad).toEqual([]);
        });
      }
    }
  }
});
