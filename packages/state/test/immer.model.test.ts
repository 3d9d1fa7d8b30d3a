/**
 * Differential test against Immer: random recipes run on a state with
 * `produceWithPatches` and, on plain data of the same shape, with Immer's
 * `produce`. After every step:
 * - the new version's JSON equals Immer's result (maps as objects, sets as arrays);
 * - our patches, applied by Immer's own `applyPatches` to the base's JSON,
 *   give the new version's JSON (with `textPatches: "replace"`), and applied
 *   by ours to the base give the new version;
 * - our inverse patches take the new version back to the base (sets compared
 *   as sets: a re-added element goes to the end, as in Immer);
 * - a recipe that throws after the same edits (run first, at random steps)
 *   throws its error, leaves the base as it was and keeps no frame;
 * and at the end, with every version released, the pool holds no frame.
 */
import { FramePool } from "@pagefork/core";
import { applyPatches, createState, type Patch, produceWithPatches, type State, t } from "@pagefork/state";
import fc from "fast-check";
import { enableMapSet, enablePatches, applyPatches as immerApply, produce as immerProduce, setAutoFreeze } from "immer";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";

enableMapSet();
enablePatches();
setAutoFreeze(false);

const MTodo = t.struct({
  id: t.string,
  title: t.string,
  done: t.bool,
  tags: t.set(t.string),
  note: t.optional(t.string),
  score: t.nullable(t.f64),
});
const M = t.struct({
  todos: t.list(MTodo),
  byId: t.map(t.string, t.u32),
  nested: t.map(t.u8, t.list(t.string)),
  doc: t.text(),
  grid: t.float64Array(8),
  flags: t.set(t.u16),
  count: t.u32,
  status: t.enum(["a", "b", "c"]),
});

interface PlainTodo {
  id: string;
  title: string;
  done: boolean;
  tags: Set<string>;
  note?: string;
  score: number | null;
}
interface Plain {
  todos: PlainTodo[];
  byId: Map<string, number>;
  nested: Map<number, string[]>;
  doc: string;
  grid: number[];
  flags: Set<number>;
  count: number;
  status: "a" | "b" | "c";
}

type Draft = t.Draft<typeof M>;

/** One edit, applied the same way to our draft and to Immer's. */
interface Op {
  readonly show: string;
  ours(d: Draft): void;
  model(d: Plain): void;
}

/** Most ops look the same on both drafts. */
function same(show: string, run: (d: Draft | Plain) => void): Op {
  return { show, ours: run as (d: Draft) => void, model: run as (d: Plain) => void };
}

const word = fc.constantFrom("", "a", "b", "zz", "ünï", "😀", "long title here");
const todoArb = fc.record({
  id: fc.string({ maxLength: 3 }),
  title: word,
  done: fc.boolean(),
  tags: fc.uniqueArray(word, { maxLength: 3 }),
  score: fc.option(fc.double({ noNaN: true }), { nil: null }),
});
const plainTodo = (x: {
  id: string;
  title: string;
  done: boolean;
  tags: string[];
  score: number | null;
}): PlainTodo => ({
  ...x,
  tags: new Set(x.tags),
});

const at = (n: number, i: number) => (n === 0 ? -1 : i % n);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.nat(10_000).map((v) =>
    same(`count=${v}`, (d) => {
      d.count = v;
    }),
  ),
  fc.constantFrom("a", "b", "c").map((v) =>
    same(`status=${v}`, (d) => {
      d.status = v as never;
    }),
  ),
  fc.tuple(fc.nat(), word).map(([i, s]) =>
    same(`todos[${i}].title=${JSON.stringify(s)}`, (d) => {
      const k = at(d.todos.length, i);
      if (k >= 0) d.todos[k]!.title = s;
    }),
  ),
  fc.nat().map((i) =>
    same(`toggle ${i}`, (d) => {
      const k = at(d.todos.length, i);
      if (k >= 0) d.todos[k]!.done = !d.todos[k]!.done;
    }),
  ),
  fc.tuple(fc.nat(), fc.option(word, { nil: undefined })).map(([i, s]) =>
    same(`todos[${i}].note=${JSON.stringify(s)}`, (d) => {
      const k = at(d.todos.length, i);
      if (k < 0) return;
      if (s === undefined) delete d.todos[k]!.note;
      else d.todos[k]!.note = s;
    }),
  ),
  fc.tuple(fc.nat(), fc.option(fc.integer(), { nil: null })).map(([i, v]) =>
    same(`todos[${i}].score=${v}`, (d) => {
      const k = at(d.todos.length, i);
      if (k >= 0) d.todos[k]!.score = v;
    }),
  ),
  fc.tuple(fc.nat(), word, fc.constantFrom("add", "delete", "clear")).map(([i, tag, op]) =>
    same(`todos[${i}].tags.${op}(${JSON.stringify(tag)})`, (d) => {
      const k = at(d.todos.length, i);
      if (k < 0) return;
      const tags = d.todos[k]!.tags;
      if (op === "add") tags.add(tag);
      else if (op === "delete") tags.delete(tag);
      else tags.clear();
    }),
  ),
  todoArb.map((x) => same(`push ${JSON.stringify(x)}`, (d) => void d.todos.push(plainTodo(x)))),
  todoArb.map((x) => same(`unshift ${JSON.stringify(x)}`, (d) => void d.todos.unshift(plainTodo(x)))),
  fc.constant(same("pop", (d) => void d.todos.pop())),
  fc.constant(same("shift", (d) => void d.todos.shift())),
  fc
    .tuple(fc.integer({ min: -3, max: 6 }), fc.nat(3), fc.array(todoArb, { maxLength: 2 }))
    .map(([s, n, items]) =>
      same(`splice(${s}, ${n}, ${JSON.stringify(items)})`, (d) => void d.todos.splice(s, n, ...items.map(plainTodo))),
    ),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]) =>
    same(`move ${i} -> ${j}`, (d) => {
      const n = d.todos.length;
      if (n === 0) return;
      const [x] = d.todos.splice(i % n, 1);
      d.todos.splice(j % n, 0, x!);
    }),
  ),
  fc.tuple(fc.nat(), fc.nat(), word, todoArb).map(([i, j, s, x]) =>
    same(`hold todos[${i}], splice a new todo in at ${j}, write through the held draft`, (d) => {
      const n = d.todos.length;
      if (n === 0) return;
      const held = d.todos[i % n]!;
      d.todos.splice(j % (n + 1), 0, plainTodo(x));
      held.title = s;
      held.done = !held.done;
    }),
  ),
  fc.tuple(fc.nat(), fc.nat(), word).map(([i, j, s]) =>
    same(`hold todos[${i}] and [${j}], remove the first, reverse, write through both`, (d) => {
      const n = d.todos.length;
      if (n < 2) return;
      const a = d.todos[i % n]!;
      const b = d.todos[j % n]!;
      d.todos.splice(0, 1);
      d.todos.reverse();
      a.title = s;
      b.done = !b.done;
    }),
  ),
  fc.constant(
    same("sort by title", (d) => void d.todos.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0))),
  ),
  fc.constant(same("reverse", (d) => void d.todos.reverse())),
  fc
    .tuple(word, fc.nat(1000))
    .map(([k, v]) => same(`byId.set(${JSON.stringify(k)}, ${v})`, (d) => void d.byId.set(k, v))),
  word.map((k) => same(`byId.delete(${JSON.stringify(k)})`, (d) => void d.byId.delete(k))),
  fc.constant(same("byId.clear()", (d) => d.byId.clear())),
  fc
    .tuple(fc.nat(5), fc.array(word, { maxLength: 3 }))
    .map(([k, v]) => same(`nested.set(${k}, ${JSON.stringify(v)})`, (d) => void d.nested.set(k, v))),
  fc
    .tuple(fc.nat(5), word)
    .map(([k, s]) => same(`nested.get(${k})?.push(${JSON.stringify(s)})`, (d) => void d.nested.get(k)?.push(s))),
  fc.nat(5).map((k) => same(`nested.delete(${k})`, (d) => void d.nested.delete(k))),
  fc.tuple(fc.nat(), word).map(([p, s]) => ({
    show: `doc.insert(${p}, ${JSON.stringify(s)})`,
    ours: (d: Draft) => d.doc.insert(p % (d.doc.length + 1), s),
    model: (d: Plain) => {
      const q = p % (d.doc.length + 1);
      d.doc = d.doc.slice(0, q) + s + d.doc.slice(q);
    },
  })),
  fc.tuple(fc.nat(), fc.nat(5)).map(([p, n]) => ({
    show: `doc.delete(${p}, ${n})`,
    ours: (d: Draft) => {
      const q = p % (d.doc.length + 1);
      d.doc.delete(q, Math.min(n, d.doc.length - q));
    },
    model: (d: Plain) => {
      const q = p % (d.doc.length + 1);
      d.doc = d.doc.slice(0, q) + d.doc.slice(q + Math.min(n, d.doc.length - q));
    },
  })),
  fc.tuple(fc.nat(7), fc.integer({ min: -5, max: 5 })).map(([i, v]) =>
    same(`grid[${i}]=${v}`, (d) => {
      d.grid[i] = v;
    }),
  ),
  fc
    .tuple(fc.integer({ min: -2, max: 2 }), fc.nat(8), fc.nat(8))
    .map(([v, a, b]) => same(`grid.fill(${v}, ${a}, ${b})`, (d) => void d.grid.fill(v, a, b))),
  fc
    .tuple(fc.nat(20), fc.boolean())
    .map(([n, add]) =>
      same(`flags.${add ? "add" : "delete"}(${n})`, (d) => void (add ? d.flags.add(n) : d.flags.delete(n))),
    ),
);

/** Plain data (Immer's) in the JSON form our toJSON gives. */
function json(m: Plain): unknown {
  return {
    todos: m.todos.map((x) => {
      const o: Record<string, unknown> = { id: x.id, title: x.title, done: x.done, tags: [...x.tags], score: x.score };
      if (x.note !== undefined) o.note = x.note;
      return o;
    }),
    byId: Object.fromEntries(m.byId),
    nested: Object.fromEntries([...m.nested].map(([k, v]) => [String(k), [...v]])),
    doc: m.doc,
    grid: [...m.grid],
    flags: [...m.flags],
    count: m.count,
    status: m.status,
  };
}

/** JSON with every set's contents sorted: for comparisons where set order may differ. */
function setsSorted(j: unknown): unknown {
  const c = structuredClone(j) as { todos: { tags: string[] }[]; flags: number[] };
  for (const x of c.todos) x.tags.sort();
  c.flags.sort((a, b) => a - b);
  return c;
}

function initial(): Plain {
  return {
    todos: [
      { id: "a", title: "b", done: false, tags: new Set(["x"]), score: null },
      { id: "b", title: "a", done: true, tags: new Set(), note: "n", score: 1.5 },
    ],
    byId: new Map([["a", 0]]),
    nested: new Map([[1, ["p"]]]),
    doc: "start",
    grid: [0, 1, 2, 3, 4, 5, 6, 7],
    flags: new Set([3]),
    count: 0,
    status: "a",
  };
}

describe("produceWithPatches against Immer", () => {
  // Async only to give the event loop a turn per run (test/support/turn.ts): at load ~25
  // on 2 cores its 150 runs took 44 s, near the 60 s after which vitest's worker RPC times out.
  it("gives Immer's result, Immer-applicable patches and inverse patches that undo", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom<"splice" | "replace">("splice", "replace"),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        async (steps, textPatches, throwing) => {
          await eventLoopTurns();
          const pool = new FramePool({ pageSize: 256 });
          const versions: State<typeof M>[] = [
            createState(M, { ...initial(), grid: new Float64Array(initial().grid) }, { pool }),
          ];
          let model = initial();
          try {
            for (const [k, ops] of steps.entries()) {
              const cur = versions[versions.length - 1]!;
              if (throwing[k % throwing.length]) {
                // A recipe that throws after its edits: the error comes out, nothing is made, no frame is kept.
                const frames = pool.framesInUse;
                const before = cur.toJSON();
                const oops = new Error("recipe failed");
                expect(() =>
                  produceWithPatches(cur, (d) => {
                    for (const op of ops) op.ours(d);
                    throw oops;
                  }),
                ).toThrow(oops);
                expect(pool.framesInUse).toBe(frames);
                expect(cur.toJSON()).toEqual(before);
              }
              const [next, patches, inverse] = produceWithPatches(
                cur,
                (d) => {
                  for (const op of ops) op.ours(d);
                },
                { textPatches },
              );
              model = immerProduce(model, (d) => {
                for (const op of ops) op.model(d as Plain);
              });
              const nextJson = next.toJSON();
              expect(nextJson).toEqual(json(model));
              if (textPatches === "replace")
                expect(immerApply(cur.toJSON() as object, patches as never)).toEqual(nextJson);
              const replayed = applyPatches(cur, patches);
              expect(replayed.toJSON()).toEqual(nextJson);
              const undone = applyPatches(next, inverse);
              expect(setsSorted(undone.toJSON())).toEqual(setsSorted(cur.toJSON()));
              for (const v of [replayed, undone]) if (v !== cur && v !== next) v.release();
              if (next !== cur) versions.push(next);
              else expect(patches as Patch[]).toEqual([]);
            }
          } finally {
            for (const v of versions) v.release();
          }
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
