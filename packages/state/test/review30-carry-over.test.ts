/**
 * What Immer's idioms carry over keeps its identity and costs no copy
 * (regression: every record of `d.todos = d.todos.filter(f)`, of
 * `return { ...d, n: 1 }` and of zustand's `set({ todos: get().todos.filter(f) })`
 * was copied into new nodes: new views for every row, so every `React.memo`
 * row re-rendered, and the frames of a second copy of the list or state).
 * Plain data assigned over a list is spliced into it (records carried over,
 * as drafts or as views of this version, move back); a recipe's plain
 * returned root is written into the root; equal content changes nothing.
 * Results, patches (ours and Immer's applyPatches on the JSON) and inverse
 * patches are checked against a plain model, with a frame-leak check.
 */
import { FramePool } from "@pagefork/core";
import { applyPatches, createState, createStore, produce, produceWithPatches, type State, t } from "@pagefork/state";
import { pagefork } from "@pagefork/state/zustand";
import fc from "fast-check";
import { enablePatches, applyPatches as immerApply, produce as immerProduce, setAutoFreeze } from "immer";
import { describe, expect, it } from "vitest";
import { createStore as createZustand } from "zustand/vanilla";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { expectRoundTrip } from "./support/round-trip.js";

enablePatches();
setAutoFreeze(false);

const Todo = t.struct({ id: t.string, title: t.string, done: t.bool, tags: t.set(t.string) });
const App = t.struct({
  count: t.u32,
  todos: t.list(Todo),
  groups: t.list(t.list(t.u8)),
  byKey: t.map(t.string, t.list(Todo)),
  doc: t.text(),
});

const todo = (i: number) => ({ id: `t${i}`, title: `todo ${i}`, done: i % 3 === 0, tags: new Set([`g${i % 2}`]) });

function setup(n = 40) {
  const pool = new FramePool({ pageSize: 256 });
  const s0 = createState(
    App,
    {
      count: 0,
      todos: Array.from({ length: n }, (_, i) => todo(i)),
      groups: [[1], [2, 2], [3]],
      byKey: new Map([["k", [todo(100), todo(101)]]]),
      doc: "hello",
    },
    { pool },
  );
  return { pool, s0 };
}

describe("review 30: assignments that carry drafts or views over", () => {
  it("d.todos = d.todos.filter(f): the kept records keep their views and take no frame", () => {
    const { pool, s0 } = setup();
    const kept = s0.root.todos.filter((x) => !x.done);
    // the same removals by splice: what freeing the removed records costs (their heap blocks' pages)
    const frames0 = pool.framesInUse;
    const spliced = produce(s0, (d) => {
      for (let i = d.todos.length - 1; i >= 0; i--) if (d.todos[i]!.done) d.todos.splice(i, 1);
    });
    const bySplice = pool.framesInUse - frames0;
    spliced.release();
    const frames = pool.framesInUse;
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.todos = d.todos.filter((x) => !x.done);
    });
    expect(s1.root.todos.length).toBe(kept.length);
    for (let i = 0; i < kept.length; i++) expect(s1.root.todos[i]).toBe(kept[i]);
    expect(s1.root.groups).toBe(s0.root.groups);
    // what the splices cost, not that plus a copy of 26 records with their sets
    expect(pool.framesInUse - frames).toBeLessThanOrEqual(bySplice + 2);
    expect(immerApply(s0.toJSON() as object, patches as never)).toEqual(s1.toJSON());
    expectRoundTrip(pool, s0, s1, patches, inverse);
  });

  it("views of the version (zustand's get().todos.filter(f)) move back as their drafts do", () => {
    const { pool, s0 } = setup();
    const kept = s0.root.todos.filter((x) => x.done);
    const s1 = produce(s0, (d) => {
      d.todos = s0.root.todos.filter((x) => x.done) as never;
      d.byKey.set("k", [...s0.root.byKey.get("k")!, todo(7)] as never);
    });
    expect(s1.root.todos.length).toBe(kept.length);
    for (let i = 0; i < kept.length; i++) expect(s1.root.todos[i]).toBe(kept[i]);
    const k0 = s0.root.byKey.get("k")!;
    const k1 = s1.root.byKey.get("k")!;
    expect([k1[0], k1[1], k1.length]).toEqual([k0[0], k0[1], 3]);
    expect(k1[2]!.id).toBe("t7");
    s1.release();
    s0.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("return { ...d, count: 5 }: only count changes; every other part keeps its view; no copy", () => {
    const { pool, s0 } = setup();
    const frames = pool.framesInUse;
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => ({ ...d, count: 5 }));
    expect(s1.root.count).toBe(5);
    expect(s1.root.todos).toBe(s0.root.todos);
    expect(s1.root.doc).toBe(s0.root.doc);
    expect(s1.root.byKey).toBe(s0.root.byKey);
    expect(pool.framesInUse - frames).toBeLessThan(6);
    const replayed = applyPatches(s0, patches);
    expect(replayed.toJSON()).toEqual(s1.toJSON());
    expect(immerApply(s0.toJSON() as object, patches as never)).toEqual(s1.toJSON());
    const back = applyPatches(s1, inverse);
    expect(back.toJSON()).toEqual(s0.toJSON());
    // a spread of the draft as it is: nothing changed, the base itself
    expect(produce(s0, (d) => ({ ...d }))).toBe(s0);
    expect(produce(s0, (d) => ({ ...d, todos: [...d.todos], groups: d.groups.map((g) => g) }))).toBe(s0);
    for (const s of [replayed, back, s1, s0]) s.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("splice(0, 2, b, a) swaps two records without copying them", () => {
    const { pool, s0 } = setup(4);
    const [a, b] = [s0.root.todos[0], s0.root.todos[1]];
    const s1 = produce(s0, (d) => {
      const [x, y] = [d.todos[0]!, d.todos[1]!];
      d.todos.splice(0, 2, y, x);
    });
    expect([s1.root.todos[0], s1.root.todos[1]]).toEqual([b, a]);
    expect(s1.root.todos[0]).toBe(b);
    expect(s1.root.todos[1]).toBe(a);
    s1.release();
    s0.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a record assigned plain data elsewhere than the root is a new record: a draft of the old one keeps its content", () => {
    const { pool, s0 } = setup(3);
    const s1 = produce(s0, (d) => {
      const old = d.todos[0]!;
      d.todos[0] = { ...old, title: "new", tags: new Set(old.tags) };
      expect(old.title).toBe("todo 0");
      old.title = "lost"; // no longer in the tree
    });
    expect(s1.root.todos[0]!.title).toBe("new");
    s1.release();
    s0.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("zustand: set((s) => ({ todos: s.todos.filter(f) })) and set({ todos: get().todos.filter(f) }) keep the rows", () => {
    const z = createZustand(
      pagefork(App, (set) => ({
        count: 0,
        todos: Array.from({ length: 10 }, (_, i) => todo(i)),
        groups: [],
        byKey: new Map(),
        doc: "",
        clearDone: () => set((s) => ({ todos: s.todos.filter((x) => !x.done) })),
      })),
    );
    const before = z.getState().todos;
    z.getState().clearDone();
    const after = z.getState().todos;
    expect(after.length).toBe(6);
    for (const x of after) expect(before).toContain(x);
    z.setState({ todos: z.getState().todos.filter((x) => x.id !== "t1") as never });
    for (const x of z.getState().todos) expect(after).toContain(x);
    expect(z.getState().todos.length).toBe(5);
    z.getState().undo();
    z.getState().undo();
    expect(z.getState().todos.length).toBe(10);
    z.getState().$store.release();
  });
});

// ---------------------------------------------------------------- property

interface PTodo {
  id: string;
  title: string;
  done: boolean;
  tags: string[];
}
interface Plain {
  count: number;
  todos: PTodo[];
  groups: number[][];
  byKey: Record<string, PTodo[]>;
  doc: string;
}
type D = t.Draft<typeof App>;

/** One edit, made on our draft (with the base's root view at hand) and on a plain (Immer) draft alike. */
interface Op {
  show: string;
  ours(d: D, base: State<typeof App>): unknown;
  model(d: Plain): unknown;
}

const pick = (n: number, xs: number[]) => (n === 0 ? [] : xs.map((i) => i % n));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(fc.array(fc.nat(), { maxLength: 6 }), fc.boolean()).map(
    ([idx, views]): Op => ({
      show: `todos = ${views ? "base views" : "drafts"} at ${JSON.stringify(idx)}`,
      ours: (d, base) => {
        // views of the base only where the draft did not change the list yet (else they are other data)
        const src = views && JSON.stringify(d.todos) === JSON.stringify(base.root.todos) ? base.root.todos : d.todos;
        d.todos = pick(src.length, idx).map((i) => src[i]!) as never;
      },
      model: (d) => {
        const src = d.todos;
        d.todos = pick(src.length, idx).map((i) => JSON.parse(JSON.stringify(src[i]!)));
      },
    }),
  ),
  fc.nat(3).map(
    (m): Op => ({
      show: `todos = todos.filter(i % ${m + 2})`,
      ours: (d) => {
        d.todos = d.todos.filter((_x, i) => i % (m + 2) !== 0);
      },
      model: (d) => {
        d.todos = d.todos.filter((_x, i) => i % (m + 2) !== 0);
      },
    }),
  ),
  fc.tuple(fc.nat(20), fc.boolean()).map(
    ([i, front]): Op => ({
      show: `todos = ${front ? "[new, ...todos]" : "[...todos, new]"} (${i})`,
      ours: (d) => {
        const x = { ...todo(i), tags: new Set([`n${i}`]) };
        d.todos = front ? [x, ...d.todos] : [...d.todos, x];
      },
      model: (d) => {
        const x = { ...todo(i), tags: [`n${i}`] };
        d.todos = front ? [x, ...d.todos] : [...d.todos, x];
      },
    }),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([i, j]): Op => ({
      show: `swap todos ${i} ${j} by splice`,
      ours: (d) => {
        const n = d.todos.length;
        if (n < 2) return;
        const [a, b] = [i % n, j % n].sort((x, y) => x - y) as [number, number];
        if (a === b) return;
        const [x, y] = [d.todos[a]!, d.todos[b]!];
        d.todos.splice(b, 1, x);
        d.todos.splice(a, 1, y);
      },
      model: (d) => {
        const n = d.todos.length;
        if (n < 2) return;
        const [a, b] = [i % n, j % n].sort((x, y) => x - y) as [number, number];
        if (a === b) return;
        const [x, y] = [d.todos[a]!, d.todos[b]!];
        d.todos.splice(b, 1, x);
        d.todos.splice(a, 1, y);
      },
    }),
  ),
  fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(
    ([i, s]): Op => ({
      show: `write todos[${i}].title = ${JSON.stringify(s)} (after earlier moves)`,
      ours: (d) => {
        if (d.todos.length > 0) d.todos[i % d.todos.length]!.title = s;
      },
      model: (d) => {
        if (d.todos.length > 0) d.todos[i % d.todos.length]!.title = s;
      },
    }),
  ),
  fc.tuple(fc.nat(), fc.nat(9)).map(
    ([i, v]): Op => ({
      show: `groups = groups with [${i}] spread + ${v}`,
      ours: (d) => {
        const n = d.groups.length;
        d.groups = n === 0 ? [[v]] : d.groups.map((g, k) => (k === i % n ? [...g, v] : g));
      },
      model: (d) => {
        const n = d.groups.length;
        d.groups = n === 0 ? [[v]] : d.groups.map((g, k) => (k === i % n ? [...g, v] : g));
      },
    }),
  ),
  fc.nat(5).map(
    (k): Op => ({
      show: `byKey.set("k", todos.slice(${k}))`,
      ours: (d) => void d.byKey.set("k", d.todos.slice(k)),
      model: (d) => {
        d.byKey.k = JSON.parse(JSON.stringify(d.todos.slice(k)));
      },
    }),
  ),
  fc.nat(1000).map(
    (v): Op => ({
      show: `return { ...d, count: ${v} }`,
      ours: (d) => ({ ...d, count: v }),
      model: (d) => ({ ...d, count: v }),
    }),
  ),
);

describe("review 30: carried-over assignments vs a plain model", () => {
  it("results, patches (ours and Immer's on the JSON), inverse patches; no frame kept", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { maxLength: 6 }), async (steps) => {
        await eventLoopTurns();
        const { pool, s0 } = setup(6);
        const versions = [s0];
        let model = s0.toJSON() as Plain;
        try {
          for (const ops of steps) {
            const base = versions[versions.length - 1]!;
            // a returning op must be the recipe's last and only change: run it alone
            const returning = ops.findIndex((o) => o.show.startsWith("return"));
            const run = returning >= 0 ? [ops[returning]!] : ops;
            const [next, patches, inverse] = produceWithPatches(base, (d) => {
              let r: unknown;
              for (const op of run) r = op.ours(d, base);
              return returning >= 0 ? (r as never) : undefined;
            });
            const before = model;
            model = immerProduce(model, (d: Plain) => {
              let r: unknown;
              for (const op of run) r = op.model(d);
              return returning >= 0 ? (r as Plain) : undefined;
            });
            expect(next.toJSON()).toEqual(model);
            expect(immerApply(JSON.parse(JSON.stringify(before)), patches as never)).toEqual(model);
            const replayed = applyPatches(base, JSON.parse(JSON.stringify(patches)));
            expect(replayed.toJSON()).toEqual(model);
            const undone = applyPatches(next, inverse);
            expect(undone.toJSON()).toEqual(before);
            for (const v of [replayed, undone]) if (v !== base && v !== next) v.release();
            if (next === base) expect(patches).toEqual([]);
            else versions.push(next);
          }
        } finally {
          for (const v of versions) v.release();
        }
        expect(pool.framesInUse).toBe(0);
      }),
      { numRuns: 120 },
    );
  });

  it("a store: undo and redo across carried-over commits; no frame kept", () => {
    const { pool, s0 } = setup(8);
    const json0 = s0.toJSON();
    s0.release();
    const store = createStore(App, json0 as never, { pool });
    const seen: unknown[] = [store.getState().toJSON()];
    store.setState((d) => {
      d.todos = d.todos.filter((x) => !x.done);
    });
    seen.push(store.getState().toJSON());
    store.setState((d) => ({ ...d, count: 3, todos: [...d.todos].reverse() }));
    seen.push(store.getState().toJSON());
    store.undo();
    expect(store.getState().toJSON()).toEqual(seen[1]);
    store.undo();
    expect(store.getState().toJSON()).toEqual(seen[0]);
    store.redo();
    store.redo();
    expect(store.getState().toJSON()).toEqual(seen[2]);
    store.release();
    expect(pool.framesInUse).toBe(0);
  });
});
