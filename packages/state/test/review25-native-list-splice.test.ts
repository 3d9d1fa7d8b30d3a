/**
 * A list draft's `splice` whose start/deleteCount conversion (valueOf)
 * shrinks the list: Array's splice converts them against the length read
 * before and then works on what is left (leaving holes, which a list cannot
 * have). The draft now splices within what is left; before, it refused the
 * indices past the new end with InvalidArgumentError. Model: a native array
 * shrunk the same way, compared without its holes. Also BigInt arguments
 * throw TypeError as for Array (ToIntegerOrInfinity), where the draft
 * converted them with Number().
 */
import { createState, produce, t } from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shrinking } from "../../../test/support/shrinking.js";
import { pool } from "./support.js";

const S = t.struct({ xs: t.list(t.f64) });

/** The present elements of `a`, holes left out. */
const dense = (a: unknown[]): unknown[] => a.filter((_, i) => Object.hasOwn(a, i));

describe("list draft splice whose argument shrinks the list", () => {
  it("splices what is left, as Array's splice does (holes aside)", () => {
    const p = pool();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 1, maxLength: 12 }),
        fc.nat(12),
        fc.integer({ min: -14, max: 14 }),
        fc.option(fc.integer({ min: -2, max: 14 }), { nil: undefined }),
        fc.array(fc.integer({ min: 100, max: 199 }), { maxLength: 3 }),
        fc.boolean(),
        (init, keepRaw, start, del, items, shrinkOnDelete) => {
          const keep = Math.min(keepRaw, init.length);
          const call = (a: number[], shrink: () => void): number[] => {
            if (del === undefined) return a.splice(shrinking(start, shrink));
            return shrinkOnDelete
              ? a.splice(start, shrinking(del, shrink), ...items)
              : a.splice(shrinking(start, shrink), del, ...items);
          };
          const model = [...init];
          const modelRemoved = call(model, () => {
            model.length = keep;
          });
          const s0 = createState(S, { xs: init }, { pool: p });
          let removed: number[] = [];
          const s1 = produce(s0, (d) => {
            removed = [
              ...call(d.xs as unknown as number[], () => {
                d.xs.length = keep;
              }),
            ];
          });
          expect([removed, (s1.toJSON() as { xs: number[] }).xs]).toEqual([dense(modelRemoved), dense(model)]);
          if (s1 !== s0) s1.release();
          s0.release();
        },
      ),
    );
    expect(p.framesInUse).toBe(0);
  });

  it("throws TypeError for a BigInt start or deleteCount, as Array, and changes nothing", () => {
    const p = pool();
    const s0 = createState(S, { xs: [1, 2, 3] }, { pool: p });
    for (const f of [(a: number[]) => a.splice(1n as never), (a: number[]) => a.splice(0, 1n as never)]) {
      expect(() => f([1, 2, 3])).toThrow(TypeError);
      expect(() => produce(s0, (d) => void f(d.xs as unknown as number[]))).toThrow(TypeError);
    }
    expect((s0.toJSON() as { xs: number[] }).xs).toEqual([1, 2, 3]);
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
