/**
 * Review 32: a CowMap write over several pages (the append, the bucket, the
 * header; a bucket resize; an embedded heap call) that the engine refuses
 * an allocation halfway (`new ArrayBuffer` for a slab throwing RangeError)
 * must throw OutOfMemoryError and change nothing. The map reserved with
 * `space.reserveFrames` only near the pool's limit, so each later page's
 * fault added its own slab: a refusal there left the write half done (a
 * `delete` of a fork with its entry gone yet the call thrown, an embedded
 * `clear` done and thrown). The core's `space.reserveFrames` now makes those
 * allocations first (reserve.ts `readyFaultsFor`), and every map write calls it.
 */

import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import { afterEach, describe, expect, it, vi } from "vitest";
import { thrownWhileRefused } from "../../../test/support/refuse.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const PS = 256;
type Op = [string, (m: CowMap<string, string>) => unknown];
const OPS: Op[] = [
  ["set new", (m) => m.set("zz", "x".repeat(300))],
  ["set new short", (m) => m.set("zz", "x")],
  ["set existing", (m) => m.set("k3", "y".repeat(500))],
  ["delete", (m) => m.delete("k7")],
  ["clear", (m) => m.clear()],
];

describe("a map write refused by the engine halfway changes nothing", () => {
  for (const [name, op] of OPS) {
    for (const embedded of [false, true]) {
      for (const forked of [false, true]) {
        it(`${name} ${embedded ? "embedded" : "standalone"} ${forked ? "forked" : ""}`, () => {
          const bad: string[] = [];
          for (const slab of [1, 2, 4, 8, 16])
            for (const pre of [0, 1, 2, 3, 5, 7])
              for (const size of [5, 12, 13, 24, 25, 26, 40, 48, 49, 50, 97]) {
                const pool = new FramePool({ pageSize: PS, firstSlabBytes: slab * PS, slabBytes: 16 * PS });
                let m: CowMap<string, string>;
                let space: AddressSpace | null = null;
                if (embedded) {
                  space = new AddressSpace({ size: 1024 * PS, pool });
                  m = CowMap.create(Heap.create(space, {}));
                } else m = new CowMap<string, string>(null, { pool });
                for (let i = 0; i < size; i++) m.set(`k${i}`, "w".repeat(i * 3));
                let w = m;
                let f: AddressSpace | null = null;
                if (forked) {
                  if (embedded) {
                    f = (space as AddressSpace).fork();
                    w = CowMap.attach(Heap.attach(f, 0), m.address);
                  } else w = m.fork();
                }
                const pad = new AddressSpace({ size: 64 * PS, pool });
                pad.fill(1, 0, pre * PS);
                const st0 = pool.stats();
                const before = { items: [...w], frames: st0.framesInUse, nodes: st0.pageTableNodes };
                const thrown = thrownWhileRefused(() => op(w));
                if (thrown !== null) {
                  expect(thrown).toBeInstanceOf(OutOfMemoryError);
                  const st = pool.stats();
                  let items: unknown;
                  try {
                    items = [...w];
                  } catch (e) {
                    items = String(e);
                  }
                  const after = { items, frames: st.framesInUse, nodes: st.pageTableNodes };
                  if (JSON.stringify(after) !== JSON.stringify(before))
                    bad.push(`slab ${slab} pre ${pre} size ${size}: ${JSON.stringify(after).slice(0, 200)}`);
                  op(w); // and it works once the engine gives memory again
                }
                if (embedded) {
                  f?.release();
                  (space as AddressSpace).release();
                } else {
                  if (forked) w.release();
                  m.release();
                }
                pad.release();
                if (pool.framesInUse !== 0)
                  bad.push(`slab ${slab} pre ${pre} size ${size}: ${pool.framesInUse} frames leaked`);
              }
          expect(bad).toEqual([]);
        });
      }
    }
  }
});
