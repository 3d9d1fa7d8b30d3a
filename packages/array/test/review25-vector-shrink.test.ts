/**
 * An argument whose valueOf shrinks the CowVector it is passed to (a
 * `resize` or `pop` inside a conversion): the method must work on what the
 * vector holds afterwards and never read the removed elements, which the
 * vector's pages still hold past its end. Before, indexOf/lastIndexOf found
 * removed elements, slice returned them, copyWithin copied them back into
 * live elements and splice put them back into the vector.
 *
 * The model is a native length-tracking Float64Array over a resizable
 * ArrayBuffer, shrunk the same way (ES2024 re-checks the length after the
 * conversions); for splice, which typed arrays lack, Array's splice of the
 * shrunk contents.
 */
import { CowVector } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { ResizableBuffer, shrinking } from "../../../test/support/shrinking.js";

const INIT = [10, 20, 30, 40, 50, 60, 70, 80];
const KEEP = 2;

/** The elements of a slice (released when it is a CowVector). */
function contents(s: Float64Array | CowVector<Float64ArrayConstructor>): number[] {
  const r = [...s];
  if (s instanceof CowVector) s.release();
  return r;
}

type Call = (a: Float64Array | CowVector<Float64ArrayConstructor>, e: number) => unknown;
const CALLS: [string, Call][] = [
  ["indexOf(80, e)", (a, e) => a.indexOf(80, e)],
  ["indexOf(20, e)", (a, e) => a.indexOf(20, e)],
  ["lastIndexOf(80, e)", (a, e) => a.lastIndexOf(80, e)],
  ["lastIndexOf(10, e)", (a, e) => a.lastIndexOf(10, e)],
  ["includes(80, e)", (a, e) => a.includes(80, e)],
  ["includes(NaN, e)", (a, e) => a.includes(Number.NaN, e)],
  ["slice(e)", (a, e) => contents(a.slice(e))],
  ["slice(0, e)", (a, e) => contents(a.slice(0, e))],
  ["copyWithin(0, e)", (a, e) => void a.copyWithin(0, e)],
  ["copyWithin(e, 0)", (a, e) => void a.copyWithin(e, 0)],
  ["copyWithin(0, 1, e)", (a, e) => void a.copyWithin(0, 1, e)],
];

function native(call: Call, value: number): [unknown, number[]] {
  const rab = new ResizableBuffer(INIT.length * 8, { maxByteLength: INIT.length * 8 });
  const a = new Float64Array(rab);
  a.set(INIT);
  const r = call(
    a,
    shrinking(value, () => rab.resize(KEEP * 8)),
  );
  return [r, [...a]];
}

function cow(call: Call, value: number, pool: FramePool): [unknown, number[]] {
  const v = CowVector.from(Float64Array, INIT, { pool });
  try {
    const r = call(
      v,
      shrinking(value, () => v.resize(KEEP)),
    );
    return [r, [...v]];
  } finally {
    v.release();
  }
}

describe("CowVector methods whose argument shrinks the vector", () => {
  it("search, slice and copyWithin as a native length-tracking typed array does, never reading removed elements", () => {
    const pool = new FramePool({ pageSize: 256 });
    for (const [name, call] of CALLS)
      for (const value of [0, 1, 7, -1, -7])
        expect(cow(call, value, pool), `${name} [${value}]`).toEqual(native(call, value));
    expect(pool.framesInUse).toBe(0);
  });

  it("splice works on the shrunk contents and never puts removed elements back", () => {
    const pool = new FramePool({ pageSize: 256 });
    const cases: [
      string,
      (v: CowVector<Float64ArrayConstructor>, e: number) => number[],
      number,
      number[],
      number[],
    ][] = [
      // [call, argument value, returned, contents after]
      ["splice(e)", (v, e) => v.splice(e), 1, [20], [10]],
      ["splice(0, e)", (v, e) => v.splice(0, e), 1, [10], [20]],
      ["splice(0, e)", (v, e) => v.splice(0, e), 5, [10, 20], []],
      ["splice(e, 3)", (v, e) => v.splice(e, 3), 6, [], [10, 20]],
      ["splice(1, 0, e)", (v, e) => v.splice(1, 0, e), 1, [], [10, 1, 20]],
      ["splice(1, 5, e)", (v, e) => v.splice(1, 5, e), 9, [20], [10, 9]],
    ];
    for (const [name, call, value, removed, after] of cases) {
      const v = CowVector.from(Float64Array, INIT, { pool });
      const r = call(
        v,
        shrinking(value, () => v.resize(KEEP)),
      );
      expect([[...r], [...v]], `${name} [${value}]`).toEqual([removed, after]);
      // The tail past the end reads as zeros when the vector grows again.
      v.resize(6);
      expect([...v].slice(after.length), `${name} [${value}] regrown`).toEqual(Array(6 - after.length).fill(0));
      v.release();
    }
    expect(pool.framesInUse).toBe(0);
  });
});
