import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

/** What `f` returns, or the class of what it throws. */
function outcome(f: () => string): string {
  try {
    return `ok:${f()}`;
  } catch (e) {
    return `throws:${(e as Error).constructor.name}`;
  }
}

// Index arguments as users pass them, including ones String.prototype.slice converts or refuses.
const index = fc.oneof(
  fc.integer({ min: -12, max: 12 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(undefined, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 2.7, -2.7),
  fc.constantFrom<unknown>("3", "-2", "x", null, true, [], [4], 1n, { valueOf: () => 5 }),
);

describe("CowText.slice index conversion (ToIntegerOrInfinity, as String.prototype.slice)", () => {
  it("gives what a native string gives, or throws the same error class", () => {
    const s = "hello, wörld";
    const t = CowText.from(s);
    fc.assert(
      fc.property(index, index, (a, b) => {
        const native = outcome(() => (s.slice as (x?: unknown, y?: unknown) => string)(a, b));
        const ours = outcome(() => (t.slice as (x?: unknown, y?: unknown) => string)(a, b));
        expect(ours).toBe(native);
      }),
      { numRuns: runs(2000) },
    );
    t.release();
  });
});

describe("CowText.charAt / charCodeAt index conversion (ToIntegerOrInfinity, as String.prototype)", () => {
  it("give what a native string gives, or throw the same error class (regression: a bigint index was read as a number)", () => {
    const s = "a😀b\ud800c, wörld";
    const t = CowText.from(s);
    fc.assert(
      fc.property(index, (a) => {
        for (const m of ["charAt", "charCodeAt"] as const) {
          const native = outcome(() => String((s[m] as (x?: unknown) => unknown).call(s, a)));
          const ours = outcome(() => String((t[m] as (x?: unknown) => unknown).call(t, a)));
          expect([m, ours]).toEqual([m, native]);
        }
      }),
      { numRuns: runs(500) },
    );
    for (const m of ["charAt", "charCodeAt"] as const)
      for (const a of [1n, Symbol("i")]) expect(() => (t[m] as (x?: unknown) => unknown).call(t, a)).toThrow(TypeError);
    t.release();
  });
});
