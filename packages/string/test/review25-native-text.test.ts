/**
 * CowText's String-like members against String.prototype (CowText is a rope
 * with its own editing API, documented in the README, not a String drop-in:
 * the String methods it lacks are left out): charAt and charCodeAt convert
 * their index as the native ones (ToIntegerOrInfinity; a bigint or symbol
 * throws TypeError); iteration goes by code point, lone surrogates alone, and
 * the iterator stays done after exhaustion; the native arity of each shared
 * method.
 */
import { FramePool } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

function outcome(f: () => unknown): unknown {
  try {
    return ["ok", f()];
  } catch (e) {
    return ["throws", (e as Error).constructor.name];
  }
}

const index = fc.oneof(
  fc.integer({ min: -4, max: 12 }),
  fc.constantFrom<unknown>(undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, 2.7, -0.5, "3", "x", null, true, 1n),
);
const text = fc
  .array(fc.constantFrom("a", "é", "\u{1F600}", "\uD800", "\uDC00", "z"), { maxLength: 8 })
  .map((a) => a.join(""));

describe("CowText against String.prototype", () => {
  it("charAt, charCodeAt and iteration as the native ones", () => {
    const pool = new FramePool({ pageSize: 256 });
    fc.assert(
      fc.property(text, index, (s, i) => {
        const t = CowText.from(s, { pool });
        try {
          expect(
            outcome(() => t.charAt(i as number)),
            "charAt",
          ).toEqual(outcome(() => s.charAt(i as number)));
          expect(
            outcome(() => t.charCodeAt(i as number)),
            "charCodeAt",
          ).toEqual(outcome(() => s.charCodeAt(i as number)));
          expect([...t]).toEqual([...s]);
          const a = t[Symbol.iterator]();
          const b = s[Symbol.iterator]();
          const steps = (it: Iterator<string>) => Array.from({ length: s.length + 2 }, () => it.next());
          expect(steps(a)).toEqual(steps(b));
          expect(String(t)).toBe(s);
          expect(`${t}`).toBe(s);
          expect(JSON.stringify({ t })).toBe(JSON.stringify({ t: s }));
        } finally {
          t.release();
        }
      }),
      { numRuns: runs(100) },
    );
    expect(pool.framesInUse).toBe(0);
  });

  it("shared methods have the native length", () => {
    const diffs = ["charAt", "charCodeAt", "slice", "toString"]
      .map((n) => [
        n,
        (CowText.prototype as unknown as Record<string, () => void>)[n]?.length,
        (String.prototype as unknown as Record<string, () => void>)[n]?.length,
      ])
      .filter(([, a, b]) => a !== b);
    expect(diffs).toEqual([]);
  });
});
