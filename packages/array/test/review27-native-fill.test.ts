/**
 * `fill(value, undefined, end)` follows the specification (an undefined
 * start is 0, `end` is kept), as `Array.prototype.fill` does, where V8's
 * native typed arrays (Node 20) ignore `end`: the one disagreement a model
 * review against native typed arrays found (set from an overlapping
 * subarray, copyWithin and fill with negative, fractional, NaN and infinite
 * arguments, coerced fill values, Float32 and Uint8Clamped rounding, sort
 * with a throwing or mutating comparator, toSorted, toReversed, with, at,
 * findLast, includes(NaN), indexOf(-0), subarray sharing, iterators over
 * writes, vector resizes across pages all agreed). Documented on `fill`.
 */
import { CowFloat64Array, CowInt8Array, CowVector } from "@pagefork/array";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("fill with an undefined start", () => {
  it("fills [0, end) as Array.prototype.fill, for arrays and vectors", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -100, max: 100 }), { maxLength: 40 }),
        fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, 1.5, -0.5)),
        (xs, end) => {
          const expected = [...xs].fill(7, undefined, end);
          const a = CowFloat64Array.from(xs);
          const v = CowVector.from(Float64Array, xs);
          expect([...a.fill(7, undefined, end)]).toEqual(expected);
          v.fill(7, undefined, end);
          expect([...v]).toEqual(expected);
          a.release();
          v.release();
        },
      ),
    );
  });

  it("the documented example", () => {
    const a = CowInt8Array.of(0, 0, 0, 0);
    expect(a.fill(7, undefined, 2).join()).toBe("7,7,0,0");
    a.release();
  });
});
