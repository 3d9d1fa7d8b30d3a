/**
 * Review 33: a plain object assigned over a map (the map's JSON form, which
 * `t.map` takes as plain data: `d.scores = { ...fromServer }`, `d.byId =
 * Object.fromEntries(...)`). Regression: review 32 reconciled a `Map`
 * assigned over a map, keeping every value it carried over, but a plain
 * object was still built anew: every value copied (200 records: ~200 frames
 * and a new view for each, so every `React.memo` row re-rendered) and an
 * equal object made a new version. Now it is reconciled as a `Map` is, by
 * its keys read as the map's keys, in the object's key order.
 */
import { FramePool } from "@pagefork/core";
import { applyPatches, createState, produce, produceWithPatches, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { expectRoundTrip } from "./support/round-trip.js";

const Todo = t.struct({ id: t.string, done: t.bool, sub: t.list(t.string) });
const App = t.struct({ byId: t.map(t.string, Todo), scores: t.map(t.u32, t.f64) });
type TodoIn = t.Input<typeof Todo>;
const todo = (i: number): TodoIn => ({ id: `t${i}`, done: i % 2 === 0, sub: [`s${i}`] });
const input = (n: number) => ({
  byId: new Map(Array.from({ length: n }, (_, i) => [`k${i}`, todo(i)] as const)),
  scores: new Map(Array.from({ length: n }, (_, i) => [i, i / 2] as const)),
});

describe("review 33: a plain object assigned over a map keeps what it carries over", () => {
  it("an object of the map's own values with one spread: the others keep their views, a handful of frames", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(200), { pool });
    const frames = pool.framesInUse;
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.byId = { ...Object.fromEntries(d.byId), k5: { ...d.byId.get("k5")!, done: true } } as never;
    });
    const [a, b] = [s0.root.byId, s1.root.byId];
    expect(b.get("k5")!.done).toBe(true);
    expect(b.get("k5")!.sub === a.get("k5")!.sub).toBe(true); // booleans: a failure formatting views is slow
    expect(b.get("k6") === a.get("k6")).toBe(true);
    expect(b.get("k199") === a.get("k199")).toBe(true);
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect(pool.framesInUse - frames).toBeLessThan(20); // was ~200
    expectRoundTrip(pool, s0, s1, patches, inverse);
  });

  it("an equal object changes nothing; keys are read as the map's keys, in the object's order", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(4), { pool });
    const same = produce(s0, (d) => {
      d.byId = Object.fromEntries(d.byId) as never;
      d.scores = { 0: 0, 1: 0.5, 2: 1, 3: 1.5 } as never;
    });
    expect(same === s0).toBe(true); // booleans: a failure message formatting a State runs out of memory
    if (same !== s0) same.release();
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.scores = { 3: 9, 1: 0.5, 7: 7 } as never; // integer-like keys iterate ascending
    });
    expect([...s1.root.scores]).toEqual([
      [1, 0.5],
      [3, 9],
      [7, 7],
    ]);
    const wire = JSON.parse(JSON.stringify(patches));
    const replayed = applyPatches(s0, wire);
    expect([...replayed.root.scores]).toEqual([...s1.root.scores]);
    const back = applyPatches(s1, inverse);
    expect([...back.root.scores]).toEqual([...s0.root.scores]);
    for (const s of [replayed, back, s1, s0]) s.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a key that is not the map's key type is refused and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s0 = createState(App, input(3), { pool });
    const s1 = produce(s0, (d) => {
      expect(() => {
        d.scores = { 1: 2, x: 3 } as never;
      }).toThrow(/scores/);
      expect([...d.scores.keys()]).toEqual([0, 1, 2]);
    });
    expect(s1 === s0).toBe(true);
    s0.release();
    expect(pool.framesInUse).toBe(0);
  });
});
