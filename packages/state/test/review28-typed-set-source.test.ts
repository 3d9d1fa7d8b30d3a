/**
 * A typed-array draft's `set(source, offset)` against the native one for
 * sources that are not arrays: a string (an array-like of its characters,
 * each converted with ToNumber), a number or boolean (a wrapper object with
 * no length: nothing written), an object whose `length` is a string or
 * fractional (ToLength), an array-like whose iterator disagrees with its
 * indices (native `set` reads indices, never the iterator), null and
 * undefined (TypeError). The draft must end equal to the native array, throw
 * the same class, and a throw must change nothing.
 */
import { applyPatches, createState, produce, produceWithPatches, t } from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({ u: t.uint8Array(6), b: t.bigInt64Array(4) });
// biome-ignore lint/suspicious/noExplicitAny: native arrays and drafts driven by the same calls
type Any = any;

function lying(): ArrayLike<number> & Iterable<number> {
  return {
    length: 2,
    0: 7,
    1: 8,
    *[Symbol.iterator]() {
      yield 1;
      yield 2;
    },
  };
}

const sources: [string, () => unknown, number?][] = [
  ['the string "12"', () => "12"],
  ['the string "12" at offset 3', () => "12", 3],
  ['the string "1x9"', () => "1x9"],
  ["a number", () => 12],
  ["a boolean", () => true],
  ['{ length: "2" }', () => ({ length: "2", 0: 3, 1: 4 })],
  ["{ length: 2.7 }", () => ({ length: 2.7, 0: 3, 1: 4, 2: 5 })],
  ["{ length: -3 }", () => ({ length: -3, 0: 3 })],
  ["an array-like whose iterator disagrees", lying],
  ["a function of two parameters", () => (_a: unknown, _b: unknown) => 0],
  ["null", () => null],
  ["undefined", () => undefined],
  ['the string "1234567" (too long)', () => "1234567"],
];

/** Runs `set` on `a`; the error's class name, or "". */
function run(a: Any, src: unknown, off: number | undefined): string {
  try {
    a.set(src, off);
    return "";
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

describe("typed-array draft set() with a source that is not an array", () => {
  for (const [what, src, off] of sources)
    it(`${what}: as the native set`, () => {
      const p = pool();
      const s0 = createState(S, { u: [9, 9, 9, 9, 9, 9], b: [0n, 0n, 0n, 0n] }, { pool: p });
      const native = new Uint8Array([9, 9, 9, 9, 9, 9]);
      const want = run(native, src(), off);
      let got = "";
      const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
        got = run(d.u, src(), off);
      });
      expect(got).toBe(want);
      expect([...s1.root.u]).toEqual([...native]);
      const forward = applyPatches(s0, patches);
      const back = applyPatches(s1, inverse);
      expect(forward.toJSON()).toEqual(s1.toJSON());
      expect(back.toJSON()).toEqual(s0.toJSON());
      for (const s of new Set([forward, back, s1, s0])) s.release();
      expect(p.framesInUse).toBe(0);
    });

  it('a BigInt kind: set("12") converts each character with ToBigInt, as natively', () => {
    const p = pool();
    const s0 = createState(S, { u: [0, 0, 0, 0, 0, 0], b: [0n, 0n, 0n, 0n] }, { pool: p });
    const native = new BigInt64Array(4);
    const want = run(native, "12", 1);
    let got = "";
    const s1 = produce(s0, (d) => {
      got = run(d.b, "12", 1);
    });
    expect(got).toBe(want);
    expect([...s1.root.b]).toEqual([...native]);
    for (const s of new Set([s1, s0])) s.release();
    expect(p.framesInUse).toBe(0);
  });

  it("property: any string or number source at any offset, as natively", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constantFrom(null, undefined, true)),
        fc.integer({ min: -1, max: 7 }),
        (src, off) => {
          const p = pool();
          const s0 = createState(S, { u: [1, 2, 3, 4, 5, 6], b: [0n, 0n, 0n, 0n] }, { pool: p });
          const native = new Uint8Array([1, 2, 3, 4, 5, 6]);
          const want = run(native, src, off);
          let got = "";
          const s1 = produce(s0, (d) => {
            got = run(d.u, src, off);
          });
          expect(got).toBe(want);
          expect([...s1.root.u]).toEqual([...native]);
          for (const s of new Set([s1, s0])) s.release();
          expect(p.framesInUse).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
