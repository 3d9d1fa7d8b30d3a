/**
 * CowMap / CowSet share() / attachShared() / transferCopy() against native
 * Map / Set models; the handle crosses a structured clone (what postMessage
 * does); packages/core/test/share.test.ts runs the mechanism across real
 * worker threads.
 */
import { FramePool, InvalidHandleError, ProtectionFault, SharingUnavailableError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CowMap, CowSet } from "../src/index.js";

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -50, max: 50 }));

describe("CowMap / CowSet share", () => {
  it("changes after share() never change what the attached map reads; every frame comes back", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.double({ noNaN: true })), { maxLength: 200 }),
        fc.array(fc.tuple(fc.boolean(), key, fc.double({ noNaN: true })), { maxLength: 100 }),
        (init, ops) => {
          const pool = new FramePool({ shared: true, pageSize: 256 });
          const m = CowMap.from<string | number, number>(init, { pool });
          const s = CowSet.from<string | number>(
            init.map(([k]) => k),
            { pool },
          );
          const model = new Map(init);
          const setModel = new Set(init.map(([k]) => k));
          const hm = structuredClone(m.share());
          const hs = structuredClone(s.share());
          for (const [del, k, v] of ops) {
            if (del) {
              m.delete(k);
              s.delete(k);
            } else {
              m.set(k, v);
              s.add(k);
            }
          }
          const seenM = CowMap.attachShared<string | number, number>(hm);
          const seenS = CowSet.attachShared<string | number>(hs);
          expect([...seenM]).toEqual([...model]);
          expect([...seenS]).toEqual([...setModel]);
          expect(() => seenM.set("new", 1)).toThrow(ProtectionFault);
          expect(() => seenS.add("new")).toThrow(ProtectionFault);
          const mine = seenM.fork();
          mine.set("new", 1);
          expect(mine.get("new")).toBe(1);
          expect(seenM.has("new")).toBe(false);
          for (const x of [mine, seenM, seenS, m, s]) x.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("typed errors: plain pool, another structure's handle, forgeries", () => {
    const plain = CowMap.from([["a", 1]]);
    expect(() => plain.share()).toThrow(SharingUnavailableError);
    const copy = plain.transferCopy();
    expect(CowMap.attachShared(copy).get("a")).toBe(1);
    let caught: unknown;
    try {
      CowSet.attachShared(copy);
    } catch (e) {
      caught = e;
    }
    expect((caught as InvalidHandleError).reason).toBe("type");
    expect(() => CowMap.attachShared({ ...copy, garbage: copy.used + 1 })).toThrow(InvalidHandleError);
    expect(() => CowMap.attachShared(null as never)).toThrow(InvalidHandleError);
    plain.release();
  });
});
