/**
 * Review 25: CowText handles whose root or height cannot be a text's are
 * refused before the space is attached (the genuine handle stays
 * attachable); shared texts read their share()-time contents while the owner
 * edits, against plain strings.
 */
import { FramePool, InvalidHandleError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { CowText } from "../src/index.js";

describe("CowText.attachShared refuses a root or height that is not a text's", () => {
  const cases: [string, (h: ReturnType<CowText["share"]>) => object][] = [
    ["root past the space", (h) => ({ ...h, root: 2 ** 40 })],
    ["root off a page boundary", (h) => ({ ...h, root: h.root + 4 })],
    ["height 100", (h) => ({ ...h, height: 100 })],
  ];
  for (const [name, forge] of cases)
    it(name, () => {
      const pool = new FramePool({ shared: true, pageSize: 256 });
      const text = "hello world ".repeat(100);
      const doc = CowText.from(text, { pool });
      const h = doc.share();
      let caught: unknown;
      try {
        CowText.attachShared(forge(h) as typeof h);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidHandleError);
      expect((caught as InvalidHandleError).reason).toBe("forged");
      expect(pool.stats().sharedHandles).toBe(1);
      const seen = CowText.attachShared(h);
      expect(seen.toString()).toBe(text);
      seen.release();
      doc.release();
      expect(pool.framesInUse).toBe(0);
    });
});

describe("shared texts against strings taken at share()", () => {
  it("reads never change while the owner inserts, deletes and forks", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 600 }),
        fc.array(
          fc.oneof(
            fc.tuple(fc.constant("insert" as const), fc.nat(), fc.string({ maxLength: 80 })),
            fc.tuple(fc.constant("delete" as const), fc.nat(), fc.nat(120)),
            fc.tuple(fc.constant("share" as const), fc.nat(), fc.constant("")),
            fc.tuple(fc.constant("fork" as const), fc.nat(), fc.constant("")),
          ),
          { maxLength: 40 },
        ),
        (init, ops) => {
          const pool = new FramePool({ shared: true, pageSize: 256 });
          let doc = CowText.from(init, { pool });
          let model = init;
          const snaps: { t: CowText; model: string }[] = [];
          for (const [op, at, x] of ops) {
            if (op === "insert") {
              const i = at % (model.length + 1);
              doc.insert(i, x);
              model = model.slice(0, i) + x + model.slice(i);
            } else if (op === "delete" && model.length > 0) {
              const i = at % model.length;
              const n = Math.min(typeof x === "number" ? x : 0, model.length - i);
              doc.delete(i, n);
              model = model.slice(0, i) + model.slice(i + n);
            } else if (op === "share") {
              snaps.push({ t: CowText.attachShared(doc.share()), model });
            } else if (op === "fork") {
              const f = doc.fork();
              doc.release();
              doc = f;
            }
          }
          expect(doc.toString()).toBe(model);
          for (const s of snaps) {
            expect(s.t.toString()).toBe(s.model);
            s.t.release();
          }
          doc.release();
          expect(pool.stats().sharedHandles).toBe(0);
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: runs(40) },
    );
  });
});
