/**
 * CowText share() / attachShared() / transferCopy(): the handle crosses a
 * structured clone (what postMessage does); packages/core/test/share.test.ts
 * runs the mechanism across real worker threads.
 */
import { FramePool, InvalidHandleError, ProtectionFault, SharingUnavailableError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { CowText } from "../src/index.js";

describe("CowText share", () => {
  it("edits after share() never change what the attached text reads; every frame comes back", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 3000 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(20), fc.string({ maxLength: 30 })), { maxLength: 30 }),
        (init, edits) => {
          const pool = new FramePool({ shared: true, pageSize: 256 });
          const doc = CowText.from(init, { pool });
          const handle = structuredClone(doc.share());
          let model = init;
          for (const [at, del, ins] of edits) {
            const p = at % (model.length + 1);
            const d = Math.min(del, model.length - p);
            doc.delete(p, d);
            doc.insert(p, ins);
            model = model.slice(0, p) + ins + model.slice(p + d);
          }
          expect(doc.toString()).toBe(model);
          const seen = CowText.attachShared(handle);
          expect(seen.toString()).toBe(init);
          expect(() => seen.insert(0, "x")).toThrow(ProtectionFault);
          const mine = seen.fork();
          mine.insert(0, "x");
          expect(mine.toString()).toBe(`x${init}`);
          expect(seen.toString()).toBe(init);
          mine.release();
          seen.release();
          doc.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it("transferCopy works on any pool; bad handles and plain pools get typed errors", () => {
    const plain = CowText.from("héllo 👋");
    expect(() => plain.share()).toThrow(SharingUnavailableError);
    const copy = plain.transferCopy();
    expect(CowText.attachShared(copy).toString()).toBe("héllo 👋");
    for (const bad of [null, {}, { format: "pagefork.shared-array/1" }, { ...copy, root: 0 }]) {
      expect(() => CowText.attachShared(bad as never)).toThrow(InvalidHandleError);
    }
    plain.release();
  });
});
