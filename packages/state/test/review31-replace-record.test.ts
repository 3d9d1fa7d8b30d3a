/**
 * Review 31: a record given plain data away from the root keeps what the
 * data carries over (regression: `d.project = { ...d.project, name }` built
 * a new record from the data and copied everything under it: its list of 200
 * todo records, 488 frames where 9 do, and a new view for every row, so every
 * `React.memo` row re-rendered; `d.todos[i] = { ...d.todos[i], done: true }`
 * copied the todo's set and nested record). Immer's new object keeps the
 * drafts spread into it, so their originals keep their identity. Now such a
 * record is a new record that takes over the old one's children; the old
 * record's draft keeps reading its own fields and shares those children, as
 * Immer's draft of the old object does. Checked against Immer itself
 * (results, patches both ways, Immer's applyPatches), with a frame-leak check.
 */
import { FramePool } from "@pagefork/core";
import { applyPatches, createState, produce, produceWithPatches, t } from "@pagefork/state";
import fc from "fast-check";
import {
  enableMapSet,
  enablePatches,
  applyPatches as immerApply,
  produceWithPatches as immerPwp,
  setAutoFreeze,
} from "immer";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { expectRoundTrip } from "./support/round-trip.js";

enablePatches();
enableMapSet();
setAutoFreeze(false);

const Meta = t.struct({ n: t.u32, note: t.string, marks: t.list(t.u8) });
const Todo = t.struct({ id: t.string, done: t.bool, meta: Meta, sub: t.list(t.string) });
const App = t.struct({
  project: t.struct({ name: t.string, todos: t.list(Todo) }),
  todos: t.list(Todo),
  byId: t.map(t.string, Todo),
});
type TodoIn = t.Input<typeof Todo>;

const todo = (i: number): TodoIn => ({
  id: `t${i}`,
  done: i % 2 === 0,
  meta: { n: i, note: `n${i}`, marks: [i % 7] },
  sub: [`s${i}`],
});
const input = (n = 4) => ({
  project: { name: "p", todos: Array.from({ length: n }, (_, i) => todo(i)) },
  todos: [todo(100), todo(101), todo(102)],
  byId: new Map([["k", todo(200)]]),
});

describe("review 31: a record given plain data away from the root keeps what it carries over", () => {
  it("d.project = { ...d.project, name }: the todos keep their views and take no frame", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(200), { pool });
    const frames = pool.framesInUse;
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.project = { ...d.project, name: "q" };
    });
    expect(s1.root.project.name).toBe("q");
    expect(s1.root.project).not.toBe(s0.root.project);
    expect(s1.root.project.todos).toBe(s0.root.project.todos);
    expect(s1.root.project.todos[7]).toBe(s0.root.project.todos[7]);
    expect(pool.framesInUse - frames).toBeLessThan(20); // was 488: a copy of every todo
    expect(patches).toEqual([
      { op: "replace", path: ["project"], value: (s1.toJSON() as { project: unknown }).project },
    ]);
    expectRoundTrip(pool, s0, s1, patches, inverse);
  });

  it("a list element and a map value given a spread keep their children, equal content too", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(), { pool });
    const s1 = produce(s0, (d) => {
      d.todos[1] = { ...d.todos[1]!, done: true };
      const k = d.byId.get("k")!;
      d.byId.set("k", { ...k, meta: { ...k.meta, n: 5 } });
    });
    const [a, b] = [s0.root.todos[1]!, s1.root.todos[1]!];
    expect([b.done, b.meta, b.sub]).toEqual([true, a.meta, a.sub]);
    expect(b.meta).toBe(a.meta);
    expect(b.sub).toBe(a.sub);
    const [ka, kb] = [s0.root.byId.get("k")!, s1.root.byId.get("k")!];
    expect(kb.meta.n).toBe(5);
    expect(kb.meta.marks).toBe(ka.meta.marks);
    expect(kb.sub).toBe(ka.sub);
    // equal content: a new record all the same, as Immer's assignment of a new object, its children kept
    const s2 = produce(s0, (d) => {
      d.todos[0] = { ...d.todos[0]! };
    });
    expect(s2.root.todos[0]).not.toBe(s0.root.todos[0]);
    expect(s2.root.todos[0]!.meta).toBe(s0.root.todos[0]!.meta);
    expect(s2.toJSON()).toEqual(s0.toJSON());
    s2.release();
    for (const s of [s1, s0]) s.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("the old record's draft: its own fields stay, its children are shared, writes to it change nothing, put back it is a copy", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(), { pool });
    const s1 = produce(s0, (d) => {
      const old = d.todos[0]!;
      d.todos[0] = { ...old, done: !old.done, id: "new" };
      expect([old.id, old.done]).toEqual(["t100", true]);
      expect(old.meta).toBe(d.todos[0]!.meta); // one draft, as Immer's spread shares it
      old.meta.n = 42; // reaches the new record, as in Immer
      old.id = "lost"; // the old record is out of the tree
      old.sub = ["gone"];
      old.meta = { n: 1, note: "", marks: [] };
      d.todos.push(old); // a copy: the new record holds its children
      d.todos[3]!.sub.push("copy only");
    });
    expect((s1.toJSON() as { todos: TodoIn[] }).todos.map((x) => [x.id, x.meta.n, x.sub])).toEqual([
      ["new", 42, ["s100"]],
      ["t101", 101, ["s101"]],
      ["t102", 102, ["s102"]],
      ["lost", 1, ["gone", "copy only"]],
    ]);
    expect(s1.root.todos[0]!.sub).toBe(s0.root.todos[0]!.sub);
    for (const s of [s1, s0]) s.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("model: spreads over records, writes through old drafts and put-backs, as Immer (results, patches, inverse, frames)", async () => {
    // one step of a recipe, applied to our draft and to Immer's alike
    type Step =
      | { k: "spread"; i: number; done: boolean; n: number | null; sub: boolean }
      | { k: "project"; name: string; filter: number | null }
      | { k: "oldScalar"; n: number }
      | { k: "oldMeta"; n: number }
      | { k: "oldReplaceMeta"; n: number }
      | { k: "oldSubPush"; s: string }
      | { k: "putBack" }
      | { k: "mapSpread"; n: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        k: fc.constant("spread" as const),
        i: fc.nat(5),
        done: fc.boolean(),
        n: fc.option(fc.nat(300)),
        sub: fc.boolean(),
      }),
      fc.record({
        k: fc.constant("project" as const),
        name: fc.string({ maxLength: 3 }),
        filter: fc.option(fc.nat(3)),
      }),
      fc.record({ k: fc.constant("oldScalar" as const), n: fc.nat(9) }),
      fc.record({ k: fc.constant("oldMeta" as const), n: fc.nat(300) }),
      fc.record({ k: fc.constant("oldReplaceMeta" as const), n: fc.nat(300) }),
      fc.record({ k: fc.constant("oldSubPush" as const), s: fc.string({ maxLength: 2 }) }),
      fc.record({ k: fc.constant("putBack" as const) }),
      fc.record({ k: fc.constant("mapSpread" as const), n: fc.nat(300) }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: one recipe for our draft and Immer's plain-data draft
    const recipe = (steps: Step[]) => (d: any) => {
      // biome-ignore lint/suspicious/noExplicitAny: a draft of either kind
      let old: any = null;
      // a list field given an array is spliced in place, as any list draft: a draft of the old
      // record then reads the new elements (Immer's reads the old array), so no writes through it
      let subShared = false;
      // a record put back while the new one holds its children is a copy; in Immer both hold the
      // same child drafts (one draft in two places of the result), so a later write through a
      // draft of the old record's children reaches both there and one here: none after a put-back
      let aliased = false;
      for (const st of steps) {
        const list = d.todos;
        switch (st.k) {
          case "spread": {
            if (list.length === 0) break;
            const i = st.i % list.length;
            old = list[i];
            const next = { ...old, done: st.done };
            if (st.n !== null) next.meta = { ...old.meta, n: st.n };
            subShared = st.sub;
            if (st.sub) next.sub = [...old.sub, "x"];
            list[i] = next;
            break;
          }
          case "project":
            d.project = {
              ...d.project,
              name: st.name,
              todos:
                st.filter === null
                  ? d.project.todos
                  : d.project.todos.filter((_: unknown, j: number) => j !== st.filter),
            };
            break;
          case "oldScalar":
            if (old !== null) old.done = st.n % 2 === 0;
            break;
          case "oldMeta":
            if (old !== null && !aliased) old.meta.n = st.n;
            break;
          case "oldReplaceMeta":
            if (old !== null) old.meta = { n: st.n, note: "r", marks: [1] };
            break;
          case "oldSubPush":
            if (old !== null && !subShared && !aliased) old.sub.push(st.s);
            break;
          case "putBack":
            if (old !== null && !subShared && list.length < 8) {
              list.push(old);
              aliased = true;
              old = null; // in the tree again: Immer's draft and ours would part ways from here on
            }
            break;
          case "mapSpread": {
            const k = d.byId.get("k");
            d.byId.set("k", { ...k, meta: { ...k.meta, n: st.n } });
            old = null;
            break;
          }
        }
      }
    };
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 8 }), fc.integer({ min: 0, max: 6 }), async (steps, n) => {
        if (++runs % 20 === 0) await eventLoopTurns();
        const pool = new FramePool({ pageSize: 256 });
        const s0 = createState(App, input(n), { pool });
        const json0 = s0.toJSON() as { byId: Record<string, unknown> };
        const [s1, patches, inverse] = produceWithPatches(s0, recipe(steps));
        // Immer on plain data: the map as a Map, so that its draft has get/set
        const plain0 = { ...json0, byId: new Map(Object.entries(json0.byId)) };
        const [plain1] = immerPwp(plain0, recipe(steps));
        const expected = { ...plain1, byId: Object.fromEntries(plain1.byId as Map<string, unknown>) };
        expect(s1.toJSON()).toEqual(expected);
        expect(immerApply(json0, patches as never)).toEqual(expected);
        const replayed = applyPatches(s0, patches);
        expect(replayed.toJSON()).toEqual(expected);
        const back = applyPatches(s1, inverse);
        expect(back.toJSON()).toEqual(json0);
        for (const s of [replayed, back, s1, s0]) if (!s.released) s.release();
        expect(pool.framesInUse).toBe(0);
      }),
      { numRuns: Number(process.env.REVIEW31_RUNS ?? 200) },
    );
  });
});
