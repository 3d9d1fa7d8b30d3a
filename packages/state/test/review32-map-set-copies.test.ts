/**
 * Review 32: a `Map` assigned over a map or a `Set` over a set (`d.byId =
 * new Map(d.byId).set(k, v)`, zustand-style copies, `new Set(d.tags).add(x)`).
 * Regression: the new collection was built from the data, copying every
 * value (200 records: 194 frames, and a new view for every value, so every
 * `React.memo` row re-rendered). Now it is reconciled into the old one: keys
 * it lacks are deleted, the rest set in its order (an unchanged value is a
 * no-op, a spread of a value takes over its children), so what it carries
 * over keeps its node and identity. Checked against Immer (results and
 * iteration order, patches both ways, Immer's applyPatches, identity of
 * every value and its children) with a frame-leak check.
 */
import { FramePool } from "@pagefork/core";
import { applyPatches, createState, produce, produceWithPatches, t } from "@pagefork/state";
import fc from "fast-check";
import { enableMapSet, enablePatches, produceWithPatches as immerPwp, setAutoFreeze } from "immer";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { expectRoundTrip } from "./support/round-trip.js";

enablePatches();
enableMapSet();
setAutoFreeze(false);

const Todo = t.struct({ id: t.string, done: t.bool, sub: t.list(t.string) });
const App = t.struct({ byId: t.map(t.string, Todo), tags: t.set(t.string) });
type TodoIn = t.Input<typeof Todo>;
const todo = (i: number): TodoIn => ({ id: `t${i}`, done: i % 2 === 0, sub: [`s${i}`] });
const input = (n: number, m = n) => ({
  byId: new Map(Array.from({ length: n }, (_, i) => [`k${i}`, todo(i)] as const)),
  tags: new Set(Array.from({ length: m }, (_, i) => `g${i}`)),
});

describe("review 32: a Map or Set assigned over a map or set keeps what it carries over", () => {
  it("d.byId = new Map(d.byId).set(k, spread): every other value keeps its view, the spread its children, a handful of frames", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(200), { pool });
    const frames = pool.framesInUse;
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.byId = new Map(d.byId).set("k5", { ...d.byId.get("k5")!, done: true });
      d.tags = new Set(d.tags).add("new");
    });
    const [a, b] = [s0.root.byId, s1.root.byId];
    expect(b.get("k5")!.done).toBe(true);
    expect(b.get("k5")!.sub === a.get("k5")!.sub).toBe(true); // booleans: see below
    expect(b.get("k6") === a.get("k6")).toBe(true);
    expect([...s1.root.tags].slice(-2)).toEqual(["g199", "new"]);
    expect(pool.framesInUse - frames).toBeLessThan(20); // was 194 + the set's
    expectRoundTrip(pool, s0, s1, patches, inverse);
  });

  it("an equal copy changes nothing; a reordered copy iterates in its order", () => {
    const s0 = createState(App, input(4));
    const same = produce(s0, (d) => {
      d.byId = new Map(d.byId);
      d.tags = new Set(d.tags);
    });
    expect(same === s0).toBe(true); // booleans: a failure message formatting a State runs out of memory
    if (same !== s0) same.release();
    const s1 = produce(s0, (d) => {
      d.byId = new Map([...d.byId].reverse());
      d.tags = new Set([...d.tags].reverse());
    });
    expect([...s1.root.byId.keys()]).toEqual(["k3", "k2", "k1", "k0"]);
    expect([...s1.root.tags]).toEqual(["g3", "g2", "g1", "g0"]);
    expect(s1.root.byId.get("k2") === s0.root.byId.get("k2")).toBe(true); // moved back, not copied
    s1.release();
    s0.release();
  });
});

describe("review 32: model of Map and Set copies assigned over a map and a set, as Immer", () => {
  type Step =
    | { k: "spread"; i: number; done: boolean }
    | { k: "add"; n: number; front: boolean }
    | { k: "del"; i: number }
    | { k: "reverse" }
    | { k: "write"; i: number }
    | { k: "push"; i: number; s: string }
    | { k: "tagAdd"; s: string; front: boolean }
    | { k: "tagDel"; i: number }
    | { k: "tagReverse" };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ k: fc.constant("spread" as const), i: fc.nat(7), done: fc.boolean() }),
    fc.record({ k: fc.constant("add" as const), n: fc.nat(9), front: fc.boolean() }),
    fc.record({ k: fc.constant("del" as const), i: fc.nat(7) }),
    fc.record({ k: fc.constant("reverse" as const) }),
    fc.record({ k: fc.constant("write" as const), i: fc.nat(7) }),
    fc.record({ k: fc.constant("push" as const), i: fc.nat(7), s: fc.string({ maxLength: 2 }) }),
    fc.record({ k: fc.constant("tagAdd" as const), s: fc.constantFrom("g0", "g1", "x", "y"), front: fc.boolean() }),
    fc.record({ k: fc.constant("tagDel" as const), i: fc.nat(7) }),
    fc.record({ k: fc.constant("tagReverse" as const) }),
  );
  // biome-ignore lint/suspicious/noExplicitAny: one recipe for our draft and Immer's
  const recipe = (steps: Step[]) => (d: any) => {
    for (const st of steps) {
      const keys = [...d.byId.keys()] as string[];
      const key = (i: number) => keys[i % keys.length] as string;
      switch (st.k) {
        case "spread":
          if (keys.length > 0) {
            const k = key(st.i);
            d.byId = new Map(d.byId).set(k, { ...d.byId.get(k), done: st.done });
          }
          break;
        case "add": {
          const e: [string, TodoIn] = [`n${st.n}`, todo(100 + st.n)];
          d.byId = st.front ? new Map([e, ...d.byId]) : new Map(d.byId).set(e[0], e[1]);
          break;
        }
        case "del":
          if (keys.length > 0) {
            const m = new Map(d.byId);
            m.delete(key(st.i));
            d.byId = m;
          }
          break;
        case "reverse":
          d.byId = new Map([...d.byId].reverse());
          break;
        case "write":
          if (keys.length > 0) d.byId.get(key(st.i)).done = !d.byId.get(key(st.i)).done;
          break;
        case "push":
          if (keys.length > 0) d.byId.get(key(st.i)).sub.push(st.s);
          break;
        case "tagAdd":
          d.tags = st.front ? new Set([st.s, ...d.tags]) : new Set(d.tags).add(st.s);
          break;
        case "tagDel": {
          const tags = [...d.tags];
          if (tags.length > 0) d.tags = new Set(tags.filter((_, j) => j !== st.i % tags.length));
          break;
        }
        case "tagReverse":
          d.tags = new Set([...d.tags].reverse());
          break;
      }
    }
  };
  // which base value (and its sub list) each result value shows, by key in iteration order
  // biome-ignore lint/suspicious/noExplicitAny: views and plain objects alike
  const labels = (base: ReadonlyMap<string, any>, result: ReadonlyMap<string, any>): string[][] => {
    const names = new Map<unknown, string>();
    for (const [k, v] of base) {
      names.set(v, `v${k}`);
      names.set(v.sub, `sub${k}`);
    }
    const name = (x: unknown) => names.get(x) ?? "new";
    return [...result].map(([k, v]) => [k, name(v), name(v.sub)]);
  };

  it("results, iteration order, patches both ways, identity and frames as Immer", async () => {
    const scale = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 8 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        async (steps, n, m) => {
          if (++runs % 20 === 0) await eventLoopTurns();
          const pool = new FramePool({ pageSize: 256 });
          const s0 = createState(App, input(n, m), { pool });
          const json0 = s0.toJSON() as { byId: Record<string, TodoIn>; tags: string[] };
          const [s1, patches, inverse] = produceWithPatches(s0, recipe(steps));
          const plain0 = input(n, m);
          const [plain1] = immerPwp(plain0, recipe(steps));
          const expected = { byId: Object.fromEntries(plain1.byId), tags: [...plain1.tags] };
          expect(s1.toJSON()).toEqual(expected);
          expect([...s1.root.byId.keys()]).toEqual([...plain1.byId.keys()]);
          expect([...s1.root.tags]).toEqual([...plain1.tags]);
          expect(labels(s0.root.byId, s1.root.byId)).toEqual(labels(plain0.byId, plain1.byId));
          const replayed = applyPatches(s0, patches);
          expect(replayed.toJSON()).toEqual(expected);
          const back = applyPatches(s1, inverse);
          expect(back.toJSON()).toEqual(json0);
          for (const s of [replayed, back, s1, s0]) if (!s.released) s.release();
          expect(pool.framesInUse).toBe(0);
        },
      ),
      { numRuns: 200 * scale },
    );
  });
});
