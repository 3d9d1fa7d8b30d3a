/**
 * Map keys and set elements of kind f32 are stored rounded (`Math.fround`):
 * patches and nested drafts must name them as stored, so that the patches
 * apply to `toJSON()` with Immer's `applyPatches` and give the version's JSON.
 */
import { createState, produceWithPatches, t } from "@pagefork/state";
import { enableMapSet, enablePatches, applyPatches as immerApply } from "immer";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

enableMapSet();
enablePatches();

const S = t.struct({
  mk: t.map(t.f32, t.u8),
  mr: t.map(t.f32, t.struct({ x: t.u8 })),
  s: t.set(t.f32),
});

describe("f32 keys and elements in patches", () => {
  it("name the key as stored: Immer's applyPatches on toJSON gives the version's JSON", () => {
    const p = pool();
    const s0 = createState(
      S,
      { mk: new Map([[0.1, 1]]), mr: new Map([[0.1, { x: 1 }]]), s: new Set([0.1]) },
      { pool: p },
    );
    const [s1, fwd, inv] = produceWithPatches(s0, (d) => {
      d.mk.set(0.3, 2);
      d.mk.set(0.1, 5);
      d.mr.get(0.1)!.x = 7;
      d.mr.set(0.7, { x: 3 });
      d.s.add(0.3);
      d.s.delete(0.1);
    });
    const [s2, fwd2, inv2] = produceWithPatches(s1, (d) => {
      d.mk.delete(0.3);
      d.mr.delete(0.7);
    });
    expect(immerApply(JSON.parse(JSON.stringify(s0)), fwd as never)).toEqual(s1.toJSON());
    expect(immerApply(JSON.parse(JSON.stringify(s1)), inv as never)).toEqual(s0.toJSON());
    expect(immerApply(JSON.parse(JSON.stringify(s1)), fwd2 as never)).toEqual(s2.toJSON());
    expect(immerApply(JSON.parse(JSON.stringify(s2)), inv2 as never)).toEqual(s1.toJSON());
    for (const s of [s2, s1, s0]) s.release();
    expect(p.framesInUse).toBe(0);
  });
});
