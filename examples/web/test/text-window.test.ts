/**
 * The text view's window against plain strings: before + inserted + after is
 * the version's text between start and end, the inserted run is what the
 * edit inserted (clipped), the deleted run is what it removed.
 */
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RUN, textWindow } from "../src/trace/text-window.js";

describe("textWindow", () => {
  it("shows the edit's neighbourhood of the version exactly", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 60 }),
        fc.integer({ min: 1, max: 80 }),
        (base, at, del, ins, radius) => {
          const pos = at % (base.length + 1);
          const d = Math.min(del % 20, base.length - pos);
          fc.pre(d > 0 || ins.length > 0);
          const after = base.slice(0, pos) + ins + base.slice(pos + d);
          const previous = CowText.from(base);
          const text = previous.fork();
          if (d > 0) text.delete(pos, d);
          if (ins.length > 0) text.insert(pos, ins);
          const w = textWindow(7, text, { pos, del: d, ins }, previous, radius);
          expect(w.before + w.inserted + w.after).toBe(after.slice(w.start, w.end));
          expect(w.start).toBe(Math.max(0, pos - radius));
          expect(w.end).toBe(Math.min(after.length, pos + ins.length + radius));
          expect(w.inserted).toBe(ins);
          expect(w.deleted).toBe(base.slice(pos, pos + d));
          expect(w.deletedCount).toBe(d);
          expect(w.length).toBe(after.length);
          previous.release();
          text.release();
        },
      ),
      { numRuns: 200 },
    );
  });

  it("starts version 0 at the beginning, and clips a long insertion", () => {
    const v0 = CowText.from("x".repeat(50));
    const w0 = textWindow(0, v0, null, null, 10);
    expect([w0.start, w0.end, w0.before]).toEqual([0, 20, "x".repeat(20)]);
    const long = "y".repeat(MAX_RUN + 500);
    const v1 = v0.fork();
    v1.insert(5, long);
    const w1 = textWindow(1, v1, { pos: 5, del: 0, ins: long }, v0, 10);
    expect(w1.inserted).toBe("y".repeat(MAX_RUN));
    expect(w1.before + w1.inserted + w1.after).toBe(v1.slice(w1.start, w1.end));
    v0.release();
    v1.release();
  });
});
