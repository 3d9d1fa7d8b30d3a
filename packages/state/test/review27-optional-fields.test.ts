/**
 * Optional and nullable composite fields (texts, lists, typed arrays,
 * records) through patches: the forward patches of a recipe that makes such
 * a field appear, its inverse patches, and `diffPatches` apply (directly and
 * after a JSON round trip) and give the produced version; nothing leaks.
 */
import { applyPatches, createState, diffPatches, produceWithPatches, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({
  a: t.optional(t.text()),
  b: t.nullable(t.text()),
  n: t.u8,
});

describe("an optional text field through patches", () => {
  it("the add of an absent text, its inverse and diffPatches apply", () => {
    const p = pool();
    const s0 = createState(S, { b: null, n: 1 }, { pool: p });
    const [s1, forward, inverse] = produceWithPatches(s0, (d) => {
      d.a = "hi" as never;
      d.b = "yo" as never;
    });
    expect(forward).toContainEqual({ op: "add", path: ["a"], value: "hi" });
    const wire = JSON.parse(JSON.stringify(forward));
    for (const ps of [forward, wire, diffPatches(s0, s1)]) {
      const r = applyPatches(s0, ps);
      expect(r.toJSON()).toEqual(s1.toJSON());
      r.release();
    }
    const [s2, , back] = produceWithPatches(s1, (d) => {
      delete d.a;
      d.b = null;
    });
    expect(back).toContainEqual({ op: "add", path: ["a"], value: "hi" });
    for (const ps of [back, diffPatches(s2, s1)]) {
      const r = applyPatches(s2, ps);
      expect(r.toJSON()).toEqual(s1.toJSON());
      r.release();
    }
    const r = applyPatches(s1, inverse);
    expect(r.toJSON()).toEqual(s0.toJSON());
    for (const s of [r, s2, s1, s0]) s.release();
    expect(p.framesInUse).toBe(0);
  });
});

describe("a splice of an absent or null text", () => {
  it("is a PatchError that names what it found, and changes nothing", () => {
    const p = pool();
    const s0 = createState(S, { b: null, n: 1 }, { pool: p });
    const frames = p.framesInUse;
    for (const path of [["a"], ["b"]])
      expect(() => applyPatches(s0, [{ op: "splice", path, index: 0, deleteCount: 0, insert: "x" }])).toThrow(
        /a splice needs a text, (none|null) found/,
      );
    expect(p.framesInUse).toBe(frames);
    expect(s0.toJSON()).toEqual({ b: null, n: 1 });
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
