/**
 * Review 32: plain arrays assigned over a list whose items are the list's own
 * records, some of them spreads of one (`d.todos = d.todos.map((x) => x.id ===
 * id ? { ...x, done: true } : x)`, the most common React idiom; also a draft's
 * `splice(i, 1, { ...d.todos[i], done: true })`, sorted or reversed copies
 * with a spread in them). Regression: the spread record was built from the
 * data, copying its children (a new view for its nested record and list, and
 * their frames). Now a spread of a record the splice takes out becomes a
 * record taking over that record's children (as `d.todos[i] = { ...d.todos[i] }`
 * does since review 31), so, as with Immer, its children keep their identity.
 * Checked against Immer itself (results, patches both ways, Immer's
 * applyPatches) with a frame-leak check.
 */
import { FramePool } from "@pagefork/core";
import { applyPatches, createState, produce, produceWithPatches, t } from "@pagefork/state";
import fc from "fast-check";
import { enablePatches, applyPatches as immerApply, produceWithPatches as immerPwp, setAutoFreeze } from "immer";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { expectRoundTrip } from "./support/round-trip.js";

enablePatches();
setAutoFreeze(false);

const Meta = t.struct({ n: t.u32, note: t.string, marks: t.list(t.u8) });
const Todo = t.struct({ id: t.string, done: t.bool, meta: Meta, sub: t.list(t.string) });
const App = t.struct({ todos: t.list(Todo), other: t.list(Todo) });
type TodoIn = t.Input<typeof Todo>;

const todo = (i: number): TodoIn => ({
  id: `t${i}`,
  done: i % 2 === 0,
  meta: { n: i, note: `n${i}`, marks: [i % 7] },
  sub: [`s${i}`],
});
const input = (n: number) => ({
  todos: Array.from({ length: n }, (_, i) => todo(i)),
  other: [todo(1000)],
});

describe("review 32: an array of a list's own records with spreads keeps what they carry over", () => {
  it("d.todos = d.todos.map(toggle one): every row and the toggled row's children keep their views, a handful of frames", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(200), { pool });
    const frames = pool.framesInUse;
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.todos = d.todos.map((x) => (x.id === "t57" ? { ...x, done: !x.done } : x));
    });
    const [a, b] = [s0.root.todos, s1.root.todos];
    expect(b[57]!.done).toBe(!a[57]!.done);
    expect(b[57]).not.toBe(a[57]);
    expect(b[57]!.meta).toBe(a[57]!.meta);
    expect(b[57]!.sub).toBe(a[57]!.sub);
    expect(b[56]).toBe(a[56]);
    expect(b[58]).toBe(a[58]);
    expect(pool.framesInUse - frames).toBeLessThan(12);
    expect(patches).toEqual([{ op: "replace", path: ["todos"], value: (s1.toJSON() as { todos: unknown }).todos }]);
    expectRoundTrip(pool, s0, s1, patches, inverse);
  });

  it("a nested map (every composite field given new data) keeps the nested nodes its data carries over", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(6), { pool });
    const a = s0.root.todos;
    const s1 = produce(s0, (d) => {
      d.todos = d.todos.map((x) =>
        x.id === "t3" ? { ...x, meta: { ...x.meta, n: 99 }, sub: x.sub.map((v) => `${v}!`) } : x,
      );
    });
    const b = s1.root.todos;
    expect(b[3]!.meta.n).toBe(99);
    expect(b[3]!.sub).toEqual(["s3!"]);
    expect(b[3]!.meta.marks === a[3]!.meta.marks).toBe(true); // was a copy
    expect(b[2] === a[2]).toBe(true);
    s1.release();
    s0.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("splice(i, 1, spread), a sorted copy and a reversed copy with a spread keep the children", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(6), { pool });
    const a = s0.root.todos;
    const s1 = produce(s0, (d) => {
      d.todos.splice(2, 1, { ...d.todos[2]!, done: true });
    });
    expect(s1.root.todos[2]!.meta).toBe(a[2]!.meta);
    expect(s1.root.todos[2]!.sub).toBe(a[2]!.sub);
    const s2 = produce(s0, (d) => {
      d.todos = [...d.todos].reverse().map((x) => (x.id === "t1" ? { ...x, id: "one" } : x));
    });
    const r = s2.root.todos;
    expect(r.map((x) => x.id)).toEqual(["t5", "t4", "t3", "t2", "one", "t0"]);
    expect(r[4]!.meta).toBe(a[1]!.meta);
    expect(r[4]!.sub).toBe(a[1]!.sub);
    expect(r[0]).toBe(a[5]);
    const s3 = produce(s0, (d) => {
      d.todos = d.todos
        .slice()
        .sort((x, y) => y.meta.n - x.meta.n)
        .map((x) => ({ ...x, done: true }));
    });
    const q = s3.root.todos;
    for (let i = 0; i < 6; i++) {
      expect(q[i]!.meta).toBe(a[5 - i]!.meta);
      expect(q[i]!.sub).toBe(a[5 - i]!.sub);
      expect(q[i]!.done).toBe(true);
    }
    for (const s of [s1, s2, s3, s0]) s.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("review 32: model of array idioms over a list of records, as Immer", () => {
  type Step =
    | { k: "toggle"; i: number }
    | { k: "metaSpread"; i: number; n: number }
    | { k: "filter"; i: number }
    | { k: "append"; n: number; spread: boolean }
    | { k: "sortCopy"; by: "n" | "id"; spreadAll: boolean }
    | { k: "reverseCopy"; i: number }
    | { k: "spliceSpread"; i: number }
    | { k: "allSpread" }
    | { k: "childWrite"; i: number; n: number }
    | { k: "subPush"; i: number; s: string }
    | { k: "oldWrite"; n: number }
    | { k: "dup"; i: number }
    | { k: "sameMap" }
    | { k: "nested"; i: number; n: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ k: fc.constant("toggle" as const), i: fc.nat(7) }),
    fc.record({ k: fc.constant("metaSpread" as const), i: fc.nat(7), n: fc.nat(300) }),
    fc.record({ k: fc.constant("filter" as const), i: fc.nat(7) }),
    fc.record({ k: fc.constant("append" as const), n: fc.nat(300), spread: fc.boolean() }),
    fc.record({
      k: fc.constant("sortCopy" as const),
      by: fc.constantFrom("n" as const, "id" as const),
      spreadAll: fc.boolean(),
    }),
    fc.record({ k: fc.constant("reverseCopy" as const), i: fc.nat(7) }),
    fc.record({ k: fc.constant("spliceSpread" as const), i: fc.nat(7) }),
    fc.record({ k: fc.constant("allSpread" as const) }),
    fc.record({ k: fc.constant("childWrite" as const), i: fc.nat(7), n: fc.nat(300) }),
    fc.record({ k: fc.constant("subPush" as const), i: fc.nat(7), s: fc.string({ maxLength: 2 }) }),
    fc.record({ k: fc.constant("oldWrite" as const), n: fc.nat(300) }),
    fc.record({ k: fc.constant("dup" as const), i: fc.nat(7) }),
    fc.record({ k: fc.constant("sameMap" as const) }),
    fc.record({ k: fc.constant("nested" as const), i: fc.nat(7), n: fc.nat(300) }),
  );
  // One recipe for our draft and Immer's. `aliased`: a spread of a record that stays in the list
  // (Immer's result holds one child draft in two places, ours a copy): no child writes after it.
  // biome-ignore lint/suspicious/noExplicitAny: one recipe for our draft and Immer's plain-data draft
  const recipe = (steps: Step[], flags: { aliased: boolean }) => (d: any) => {
    // biome-ignore lint/suspicious/noExplicitAny: a draft of either kind
    let old: any = null;
    let aliased = false;
    // biome-ignore lint/suspicious/noExplicitAny: a draft of either kind
    const at = (i: number): any => d.todos[i % d.todos.length];
    for (const st of steps) {
      const n = d.todos.length;
      switch (st.k) {
        case "toggle": {
          if (n === 0) break;
          const id = at(st.i).id;
          old = at(st.i);
          // biome-ignore lint/suspicious/noExplicitAny: either draft
          d.todos = d.todos.map((x: any) => (x.id === id ? { ...x, done: !x.done } : x));
          break;
        }
        case "metaSpread": {
          if (n === 0) break;
          const j = st.i % n;
          // biome-ignore lint/suspicious/noExplicitAny: either draft
          d.todos = d.todos.map((x: any, k: number) => (k === j ? { ...x, meta: { ...x.meta, n: st.n } } : x));
          break;
        }
        case "filter":
          // biome-ignore lint/suspicious/noExplicitAny: either draft
          if (n > 0) d.todos = d.todos.filter((_: any, k: number) => k !== st.i % n);
          break;
        case "append":
          if (n >= 8) break;
          if (st.spread) d.todos = [...d.todos, todo(st.n)];
          else d.todos = d.todos.concat([todo(st.n)]);
          break;
        case "sortCopy": {
          // biome-ignore lint/suspicious/noExplicitAny: either draft
          const cmp = (x: any, y: any) =>
            st.by === "n" ? y.meta.n - x.meta.n : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
          const sorted = d.todos.slice().sort(cmp);
          // biome-ignore lint/suspicious/noExplicitAny: either draft
          d.todos = st.spreadAll ? sorted.map((x: any) => ({ ...x, done: true })) : sorted;
          break;
        }
        case "reverseCopy": {
          if (n === 0) break;
          const j = st.i % n;
          // biome-ignore lint/suspicious/noExplicitAny: either draft
          d.todos = [...d.todos].reverse().map((x: any, k: number) => (k === j ? { ...x, id: `r${k}` } : x));
          break;
        }
        case "spliceSpread":
          if (n > 0) {
            old = at(st.i);
            d.todos.splice(st.i % n, 1, { ...old, done: !old.done });
          }
          break;
        case "allSpread":
          // biome-ignore lint/suspicious/noExplicitAny: either draft
          d.todos = d.todos.map((x: any) => ({ ...x }));
          break;
        case "childWrite":
          if (n > 0 && !aliased) at(st.i).meta.n = st.n;
          break;
        case "subPush":
          if (n > 0 && !aliased) at(st.i).sub.push(st.s);
          break;
        case "oldWrite":
          // the old record is out of the tree (no effect); its children are the new record's
          if (old !== null && !aliased) {
            old.done = st.n % 2 === 0;
            old.meta.n = st.n;
          }
          break;
        case "dup":
          // once: Immer's result of three such copies holds revoked proxies (one child draft in
          // several new objects), which the comparison could not read
          if (n > 0 && n < 8 && !aliased) {
            d.todos = [...d.todos, { ...at(st.i), id: "dup" }];
            aliased = true;
            flags.aliased = true;
          }
          break;
        case "nested": {
          if (n === 0) break;
          const j = st.i % n;
          d.todos = d.todos.map(
            // biome-ignore lint/suspicious/noExplicitAny: either draft
            (x: any, k: number) =>
              k === j ? { ...x, meta: { ...x.meta, n: st.n }, sub: x.sub.map((v: string) => `${v}!`) } : x,
          );
          break;
        }
        case "sameMap":
          // biome-ignore lint/suspicious/noExplicitAny: either draft
          d.todos = d.todos.map((x: any) => x);
          break;
      }
    }
  };

  // Identity labels: which base object (record, its meta, sub, meta.marks) each result row shows.
  // biome-ignore lint/suspicious/noExplicitAny: views and plain objects alike
  const labels = (base: any[], result: any[]): string[][] => {
    const names = new Map<unknown, string>();
    base.forEach((x, k) => {
      names.set(x, `todo${k}`);
      names.set(x.meta, `meta${k}`);
      names.set(x.sub, `sub${k}`);
      names.set(x.meta.marks, `marks${k}`);
    });
    const name = (x: unknown) => names.get(x) ?? "new";
    return result.map((x) => [name(x), name(x.meta), name(x.sub), name(x.meta.marks)]);
  };

  it("map/filter/concat/spread/slice/sort copies with spreads: results, patches, identity and frames as Immer", async () => {
    const scale = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 8 }), fc.integer({ min: 0, max: 6 }), async (steps, n) => {
        if (++runs % 20 === 0) await eventLoopTurns();
        const pool = new FramePool({ pageSize: 256 });
        const s0 = createState(App, input(n), { pool });
        const json0 = s0.toJSON() as { todos: TodoIn[] };
        const flags = { aliased: false };
        const [s1, patches, inverse] = produceWithPatches(s0, recipe(steps, flags));
        const [plain1] = immerPwp(json0, recipe(steps, { aliased: false }));
        expect(s1.toJSON()).toEqual(plain1);
        expect(immerApply(json0, patches as never)).toEqual(plain1);
        const replayed = applyPatches(s0, patches);
        expect(replayed.toJSON()).toEqual(plain1);
        const back = applyPatches(s1, inverse);
        expect(back.toJSON()).toEqual(json0);
        if (!flags.aliased)
          expect(labels(s0.root.todos as unknown[], s1.root.todos as unknown[])).toEqual(
            labels(json0.todos, (plain1 as { todos: unknown[] }).todos),
          );
        for (const s of [replayed, back, s1, s0]) if (!s.released) s.release();
        expect(pool.framesInUse).toBe(0);
      }),
      { numRuns: 200 * scale },
    );
  });
});
