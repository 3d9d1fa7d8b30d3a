/**
 * The Set methods of state's set views and drafts close `other`'s iterator
 * when their own step throws, as ECMA-262's IteratorClose requires for any
 * abrupt completion once the iterator is open (and as CowSet's do). Their
 * own step is adding to or deleting from the native result Set, which
 * throws only at the engine's limit (V8: RangeError "Set maximum size
 * exceeded" at 2^24 elements); simulated here by a Set.prototype.add /
 * delete that throws for one sentinel value. Before: state's own copy of
 * the protocol let the error out and left the iterator open. They now use
 * @pagefork/map's set-like helpers, whose messages still name the method
 * as "Set.prototype.<name>".
 */
import { createState, produce, t } from "@pagefork/state";
import { afterEach, describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({ s: t.set(t.string) });
const BOOM = "boom";
const realAdd = Set.prototype.add;
const realDelete = Set.prototype.delete;
afterEach(() => {
  Set.prototype.add = realAdd;
  Set.prototype.delete = realDelete;
});

/** A set-like over `xs` whose iterator logs `return` calls. */
function other(xs: string[], log: string[]) {
  return {
    size: xs.length,
    has: (v: string) => xs.includes(v),
    keys() {
      const it = xs[Symbol.iterator]();
      return {
        next: () => it.next(),
        return() {
          log.push("return");
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Makes the native Set's `add` and `delete` throw for BOOM, as they throw at the engine's size limit. */
function failOnBoom(): void {
  Set.prototype.add = function (this: Set<unknown>, v: unknown) {
    if (v === BOOM) throw new RangeError("Set maximum size exceeded");
    return realAdd.call(this, v) as Set<unknown>;
  };
  Set.prototype.delete = function (this: Set<unknown>, v: unknown) {
    if (v === BOOM) throw new RangeError("Set maximum size exceeded");
    return realDelete.call(this, v);
  };
}

type SetMethods = Record<string, (o: unknown) => unknown>;

describe("set views and drafts close other's iterator when their step throws", () => {
  for (const method of ["union", "symmetricDifference", "difference"] as const) {
    it(`${method}: a view and a draft`, () => {
      const p = pool();
      const v0 = createState(S, { s: new Set(["a", "b", "c", "d"]) }, { pool: p });
      const view = v0.root.s as unknown as SetMethods;
      const log: string[] = [];
      // difference walks other's keys only when this set is larger than other.
      const xs = ["x", BOOM, "y"];
      failOnBoom();
      expect(() => (view[method] as (o: unknown) => unknown).call(view, other(xs, log))).toThrow(RangeError);
      expect(log).toEqual(["return"]);
      const v1 = produce(v0, (d) => {
        const draft = d.s as unknown as SetMethods;
        const dlog: string[] = [];
        expect(() => (draft[method] as (o: unknown) => unknown).call(draft, other(xs, dlog))).toThrow(RangeError);
        expect(dlog).toEqual(["return"]);
      });
      Set.prototype.add = realAdd;
      Set.prototype.delete = realDelete;
      expect([...v1.root.s]).toEqual(["a", "b", "c", "d"]);
      v1.release();
      v0.release();
      expect(p.stats().framesInUse).toBe(0);
    });
  }

  it("errors still name the method as Set.prototype.<name>", () => {
    const p = pool();
    const v0 = createState(S, { s: new Set(["a"]) }, { pool: p });
    const view = v0.root.s as unknown as SetMethods;
    expect(() => view.union?.({ size: -1, has() {}, keys() {} })).toThrow(
      new RangeError("Set.prototype.union: the argument's size is negative"),
    );
    expect(() => view.isSupersetOf?.({ size: 0, has() {}, keys: () => 1 })).toThrow(
      new TypeError("Set.prototype.isSupersetOf: the argument's keys() did not return an object"),
    );
    const bad = { size: 0, has() {}, keys: () => ({ next: () => ({ done: false, value: "a" }), return: () => 1 }) };
    expect(() => view.isDisjointFrom?.(bad)).toThrow(
      new TypeError("Set.prototype.isDisjointFrom: the iterator's return() did not return an object"),
    );
    v0.release();
    expect(p.stats().framesInUse).toBe(0);
  });
});
