/**
 * Patches must keep a map's and a set's iteration order, which native Map
 * and Set users rely on:
 * - the inverse patches of `clear()` (pushed in the entries' order, then the
 *   whole inverse list is reversed) re-added the entries last to first;
 * - a set's inverse `add` carries the element's index, but `applyPatches`
 *   appended it: undoing a `delete` moved the element to the end;
 * - a patch value holding a map in JSON form (an object) loses the order of
 *   integer-like keys ("2" before "1"; any number key), which JS objects put
 *   first in ascending order: the map is then sent emptied, followed by one
 *   `add` per entry, in order.
 * Each case applies the patches (also after a JSON round trip) and compares
 * the iteration order with the native Map or Set the recipe describes.
 */
import { applyPatches, createState, type Patch, produceWithPatches, type State, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({
  m: t.map(t.string, t.u32),
  n: t.map(t.i32, t.u32),
  s: t.set(t.string),
  mm: t.map(t.string, t.map(t.u32, t.string)),
});
type Shape = { m: [string, number][]; n: [number, number][]; s: string[]; mm: [string, [number, string][]][] };
const shape = (v: State<typeof S>): Shape => ({
  m: [...v.root.m],
  n: [...v.root.n],
  s: [...v.root.s],
  mm: [...v.root.mm].map(([k, x]) => [k, [...x]]),
});
const json = (ps: Patch[]) => JSON.parse(JSON.stringify(ps)) as Patch[];

function start() {
  const p = pool();
  const s0 = createState(
    S,
    {
      m: new Map([
        ["b", 1],
        ["2", 2],
        ["a", 3],
        ["1", 4],
      ]),
      n: new Map([
        [5, 1],
        [-1, 2],
        [3, 3],
      ]),
      s: new Set(["z", "2", "y", "1"]),
      mm: new Map([
        [
          "k",
          new Map([
            [9, "nine"],
            [1, "one"],
          ]),
        ],
      ]),
    },
    { pool: p },
  );
  return { p, s0 };
}

describe("inverse patches restore iteration order", () => {
  it.each([
    ["map clear", (d: t.Draft<typeof S>) => d.m.clear()],
    ["set clear", (d: t.Draft<typeof S>) => d.s.clear()],
    ["number-keyed map clear", (d: t.Draft<typeof S>) => d.n.clear()],
    ["set delete of a middle element", (d: t.Draft<typeof S>) => void d.s.delete("2")],
    ["set delete of the first element", (d: t.Draft<typeof S>) => void d.s.delete("z")],
    [
      "set deletes and re-adds",
      (d: t.Draft<typeof S>) => {
        d.s.delete("y");
        d.s.add("x");
        d.s.delete("z");
        d.s.add("y");
      },
    ],
  ])("%s", (_name, recipe) => {
    const { p, s0 } = start();
    const [s1, patches, inverse] = produceWithPatches(s0, recipe);
    for (const ps of [inverse, json(inverse)]) {
      const back = applyPatches(s1, ps);
      expect(shape(back)).toEqual(shape(s0));
      back.release();
    }
    for (const ps of [patches, json(patches)]) {
      const again = applyPatches(s0, ps);
      expect(shape(again)).toEqual(shape(s1));
      again.release();
    }
    s1.release();
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});

describe("a map in a patch value keeps its order through JSON", () => {
  it.each([
    [
      "a new map entry holding a map",
      (d: t.Draft<typeof S>) =>
        void d.mm.set(
          "new",
          new Map([
            [7, "a"],
            [2, "b"],
            [4, "c"],
          ]),
        ),
    ],
    [
      "a replaced map entry holding a map",
      (d: t.Draft<typeof S>) =>
        void d.mm.set(
          "k",
          new Map([
            [3, "x"],
            [1, "y"],
          ]),
        ),
    ],
    ["a deleted map entry holding a map (inverse)", (d: t.Draft<typeof S>) => void d.mm.delete("k")],
    ["a cleared map of maps (inverse)", (d: t.Draft<typeof S>) => d.mm.clear()],
  ])("%s", (_name, recipe) => {
    const { p, s0 } = start();
    const [s1, patches, inverse] = produceWithPatches(s0, recipe);
    for (const ps of [patches, json(patches)]) {
      const again = applyPatches(s0, ps);
      expect(shape(again)).toEqual(shape(s1));
      again.release();
    }
    for (const ps of [inverse, json(inverse)]) {
      const back = applyPatches(s1, ps);
      expect(shape(back)).toEqual(shape(s0));
      back.release();
    }
    s1.release();
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
