/**
 * What a recipe returns (Immer's rules): the base's own root view gives the
 * base back (no copy, no frame, every view kept); the root view of another
 * version is a replacement; returning a value after modifying the draft is
 * a DraftError that changes nothing.
 */
import { createState, DraftError, original, produce, produceWithPatches, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({ n: t.u8, items: t.list(t.struct({ x: t.u8 })), doc: t.text(), m: t.map(t.string, t.u8) });

function setup() {
  const p = pool();
  const s0 = createState(S, { n: 1, items: [{ x: 1 }, { x: 2 }], doc: "hey", m: new Map([["a", 1]]) }, { pool: p });
  return { p, s0 };
}

describe("a recipe returning its base", () => {
  it("base.root: the base itself, no frame taken, no patch", () => {
    const { p, s0 } = setup();
    const frames = p.framesInUse;
    const item = s0.root.items[0];
    expect(produce(s0, () => s0.root as never)).toBe(s0);
    const [n, patches, inverse] = produceWithPatches(s0, () => s0.root as never);
    expect(n).toBe(s0);
    expect(patches).toEqual([]);
    expect(inverse).toEqual([]);
    expect(produce(s0, (d) => original(d) as never)).toBe(s0);
    expect(p.framesInUse).toBe(frames);
    expect(s0.root.items[0]).toBe(item);
    s0.release();
    expect(p.framesInUse).toBe(0);
  });

  it("a fork's root (the same node contents): the base itself", () => {
    const { p, s0 } = setup();
    const f = s0.fork();
    const frames = p.framesInUse;
    expect(produce(s0, () => f.root as never)).toBe(s0);
    expect(p.framesInUse).toBe(frames);
    f.release();
    s0.release();
    expect(p.framesInUse).toBe(0);
  });

  it("another version's root: a replacement equal to it", () => {
    const { p, s0 } = setup();
    const s1 = produce(s0, (d) => {
      d.n = 2;
      d.doc.insert(3, "!");
    });
    const s2 = produce(s0, () => s1.root as never);
    expect(s2).not.toBe(s0);
    expect(s2.toJSON()).toEqual(s1.toJSON());
    for (const s of [s2, s1, s0]) s.release();
    expect(p.framesInUse).toBe(0);
  });

  it("modifying the draft and returning base.root: DraftError, nothing changes", () => {
    const { p, s0 } = setup();
    const json = JSON.stringify(s0);
    const frames = p.framesInUse;
    expect(() =>
      produce(s0, (d) => {
        d.n = 9;
        return s0.root as never;
      }),
    ).toThrow(DraftError);
    expect(JSON.stringify(s0)).toBe(json);
    expect(p.framesInUse).toBe(frames);
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
