/**
 * A map's or set's draft iterator, like every other use of a draft (and a
 * list draft's iterator), stops with DraftError once its `produce` recipe
 * has returned or thrown. Before the fix, an iterator started in the recipe
 * went on reading after it: the committed version's entries (making drafts
 * of a finished session for record values), or ReleasedError when the
 * recipe changed nothing or threw (the session's fork released).
 */
import { createState, DraftError, produce, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const R = t.struct({ n: t.u32 });
const S = t.struct({ m: t.map(t.string, R), s: t.set(t.string), l: t.list(t.u32) });

describe.each([
  ["a recipe that changed something", "change"],
  ["a recipe that changed nothing", "none"],
  ["a recipe that threw", "throw"],
] as const)("after %s", (_name, how) => {
  it("every started or unstarted map and set draft iterator throws DraftError", () => {
    const p = pool();
    const s0 = createState(
      S,
      {
        m: new Map([
          ["a", { n: 1 }],
          ["b", { n: 2 }],
          ["c", { n: 3 }],
        ]),
        s: new Set(["x", "y", "z"]),
        l: [1, 2, 3],
      },
      { pool: p },
    );
    let its: Iterator<unknown>[] = [];
    let s1 = s0;
    try {
      s1 = produce(s0, (d) => {
        its = [
          d.m.keys(),
          d.m.values(),
          d.m.entries(),
          d.m[Symbol.iterator](),
          d.s.values(),
          d.s.keys(),
          d.s.entries(),
          d.l[Symbol.iterator](),
        ];
        for (const i of its) expect(i.next().done).toBe(false); // started inside the recipe
        its.push(d.m.keys(), d.s.values()); // not started
        if (how !== "none") d.s.add("w");
        if (how === "throw") throw new Error("recipe failed");
      });
    } catch (e) {
      expect((e as Error).message).toBe("recipe failed");
    }
    for (const i of its) expect(() => i.next()).toThrow(DraftError);
    expect([...s1.root.s]).toEqual(how === "change" ? ["x", "y", "z", "w"] : ["x", "y", "z"]);
    if (s1 !== s0) s1.release();
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
