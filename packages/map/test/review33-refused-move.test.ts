/**
 * Review 33: a delete (or an update) whose optional move, a compaction of a
 * half-dead log or a shrink of the bucket array, the engine refuses halfway
 * (`new ArrayBuffer` for a slab throwing RangeError, as V8 does out of
 * memory) must change nothing. The move runs after the delete's own writes,
 * guarded only by the pool's frame count (`affords`); its faults in a fork
 * took slabs the delete's reservation had not readied, and a slab refused
 * at a later page left the table half compacted: OutOfMemoryError thrown,
 * the entries changed. `affords` now readies the move's engine allocations
 * too (`space.reserveFrames`), and skips the optional move if the engine
 * refuses them.
 */
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusingFrom } from "../../../test/support/refuse.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const PS = 256;

/** Takes every frame the pool's slabs hold unused, so that the next fault needs a new slab. */
function drain(pool: FramePool): AddressSpace {
  const pad = new AddressSpace({ size: 4096 * PS, pool });
  const ready = pool as unknown as { framesReady(): number };
  for (let p = 0; ready.framesReady() > 0; p++) pad.setUint8(p * PS, 1);
  return pad;
}

describe("a delete whose compaction or bucket shrink the engine refuses halfway changes nothing", () => {
  for (const embedded of [false, true])
    it(embedded ? "embedded" : "standalone", () => {
      const bad: string[] = [];
      // 200 entries, `pre` of them deleted before the fork: the delete after it compacts the log (at 168 to 170).
      for (let pre = 164; pre < 176; pre++)
        for (const at of [0, 2, 4, 6, 7, 8, 10]) {
          const pool = new FramePool({ pageSize: PS, firstSlabBytes: PS, slabBytes: PS });
          let space: AddressSpace | null = null;
          let m: CowMap<string, string>;
          if (embedded) {
            space = new AddressSpace({ size: 4096 * PS, pool });
            m = CowMap.create(Heap.create(space, {}));
          } else m = new CowMap<string, string>(null, { pool });
          for (let i = 0; i < 200; i++) m.set(`k${i}`, `v${i}`);
          for (let i = 0; i < pre; i++) m.delete(`k${i}`);
          const before = JSON.stringify([...m]);
          const fork = space !== null ? space.fork() : m.fork();
          const pad = drain(pool);
          const st0 = pool.stats();
          const refuse = refusingFrom();
          refuse.arm(at);
          let thrown: unknown = null;
          try {
            m.delete(`k${pre}`);
          } catch (e) {
            thrown = e;
          } finally {
            refuse.disarm();
            vi.unstubAllGlobals();
          }
          if (thrown !== null) {
            const st = pool.stats();
            let after: string;
            try {
              after = JSON.stringify([...m]);
            } catch (e) {
              after = String(e);
            }
            if (!(thrown instanceof OutOfMemoryError) || after !== before)
              bad.push(`pre ${pre} at ${at}: ${String(thrown).slice(0, 60)}; entries ${after.slice(0, 60)}`);
            if (st.framesInUse !== st0.framesInUse || st.pageTableNodes !== st0.pageTableNodes)
              bad.push(`pre ${pre} at ${at}: frames ${st0.framesInUse} -> ${st.framesInUse}`);
            m.delete(`k${pre}`); // and it works once the engine gives memory again
          }
          expect(m.has(`k${pre}`)).toBe(false);
          expect(m.size).toBe(199 - pre);
          fork.release();
          if (space !== null) space.release();
          else m.release();
          pad.release();
          if (pool.framesInUse !== 0) bad.push(`pre ${pre} at ${at}: ${pool.framesInUse} frames leaked`);
        }
      expect(bad).toEqual([]);
    });
});
