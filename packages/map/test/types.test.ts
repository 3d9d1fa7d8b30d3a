import { type CowKey, CowMap, CowSet } from "@pagefork/map";
import { describe, expect, expectTypeOf, it } from "vitest";

/**
 * Type tests: checked by `pnpm typecheck` (tsc over the tests), run by vitest
 * only for the values. Key types are widened as native Map/Set infer them:
 * `CowMap.from([["alice", 1]])` is a `CowMap<string, number>`, not a map whose
 * only possible key is "alice".
 */
describe("inferred types", () => {
  it("widen literal key types in from() and the constructors, as new Map([...]) does", () => {
    const v2 = CowMap.from([["alice", 1]]);
    v2.set("carol", 2);
    expectTypeOf(v2).toEqualTypeOf<CowMap<string, number>>();
    const m = new CowMap([
      ["alice", { id: 1 }],
      ["bob", { id: 2 }],
    ]);
    m.set("carol", { id: 3 });
    expectTypeOf(m).toEqualTypeOf<CowMap<string, { id: number }>>();
    const mixed = new CowMap<string | number, number>([
      ["alice", 1],
      [2, 3],
    ]); // as for new Map(...), keys of several types are given explicitly
    mixed.set(7, 1);
    const s = CowSet.from(["a", "b"]);
    s.add("c");
    expectTypeOf(s).toEqualTypeOf<CowSet<string>>();
    const t = new CowSet([1n, true]);
    t.add(2n).add(false);
    expectTypeOf(t).toEqualTypeOf<CowSet<bigint | boolean>>();
    const e = new CowMap<string, number>();
    expectTypeOf(e).toEqualTypeOf<CowMap<string, number>>();
    const any = new CowSet();
    expectTypeOf(any).toEqualTypeOf<CowSet<CowKey>>();
    const colors = new CowSet<"red" | "green">(["red"]); // an explicit key type is kept
    expectTypeOf(colors).toEqualTypeOf<CowSet<"red" | "green">>();
    const fromMap = CowMap.from(new Map([[1n, "x"]]));
    expectTypeOf(fromMap).toEqualTypeOf<CowMap<bigint, string>>();
    class Tags extends CowSet<string> {}
    expectTypeOf(new Tags(["x"])).toMatchTypeOf<CowSet<string>>();
    const refused = [
      // @ts-expect-error objects cannot be keys
      () => new CowMap([[{}, 1]]),
      // @ts-expect-error objects cannot be elements
      () => CowSet.from([{ id: 1 }]),
    ];
    expect([v2.size, m.size, mixed.size, s.size, t.size, colors.size, fromMap.size, refused.length]).toEqual([
      2, 3, 3, 3, 4, 1, 1, 2,
    ]);
    for (const x of [v2, m, mixed, s, t, e, any, colors, fromMap]) x.release();
  });
});
