/**
 * CowSet's ES2025 Set methods given a set-like whose `has`, `keys` or
 * iterator `next` edits the receiver meanwhile (adds, deletes, clears it,
 * or deletes and re-adds an element), against the ECMA-262 2025 text over a
 * native Set (support/set-spec.ts): the text walks the receiver's data live
 * in intersection, isSubsetOf and isDisjointFrom (elements added are
 * visited, deleted ones are not), tests the receiver's membership live in
 * isSupersetOf, isDisjointFrom, intersection and symmetricDifference, and
 * works on a copy made at a set point in union, difference and
 * symmetricDifference. Compared: the result, the calls made on the
 * set-like, the receiver's elements in order afterwards; standalone and
 * embedded sets; no frame left behind.
 */
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { METHODS, spec } from "./support/set-spec.js";

const NUM_RUNS = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1) * 1500;

/** An edit of the receiver, run at the set-like's `at`-th call (has, keys or next). */
interface Edit {
  readonly at: number;
  readonly op: "add" | "delete" | "clear" | "readd";
  readonly x: number;
}

/** The receiver, native or COW. */
interface Receiver {
  add(x: number): unknown;
  delete(x: number): boolean;
  clear(): void;
}

function makeOther(size: number, values: readonly number[], edits: readonly Edit[], receiver: Receiver, log: string[]) {
  let calls = 0;
  const step = (what: string): void => {
    log.push(what);
    const n = calls++;
    for (const e of edits) {
      if (e.at !== n) continue;
      if (e.op === "add") receiver.add(e.x);
      else if (e.op === "delete") receiver.delete(e.x);
      else if (e.op === "clear") receiver.clear();
      else if (receiver.delete(e.x)) receiver.add(e.x);
    }
  };
  return {
    size,
    has(v: number) {
      step(`has(${v})`);
      return values.includes(v);
    },
    keys() {
      step("keys()");
      let i = 0;
      return {
        next() {
          step(`next#${i}`);
          const k = i++;
          return k < values.length ? { done: false, value: values[k] } : { done: true, value: undefined };
        },
      };
    },
  };
}

const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(12),
  op: fc.constantFrom("add" as const, "delete" as const, "clear" as const, "readd" as const),
  x: fc.integer({ min: 0, max: 9 }),
});

describe("CowSet set methods whose set-like edits the receiver, against the ES2025 text", () => {
  it("same result, same calls on the set-like, same receiver afterwards (standalone and embedded)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 7 }),
        fc.integer({ min: 0, max: 9 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant(-0)), { maxLength: 7 }),
        fc.array(editArb, { maxLength: 5 }),
        fc.boolean(),
        async (method, elements, size, values, edits, embedded) => {
          await eventLoopTurns();
          const model = new Set(elements);
          const specLog: string[] = [];
          const result = spec[method](model, makeOther(size, values, edits, model, specLog));
          const want = result instanceof Set ? [...result] : result; // in order
          const pool = new FramePool({ pageSize: 256 });
          let space: AddressSpace | null = null;
          let s: CowSet<number>;
          if (embedded) {
            space = new AddressSpace({ size: 256 * 256, pool });
            s = CowSet.create<number>(Heap.create(space, { base: 256 }));
            for (const e of elements) s.add(e);
          } else s = new CowSet<number>(elements, { pool });
          const realLog: string[] = [];
          const r = (s[method] as (o: unknown) => unknown).call(s, makeOther(size, values, edits, s, realLog));
          let got: unknown = r;
          if (r instanceof CowSet) {
            got = [...r];
            r.free();
          }
          expect(realLog).toEqual(specLog);
          expect(got).toEqual(want);
          expect([...s]).toEqual([...model]);
          if (space !== null) space.release();
          else s.release();
          expect(pool.stats().framesInUse).toBe(0);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
