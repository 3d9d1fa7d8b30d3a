/**
 * CowText in `console.log` and `JSON.stringify`: `util.inspect` writes the
 * length and what Node writes for the string itself (the oracle is Node),
 * bounded by `maxStringLength` and reading only the code units shown;
 * `JSON.stringify` writes the string.
 */
import { inspect } from "node:util";
import { ReleasedError } from "@pagefork/core";
import { CowText } from "@pagefork/string";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";

describe("CowText in console.log and JSON", () => {
  it("shows its length and the string as Node shows it, for any text and maxStringLength", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
        (s, max) => {
          const options = max === undefined ? {} : { maxStringLength: max };
          const t = CowText.from(s, { pageSize: 256 });
          expect(inspect(t, options)).toBe(`CowText(${s.length}) ${inspect(s, options)}`);
          expect(JSON.stringify(t)).toBe(JSON.stringify(s));
          const back = CowText.from(JSON.parse(JSON.stringify({ t })).t);
          expect(back.toString()).toBe(s);
          t.release();
          back.release();
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it("a long text prints maxStringLength code units and the count of the rest", () => {
    const t = CowText.from("abcdefghij".repeat(1_000_000)); // 10M code units
    const out = inspect(t);
    expect(out).toBe(`CowText(10000000) '${"abcdefghij".repeat(1000)}'... 9990000 more characters`);
    expect(inspect(t, { maxStringLength: 3 })).toBe("CowText(10000000) 'abc'... 9999997 more characters");
    expect(inspect({ nested: [t] }, { maxStringLength: 2 })).toBe(
      "{ nested: [ CowText(10000000) 'ab'... 9999998 more characters ] }",
    );
    t.release();
  });

  it("never shows the space's internals; a released text says so; its JSON throws ReleasedError", () => {
    const t = CowText.from("hi");
    expect(inspect(t, { showHidden: true, depth: 10 })).toBe("CowText(2) 'hi'");
    t.release();
    expect(inspect(t)).toBe("CowText <released>");
    expect(() => JSON.stringify(t)).toThrow(ReleasedError);
  });
});
