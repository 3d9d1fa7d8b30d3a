/**
 * Review 28: `slice`, `charAt` and `charCodeAt` convert their index
 * arguments as String.prototype does (ToIntegerOrInfinity), which calls an
 * object's `valueOf`: user code that may edit or release the text. The
 * result must then be what a native string gives for the text as it is after
 * the conversions (a mutable text has no other "the string"), or
 * ReleasedError. Before, `slice` read the length before converting, and a
 * `valueOf` that emptied the text made it read the header page as text
 * ("\u0005\u0000..."); one that shortened it read with a stale length.
 */
import { FramePool, ReleasedError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

type Act = { kind: "delete"; pos: number; count: number } | { kind: "insert"; pos: number; text: string };

const act: fc.Arbitrary<Act> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), pos: fc.nat(), count: fc.nat(700) }),
  fc.record({
    kind: fc.constant("insert" as const),
    pos: fc.nat(),
    text: fc.oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 200, maxLength: 600 })),
  }),
);

/** Applies `a` (positions taken modulo the length) to the text and to its model; returns the new model. */
function apply(t: CowText, s: string, a: Act): string {
  const pos = a.pos % (s.length + 1);
  if (a.kind === "insert") {
    t.insert(pos, a.text);
    return s.slice(0, pos) + a.text + s.slice(pos);
  }
  const count = Math.min(a.count, s.length - pos);
  t.delete(pos, count);
  return s.slice(0, pos) + s.slice(pos + count);
}

const body = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 300, maxLength: 1500 }));

describe("index conversion that edits the text (valueOf)", () => {
  it("slice gives the native slice of the text as the conversions left it", () => {
    const pool = new FramePool({ pageSize: 256 });
    fc.assert(
      fc.property(
        body,
        act,
        fc.integer({ min: -2000, max: 2000 }),
        fc.integer({ min: -2000, max: 2000 }),
        fc.boolean(),
        (s0, a, i, j, onEnd) => {
          const t = CowText.from(s0, { pool });
          let s = s0;
          const edit = {
            valueOf: () => {
              s = apply(t, s, a);
              return onEnd ? j : i;
            },
          } as unknown as number;
          const got = onEnd ? t.slice(i, edit) : t.slice(edit, j);
          expect(got).toBe(onEnd ? s.slice(i, j) : s.slice(i, j));
          expect(t.toString()).toBe(s);
          t.release();
        },
      ),
      { numRuns: runs(300) },
    );
    expect(pool.framesInUse).toBe(0);
  });

  it("the case found: a valueOf that empties the text reads no header bytes", () => {
    const t = CowText.from("hello world");
    const end = {
      valueOf: () => {
        t.delete(0, t.length);
        return 5;
      },
    } as unknown as number;
    expect(t.slice(0, end)).toBe("");
    t.release();
  });

  it("charAt and charCodeAt read the text as the conversion left it", () => {
    const pool = new FramePool({ pageSize: 256 });
    fc.assert(
      fc.property(body, act, fc.integer({ min: -5, max: 2000 }), (s0, a, i) => {
        for (const m of ["charAt", "charCodeAt"] as const) {
          const t = CowText.from(s0, { pool });
          let s = s0;
          const index = {
            valueOf: () => {
              s = apply(t, s, a);
              return i;
            },
          } as unknown as number;
          expect(t[m](index)).toEqual(s[m](i));
          t.release();
        }
      }),
      { numRuns: runs(200) },
    );
    expect(pool.framesInUse).toBe(0);
  });

  it("a valueOf that releases the text gives ReleasedError", () => {
    for (const call of [
      (t: CowText, x: number) => t.slice(x),
      (t: CowText, x: number) => t.slice(0, x),
      (t: CowText, x: number) => t.charAt(x),
      (t: CowText, x: number) => t.charCodeAt(x),
    ]) {
      const pool = new FramePool({ pageSize: 256 });
      const t = CowText.from("x".repeat(600), { pool });
      const index = {
        valueOf: () => {
          t.release();
          return 1;
        },
      } as unknown as number;
      expect(() => call(t, index)).toThrow(ReleasedError);
      expect(pool.framesInUse).toBe(0);
    }
  });
});
