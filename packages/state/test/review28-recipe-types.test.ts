/**
 * The recipe types against Immer's: a recipe gets the draft (`t.Draft<S>`,
 * as Immer's `Draft<T>`) and may return nothing (void or undefined), the
 * draft itself, a view (the base's root, or `original(draft)` cast to it) or
 * plain data of the schema (`t.Input<S>`), as Immer's
 * `ValidRecipeReturnType<T>` accepts the draft and the base type; anything
 * else is a type error. This file is typechecked (`pnpm typecheck`): an
 * `@ts-expect-error` that is not needed fails it, as does an accepted form
 * that is refused. At run time each form gives the version it should.
 */
import { createState, produce, produceWithPatches, type Recipe, type State, t } from "@pagefork/state";
import { describe, expect, expectTypeOf, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({ n: t.u8, doc: t.text(), tags: t.set(t.string), l: t.list(t.struct({ x: t.f64 })) });
type S = typeof S;

describe("Recipe types", () => {
  it("the draft parameter is t.Draft<S>", () => {
    expectTypeOf<Parameters<Recipe<S>>[0]>().toEqualTypeOf<t.Draft<S>>();
  });

  it("a recipe may return void, undefined, the draft, a view or plain data", () => {
    const p = pool();
    const s0: State<S> = createState(S, { n: 1, doc: "a", tags: new Set(["x"]), l: [{ x: 1 }] }, { pool: p });
    const returnsVoid: Recipe<S> = (d) => {
      d.n = 2;
    };
    const returnsUndefined: Recipe<S> = (d) => {
      d.n = 3;
      return undefined;
    };
    const returnsDraft: Recipe<S> = (d) => {
      d.doc.insert(1, "b");
      return d;
    };
    const returnsBaseView: Recipe<S> = () => s0.root;
    const returnsInput: Recipe<S> = () => ({ n: 4, doc: "z", tags: ["y"], l: [] });
    const curried = produce((d: t.Draft<S>, n: number) => {
      d.n = n;
      return d;
    });
    expectTypeOf(curried).toBeCallableWith(s0, 9);
    // the curried form keeps the recipe's extra parameters (typechecked, never called)
    const wrongArgument = () => {
      // @ts-expect-error a string where the recipe takes a number
      curried(s0, "9");
    };
    expect(typeof wrongArgument).toBe("function");
    const s1 = produce(s0, returnsVoid);
    const s2 = produce(s0, returnsUndefined);
    const s3 = produce(s0, returnsDraft);
    const s4 = produce(s0, returnsBaseView);
    const s5 = produce(s0, returnsInput);
    const s6 = curried(s0, 9);
    const [s7] = produceWithPatches(s0, (d) => {
      d.tags.add("q");
      return d;
    });
    expect([s1.root.n, s2.root.n, String(s3.root.doc), s4 === s0, s5.root.n, s6.root.n, s7.root.tags.has("q")]).toEqual(
      [2, 3, "ab", true, 4, 9, true],
    );
    for (const s of new Set([s7, s6, s5, s4, s3, s2, s1, s0])) s.release();
    expect(p.framesInUse).toBe(0);
  });

  it("an async recipe may return the draft", async () => {
    const p = pool();
    const s0 = createState(S, { n: 1, doc: "", tags: [], l: [] }, { pool: p });
    const s1 = await produce(s0, async (d) => {
      d.n = 5;
      return d;
    });
    expect(s1.root.n).toBe(5);
    for (const s of [s1, s0]) s.release();
    expect(p.framesInUse).toBe(0);
  });

  it("other returns are type errors", () => {
    // @ts-expect-error a number is no value of the schema
    const a: Recipe<S> = () => 5;
    // @ts-expect-error a part of the draft is not the whole state
    const b: Recipe<S> = (d) => d.l;
    // @ts-expect-error plain data missing a field
    const c: Recipe<S> = () => ({ n: 1 });
    expect([typeof a, typeof b, typeof c]).toEqual(["function", "function", "function"]);
  });
});
