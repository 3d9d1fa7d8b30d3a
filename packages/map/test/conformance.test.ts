import { CowSet } from "@pagefork/map";
import { describe, expect, it } from "vitest";

/**
 * Regression tests for conformance defects that tc39's test262 Map/Set tests
 * found when run with Map/Set swapped for CowMap/CowSet. Each compares with
 * what the native Map/Set does in the same situation.
 */

/** A set-like whose iterator results have a `value` getter that counts its reads. */
function countingSetLike(values: unknown[]): {
  other: { size: number; has: (v: unknown) => boolean; keys: () => Iterator<unknown> };
  reads: () => number;
} {
  let reads = 0;
  const other = {
    size: values.length,
    has: (v: unknown) => values.includes(v),
    keys: (): Iterator<unknown> => {
      let i = 0;
      return {
        next: () => {
          const done = i >= values.length;
          const v = values[i++];
          return {
            done,
            get value() {
              reads++;
              return v;
            },
          };
        },
      };
    },
  };
  return { other, reads: () => reads };
}

describe("set-like iteration (GetSetRecord, IteratorStepValue)", () => {
  it("reads each iterator result's value once, then maps -0 to +0", () => {
    // A getter that returns a different value on each read: reading it twice
    // turns "a" into something else.
    const s = new CowSet(["a", "b", "c", "d"]);
    let n = 0;
    const other = {
      size: 1,
      has: () => false,
      keys: () => {
        let done = false;
        return {
          next() {
            const r = {
              done,
              get value() {
                return ["a", "x"][n++ % 2];
              },
            };
            done = true;
            return r;
          },
        };
      },
    };
    expect(s.isSupersetOf(other)).toBe(true); // native: true
    for (const method of ["union", "intersection", "difference", "symmetricDifference"] as const) {
      const { other: o, reads } = countingSetLike(["a", -0]);
      const big = new CowSet(["a", "b", "c", "d", "e"]); // larger than other: the spec iterates other
      const r = big[method](o);
      expect(reads(), method).toBe(2);
      r.release();
      big.release();
    }
    for (const [method, values] of [
      ["isSupersetOf", ["a", "b"]],
      ["isDisjointFrom", ["z", -0]],
    ] as const) {
      const { other: o, reads } = countingSetLike([...values]); // runs to the end: every value read
      const big = new CowSet(["a", "b", "c", "d", "e"]);
      big[method](o);
      expect(reads(), method).toBe(2);
      big.release();
    }
    const u = new CowSet([1]).union(countingSetLike([-0]).other);
    expect(Object.is([...u][1], 0)).toBe(true);
    s.release();
    u.release();
  });
});

describe("GetSetRecord", () => {
  it("refuses a BigInt size with a TypeError, as ToNumber does (native Set methods too)", () => {
    const s = new CowSet([1, 2]);
    const keys = () => [][Symbol.iterator]();
    expect(() => s.union({ size: 2n as unknown as number, has: () => false, keys })).toThrow(TypeError);
    expect(() => s.isSubsetOf({ size: Symbol() as unknown as number, has: () => false, keys })).toThrow(TypeError);
    expect(s.isSubsetOf({ size: "2" as unknown as number, has: () => true, keys })).toBe(true); // strings convert
    s.release();
  });
});
