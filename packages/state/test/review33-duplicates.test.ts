/**
 * Review 33: the same record twice in one list or map (`d.todos = [...d.todos,
 * d.todos[0]]`, `[a, a]`, `d.byId.set("x", d.todos[0])`). A tree holds a node
 * once, so the second place gets a copy: two independent records with equal
 * content, as Immer's result read back (Immer's holds one object twice; a
 * later produce drafts each place apart, so a write to one changes one place,
 * as ours). The first place keeps the record's identity (a record taken out
 * and put back moves). Patches and their inverse carry both places; Immer's
 * applyPatches takes them on the JSON; no frame leaks.
 */
import { FramePool } from "@pagefork/core";
import { applyPatches, createState, current, produce, produceWithPatches, t } from "@pagefork/state";
import { enableMapSet, enablePatches, applyPatches as immerApply, produce as immerProduce, setAutoFreeze } from "immer";
import { describe, expect, it } from "vitest";
import { ordered } from "./support/immer-recipes.js";

enablePatches();
enableMapSet();
setAutoFreeze(false);

const Todo = t.struct({ id: t.string, done: t.bool, sub: t.list(t.string) });
const App = t.struct({ todos: t.list(Todo), byId: t.map(t.string, Todo) });
type AppIn = t.Input<typeof App>;
const todo = (i: number) => ({ id: `t${i}`, done: false, sub: [`s${i}`] });
const input = (n: number): AppIn => ({
  todos: Array.from({ length: n }, (_, i) => todo(i)),
  byId: new Map([["k", todo(99)]]),
});

// biome-ignore lint/suspicious/noExplicitAny: one recipe for our draft and Immer's
type Recipe = (d: any) => void;
const recipes: [string, Recipe][] = [
  [
    "[...d.todos, d.todos[0]]",
    (d) => {
      d.todos = [...d.todos, d.todos[0]];
    },
  ],
  [
    "[a, a] (a the first)",
    (d) => {
      d.todos = [d.todos[0], d.todos[0]];
    },
  ],
  [
    "[b, b] (b the last)",
    (d) => {
      d.todos = [d.todos[2], d.todos[2]];
    },
  ],
  [
    "[c, b, b, a] (all taken out)",
    (d) => {
      d.todos = [d.todos[2], d.todos[1], d.todos[1], d.todos[0]];
    },
  ],
  [
    "[{ ...a }, { ...a }]",
    (d) => {
      d.todos = [{ ...d.todos[0] }, { ...d.todos[0] }];
    },
  ],
  [
    "splice(1, 0, a, a) after taking a out",
    (d) => {
      const [a] = d.todos.splice(0, 1);
      d.todos.splice(1, 0, a, a);
    },
  ],
  ["push(d.todos[1])", (d) => void d.todos.push(d.todos[1])],
  ["byId.set(x, d.todos[0])", (d) => void d.byId.set("x", d.todos[0])],
  [
    "new Map(d.byId).set(y, d.byId.get(k))",
    (d) => {
      d.byId = new Map(d.byId).set("y", d.byId.get("k"));
    },
  ],
];

describe("review 33: the same record twice in a list or map", () => {
  for (const [name, recipe] of recipes)
    it(`${name}: as Immer's result, patches both ways, independent places afterwards, no leak`, () => {
      const pool = new FramePool({ pageSize: 256 });
      const s0 = createState(App, input(3), { pool });
      const json0 = s0.toJSON() as object;
      const [s1, patches, inverse] = produceWithPatches(s0, recipe);
      const plain1 = immerProduce(current(s0.root) as object, recipe);
      expect(ordered(current(s1.root))).toEqual(ordered(plain1));
      const json1 = s1.toJSON() as object;
      expect(immerApply(json0, patches as never)).toEqual(json1);
      expect(immerApply(json1, inverse as never)).toEqual(json0);
      const wire = JSON.parse(JSON.stringify(patches));
      const replayed = applyPatches(s0, wire);
      expect(ordered(current(replayed.root))).toEqual(ordered(plain1));
      const back = applyPatches(s1, JSON.parse(JSON.stringify(inverse)));
      expect(ordered(current(back.root))).toEqual(ordered(current(s0.root)));
      // every place is a record of its own: a write to each changes that place only
      const todos = s1.root.todos;
      const views = [...todos, ...s1.root.byId.values()];
      expect(new Set(views).size).toBe(views.length);
      const s2 = produce(s1, (d) => {
        d.todos[d.todos.length - 1]!.done = true;
        d.todos[d.todos.length - 1]!.sub.push("w");
      });
      const last = todos.length - 1;
      expect(s2.root.todos.map((x) => x.done)).toEqual(todos.map((_, k) => k === last));
      expect(s2.root.todos.map((x) => x.sub.length)).toEqual(todos.map((x, k) => x.sub.length + (k === last ? 1 : 0)));
      expect(s1.toJSON()).toEqual(json1);
      for (const s of [s2, replayed, back, s1, s0]) s.release();
      expect(pool.framesInUse).toBe(0);
    });

  it("the first place keeps the record's identity when it was taken out; the copy is a new record", () => {
    const s0 = createState(App, input(3));
    const [a, b, c] = s0.root.todos as unknown as object[];
    const s1 = produce(s0, (d) => {
      d.todos = [d.todos[2]!, d.todos[1]!, d.todos[1]!, d.todos[0]!];
    });
    const r = s1.root.todos;
    expect(r[0] === c).toBe(true);
    expect(r[1] === b).toBe(true);
    expect(r[2] === b).toBe(false);
    expect(r[3] === a).toBe(true);
    expect(r[2]!.sub === r[1]!.sub).toBe(false);
    s1.release();
    s0.release();
  });

  it("inside one recipe, a write through one place changes that place only (Immer's would change both)", () => {
    const s0 = createState(App, input(2));
    const s1 = produce(s0, (d) => {
      d.todos = [...d.todos, d.todos[0]!];
      d.todos[0]!.done = true;
    });
    expect(s1.root.todos.map((x) => x.done)).toEqual([true, false, false]);
    s1.release();
    s0.release();
  });
});
