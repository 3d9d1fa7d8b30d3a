/**
 * Sparse arrays as values. Before: the codec wrote each hole as undefined
 * plus a patch deleting it again on decode, so `a[199_999] = 1` stored
 * 3.4 MB (17 bytes a hole) and a length-1e6 one took seconds to set and
 * to read back (structuredClone: milliseconds). Now the snapshot holds the
 * elements only and one patch per array lists the runs of holes; decoding
 * spreads the elements back in place. Checked here by what a stored value
 * costs in pages (never by time), and by exact round
 * trips: holes where they were, length, elements between the runs (with
 * the other patches: -0, lone surrogates, boxed primitives), identity and
 * cycles through the array; values written with a patch per hole (before
 * this change) still decode.
 */
import { FramePool } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { decode } from "../src/codec.js";
import { differ } from "./arbitraries.js";

describe("sparse arrays as values", () => {
  it("cost their runs of holes, not a patch per hole", () => {
    const pool = new FramePool({ pageSize: 4096 });
    const m = new CowMap<string, unknown>(null, { pool });
    const n = 200_000;
    const a: unknown[] = [];
    a[n - 1] = 1;
    a[5] = -0;
    a[70_000] = { s: "\ud800" };
    const base = m.stats().rss;
    m.set("k", a);
    // A patch per hole made it 3.4 MB (17 bytes a hole); now the elements and the runs: 2 pages.
    expect(m.stats().rss - base).toBeLessThanOrEqual(4 * 4096);
    const b = m.get("k") as unknown[];
    expect(differ(b, structuredClone(a))).toBe("");
    expect(Object.keys(b)).toEqual(["5", "70000", String(n - 1)]);
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("property: arrays of runs of holes and elements round-trip as structuredClone's copy", () => {
    const element = fc.oneof(
      fc.integer(),
      fc.constantFrom(-0, undefined, null, "\udc00x", Number.NaN),
      fc.constant("boxed").map(() => new Number(-0)),
      fc.constant("self"),
    );
    // Runs: [holes, elements...] alternating, so both decode paths (mostly holes or not) are met.
    const runs = fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.array(element, { maxLength: 4 })), {
      maxLength: 6,
    });
    fc.assert(
      fc.property(runs, fc.integer({ min: 0, max: 30 }), fc.boolean(), (spec, tail, shared) => {
        const pool = new FramePool({ pageSize: 256 });
        const m = new CowMap<string, unknown>(null, { pool });
        const a: unknown[] = [];
        let i = 0;
        for (const [gap, elements] of spec) {
          i += gap;
          for (const e of elements) a[i++] = e === "self" ? a : e;
        }
        a.length = i + tail;
        const value = shared ? { first: a, again: [a], map: new Map([[1, a]]) } : a;
        m.set("k", value);
        const got = m.get("k");
        expect(differ(got, structuredClone(value))).toBe("");
        const arr = (shared ? (got as { first: unknown[] }).first : got) as unknown[];
        expect(Object.keys(arr)).toEqual(Object.keys(a));
        m.release();
        expect(pool.stats().framesInUse).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("a value written with one patch per hole (the format before) still decodes", () => {
    const packr = new Packr({ structuredClone: true, useToJSON: false, copyBuffers: true });
    const a = [undefined, 1, undefined, undefined];
    const bytes = packr.pack([
      a,
      [
        [a, 0, 0, [2]],
        [a, 0, 2, [2]],
        [a, 0, 3, [2]],
      ],
    ]);
    const got = decode(bytes, true) as unknown[];
    expect(got.length).toBe(4);
    expect(Object.keys(got)).toEqual(["1"]);
  });
});
