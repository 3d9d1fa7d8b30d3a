/**
 * The ES2025 Set methods on set views and drafts. They extend the native
 * Set with empty internal slots, so the inherited native methods (Node 22
 * and later) read an empty [[SetData]] and answer wrongly: `view.union(x)`
 * gave x alone, `view.isSubsetOf(x)` always true. Node 20 has none (calls
 * threw "not a function"). The views and drafts now have their own, checked
 * here against CowSet's (ECMA-262 24.2.4, tested against the spec in
 * packages/map) for random sets, other set-likes of every size, NaN and -0.
 */
import { CowSet } from "@pagefork/map";
import { createState, produce, t } from "@pagefork/state";
import fc from "fast-check";
import { expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({ s: t.set(t.f64) });
const METHODS = [
  "union",
  "intersection",
  "difference",
  "symmetricDifference",
  "isSubsetOf",
  "isSupersetOf",
  "isDisjointFrom",
] as const;
const elem = fc.oneof(fc.integer({ min: -3, max: 6 }), fc.constantFrom(Number.NaN, -0, 0.5));

/** A set-like over `xs` that logs its calls; `size` may lie (Infinity or smaller), as the spec allows. */
function setLike(xs: number[], size: number, log: unknown[]) {
  const data = new Set(xs);
  return {
    get size() {
      log.push("size");
      return size;
    },
    has(v: number) {
      log.push(["has", v]);
      return data.has(v);
    },
    keys() {
      log.push("keys");
      const it = data.keys();
      return {
        next() {
          log.push("next");
          return it.next();
        },
        return() {
          log.push("return");
          return { done: true, value: undefined };
        },
      };
    },
  };
}

const result = (x: unknown) => (typeof x === "boolean" ? x : [...(x as Iterable<number>)]);

it("views and drafts answer the seven Set methods as CowSet does, with the same calls on other", () => {
  fc.assert(
    fc.property(
      fc.array(elem, { maxLength: 8 }),
      fc.array(elem, { maxLength: 8 }),
      fc.constantFrom("exact", "inf", "less"),
      fc.constantFrom(...METHODS),
      (mine, theirs, sizeKind, method) => {
        const p = pool();
        const v0 = createState(S, { s: new Set(mine) }, { pool: p });
        const model = CowSet.from(new Set(mine));
        const size = sizeKind === "exact" ? new Set(theirs).size : sizeKind === "inf" ? Infinity : 0;
        const mLog: unknown[] = [];
        const want = result((model[method] as (o: unknown) => unknown)(setLike(theirs, size, mLog)));
        const vLog: unknown[] = [];
        const view = v0.root.s as unknown as Record<string, (o: unknown) => unknown>;
        expect(result((view[method] as (o: unknown) => unknown).call(view, setLike(theirs, size, vLog)))).toEqual(want);
        expect(vLog).toEqual(mLog);
        const v1 = produce(v0, (d) => {
          const dLog: unknown[] = [];
          const draft = d.s as unknown as Record<string, (o: unknown) => unknown>;
          const got = (draft[method] as (o: unknown) => unknown).call(draft, setLike(theirs, size, dLog));
          expect(result(got)).toEqual(want);
          expect(dLog).toEqual(mLog);
          if (typeof got !== "boolean") expect(got).toBeInstanceOf(Set);
        });
        expect(v1).toBe(v0); // reading changed nothing
        model.release();
        v0.release();
        expect(p.framesInUse).toBe(0);
      },
    ),
    { numRuns: 300 },
  );
});

it("has the native methods' shape and refuses a bad other as they do", () => {
  const v = createState(S, { s: new Set([1, 2]) }, { pool: pool() });
  const view = v.root.s as unknown as Record<string, (o: unknown) => unknown>;
  for (const m of METHODS) {
    const d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(view), m) as PropertyDescriptor;
    expect([typeof d.value, d.value.length, d.value.name, d.enumerable, d.writable, d.configurable]).toEqual([
      "function",
      1,
      m,
      false,
      true,
      true,
    ]);
    expect(() => view[m]?.call(view, 1)).toThrow(TypeError);
    expect(() => view[m]?.call(view, { size: Number.NaN, has() {}, keys() {} })).toThrow(TypeError);
    expect(() => view[m]?.call(view, { size: -1, has() {}, keys() {} })).toThrow(RangeError);
    expect(() => view[m]?.call(view, { size: 1, has: 1, keys() {} })).toThrow(TypeError);
  }
  expect([...v.root.s]).toEqual([1, 2]);
  v.release();
});
