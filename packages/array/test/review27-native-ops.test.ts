/**
 * Models against native typed arrays (a plain Float64Array / Int16Array,
 * copied on fork) for the calls whose source or callback can see the array
 * being written: `set` from an overlapping subarray of the same array (same
 * kind and another kind), and `sort` with a comparator that throws midway or
 * writes the array. Forks made before must keep their contents.
 */
import { CowFloat64Array, CowInt16Array } from "@pagefork/array";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const values = fc.array(fc.oneof(fc.integer({ min: -40000, max: 40000 }), fc.double({ noNaN: false })), {
  minLength: 1,
  maxLength: 300,
});

describe("set from an overlapping subarray of the same array", () => {
  it("matches the native set (Float64 from itself, Int16 from itself)", () => {
    fc.assert(
      fc.property(values, fc.nat(), fc.nat(), fc.nat(), (xs, p, q, r) => {
        const n = xs.length;
        const a = p % n;
        const b = a + (q % (n - a + 1));
        const off = r % (n - (b - a) + 1);
        // The Int16 array typed as its Float64 sibling: the calls are the same.
        const kinds: [(x: number[]) => CowFloat64Array, (x: number[]) => Float64Array | Int16Array][] = [
          [(x) => CowFloat64Array.from(x), (x) => Float64Array.from(x)],
          [(x) => CowInt16Array.from(x) as unknown as CowFloat64Array, (x) => Int16Array.from(x)],
        ];
        for (const [cow, native] of kinds) {
          const c = cow(xs);
          const f = c.fork();
          const m = native(xs);
          const before = [...m];
          c.set(c.subarray(a, b), off);
          m.set(m.subarray(a, b), off);
          expect([...c]).toEqual([...m]);
          expect([...f]).toEqual(before);
          c.release();
          f.release();
        }
      }),
    );
  });
});

describe("sort with a comparator that throws or writes the array", () => {
  it("leaves the array as the native sort leaves it", () => {
    fc.assert(
      fc.property(values, fc.nat(400), fc.constantFrom("throw", "fill", "set"), (xs, at, what) => {
        const c = CowFloat64Array.from(xs);
        const f = c.fork();
        const m = Float64Array.from(xs);
        const before = [...m];
        const run = (
          arr: { fill(v: number): unknown; set(i: number, v: number): unknown } | Float64Array,
          sort: (cmp: (x: number, y: number) => number) => unknown,
        ) => {
          let k = 0;
          try {
            sort((x, y) => {
              if (++k === at) {
                if (what === "throw") throw new Error("comparator");
                if (what === "fill") arr.fill(-1);
                else if (arr instanceof Float64Array) arr[0] = 12345;
                else arr.set(0, 12345);
              }
              return x - y;
            });
            return "ok";
          } catch {
            return "threw";
          }
        };
        const rc = run(c, (cmp) => c.sort(cmp));
        const rm = run(m, (cmp) => m.sort(cmp));
        expect(rc).toBe(rm);
        expect([...c]).toEqual([...m]);
        expect([...f]).toEqual(before);
        c.release();
        f.release();
      }),
    );
  });
});
