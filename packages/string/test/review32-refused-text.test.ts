/**
 * Review 32: a CowText edit over several pages (a leaf split, a long insert,
 * a delete across leaves) that the engine refuses an allocation halfway
 * (`new ArrayBuffer` for a slab throwing RangeError) must throw
 * OutOfMemoryError and change nothing. The text reserved with
 * `space.reserveFrames` only near the pool's limit, so each later page's
 * fault added its own slab: a refusal there left the edit half made (an
 * insert of 700 characters with 100 of them in the text, a fork's text
 * with a leaf's bytes gone). The core's `space.reserveFrames` now makes
 * those allocations first (reserve.ts `readyFaultsFor`), and every edit over
 * several pages calls it.
 */

import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import { afterEach, describe, expect, it, vi } from "vitest";
import { thrownWhileRefused } from "../../../test/support/refuse.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const PS = 256;
const TEXT = Array.from({ length: 400 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
type Op = [string, (t: CowText) => unknown];
const OPS: Op[] = [
  ["insert small mid", (t) => t.insert(200, "XYZ")],
  ["insert big", (t) => t.insert(100, "Q".repeat(700))],
  ["insert wide", (t) => t.insert(50, "\u4e2d".repeat(300))],
  ["delete", (t) => t.delete(30, 250)],
  ["delete small", (t) => t.delete(199, 3)],
];

describe("a text edit refused by the engine halfway changes nothing", () => {
  for (const [name, op] of OPS) {
    for (const embedded of [false, true]) {
      for (const forked of [false, true]) {
        it(`${name} ${embedded ? "embedded" : "standalone"} ${forked ? "forked" : ""}`, () => {
          const bad: string[] = [];
          for (const slab of [1, 2, 4, 8, 16])
            for (const pre of [0, 1, 2, 3, 5, 7]) {
              const pool = new FramePool({ pageSize: PS, firstSlabBytes: slab * PS, slabBytes: 16 * PS });
              let t: CowText;
              let space: AddressSpace | null = null;
              if (embedded) {
                space = new AddressSpace({ size: 1024 * PS, pool });
                t = CowText.create(Heap.create(space, {}), TEXT);
              } else t = CowText.from(TEXT, { pool });
              let w = t;
              let f: AddressSpace | null = null;
              if (forked) {
                if (embedded) {
                  f = (space as AddressSpace).fork();
                  w = CowText.attach(Heap.attach(f, 0), t.address);
                } else w = t.fork();
              }
              const pad = new AddressSpace({ size: 64 * PS, pool });
              pad.fill(1, 0, pre * PS);
              const st0 = pool.stats();
              const before = { text: w.toString(), frames: st0.framesInUse, nodes: st0.pageTableNodes };
              const thrown = thrownWhileRefused(() => op(w));
              if (thrown !== null) {
                expect(thrown).toBeInstanceOf(OutOfMemoryError);
                const st = pool.stats();
                let text: unknown;
                try {
                  text = w.toString();
                } catch (e) {
                  text = String(e);
                }
                const after = { text, frames: st.framesInUse, nodes: st.pageTableNodes };
                if (JSON.stringify(after) !== JSON.stringify(before))
                  bad.push(`slab ${slab} pre ${pre}: ${JSON.stringify(after).slice(0, 200)}`);
                op(w); // and it works once the engine gives memory again
              }
              if (embedded) {
                f?.release();
                (space as AddressSpace).release();
              } else {
                if (forked) w.release();
                t.release();
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
