/**
 * Review 25: malformed CowMap/CowSet handles are refused before the space is
 * attached (the genuine handle stays attachable), and shared versions read
 * what they held at share() time while the owner edits, against native Maps.
 */
import { FramePool, InvalidHandleError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CowMap, CowSet } from "../src/index.js";

describe("CowMap.attachShared refuses a handle whose mask is not a table's", () => {
  for (const [name, mask] of [
    ["not a power of two minus one", 5],
    ["past the space", 2 ** 40 - 1],
  ] as const)
    it(name, () => {
      const pool = new FramePool({ shared: true, pageSize: 256 });
      const m = new CowMap<string, number>(
        Array.from({ length: 40 }, (_, i) => [`k${i}`, i]),
        { pool },
      );
      const h = m.share();
      expect(() => CowMap.attachShared({ ...h, mask })).toThrow(InvalidHandleError);
      expect(pool.stats().sharedHandles).toBe(1);
      const seen = CowMap.attachShared(h); // still attachable
      expect(seen.get("k7")).toBe(7);
      expect(seen.get("missing")).toBeUndefined();
      seen.release();
      m.release();
      expect(pool.framesInUse).toBe(0);
    });
});

describe("shared CowMap/CowSet versions against native copies taken at share()", () => {
  it("reads never change while the owner sets, deletes, forks and clears", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant("set" as const), fc.nat(60), fc.integer()),
            fc.tuple(fc.constant("delete" as const), fc.nat(60), fc.constant(0)),
            fc.tuple(fc.constant("share" as const), fc.constant(0), fc.constant(0)),
            fc.tuple(fc.constant("fork" as const), fc.constant(0), fc.constant(0)),
            fc.tuple(fc.constant("clear" as const), fc.constant(0), fc.constant(0)),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const pool = new FramePool({ shared: true, pageSize: 256 });
          let m = new CowMap<number, number>(null, { pool });
          let s = new CowSet<number>(null, { pool });
          const model = new Map<number, number>();
          const snaps: { m: CowMap<number, number>; s: CowSet<number>; model: Map<number, number> }[] = [];
          for (const [op, k, v] of ops) {
            if (op === "set") {
              m.set(k, v);
              s.add(k);
              model.set(k, v);
            } else if (op === "delete") {
              m.delete(k);
              s.delete(k);
              model.delete(k);
            } else if (op === "share") {
              snaps.push({
                m: CowMap.attachShared(m.share()),
                s: CowSet.attachShared(s.share()),
                model: new Map(model),
              });
            } else if (op === "fork") {
              const [fm, fs] = [m.fork(), s.fork()];
              m.release();
              s.release();
              [m, s] = [fm, fs];
            } else {
              m.clear();
              s.clear();
              model.clear();
            }
          }
          for (const x of snaps) {
            expect([...x.m]).toEqual([...x.model]);
            expect([...x.s]).toEqual([...x.model.keys()]);
            x.m.release();
            x.s.release();
          }
          m.release();
          s.release();
          expect(pool.stats().sharedHandles).toBe(0);
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
