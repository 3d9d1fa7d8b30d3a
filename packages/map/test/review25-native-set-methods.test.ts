/**
 * CowSet's ES2025 set methods when `other`'s `size` getter, `has`, `keys` or
 * its iterator's `next` change the receiver: the results, the calls made on
 * `other` (their order and arguments) and the receiver afterwards must be
 * those of ECMA-262 24.2.4 (ES2025), transcribed below step by step over a
 * native Set (Node 20 has no native set methods; a native Set's live
 * iteration is the spec's walk by index over [[SetData]], where deleted
 * entries are EMPTY and added ones appended). Before the fix, union and
 * symmetricDifference copied the receiver before calling `other.keys()`
 * (the spec: after), and difference walked the receiver itself instead of
 * its copy.
 */
import { FramePool } from "@pagefork/core";
import { CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

type SetData = { add(v: number): unknown; delete(v: number): unknown; has(v: number): boolean; readonly size: number };

interface Rec {
  set: object;
  size: number;
  has: (v: number) => unknown;
  keys: () => Iterator<number>;
}

/** GetSetRecord (inputs here are well-formed: size a number, has and keys functions). */
function getSetRecord(other: { size: number; has: (v: number) => unknown; keys: () => Iterator<number> }): Rec {
  const size = Math.trunc(+other.size);
  return { set: other, size, has: other.has, keys: other.keys };
}
function* stepValues(rec: Rec): Generator<number, void, boolean | undefined> {
  const it = rec.keys.call(rec.set);
  const next = it.next;
  for (;;) {
    const r = next.call(it);
    if (r.done) return;
    const v = r.value === 0 ? 0 : r.value;
    const stop = yield v;
    if (stop) {
      it.return?.();
      return;
    }
  }
}

/** Spec transcriptions: `o` is the receiver's [[SetData]] (live), the result a list. */
function union(o: Set<number>, other: never): number[] {
  const rec = getSetRecord(other);
  const iter = rec.keys.call(rec.set); // step 4, GetIteratorFromMethod
  const next = iter.next;
  const result = [...o]; // step 5, copy
  for (;;) {
    const r = next.call(iter);
    if (r.done) return result;
    const v = r.value === 0 ? 0 : r.value;
    if (!result.includes(v)) result.push(v);
  }
}
function intersection(o: Set<number>, other: never): number[] {
  const rec = getSetRecord(other);
  const result: number[] = [];
  if (o.size <= rec.size) {
    for (const e of o) if (rec.has.call(rec.set, e) && !result.includes(e)) result.push(e);
  } else {
    for (const v of stepValues(rec)) if (o.has(v) && !result.includes(v)) result.push(v);
  }
  return result;
}
function difference(o: Set<number>, other: never): number[] {
  const rec = getSetRecord(other);
  const result: (number | null)[] = [...o]; // copy; null is EMPTY
  if (o.size <= rec.size) {
    const thisSize = o.size;
    for (let i = 0; i < thisSize; i++) {
      const e = result[i] as number | null;
      if (e !== null && rec.has.call(rec.set, e)) result[i] = null;
    }
  } else {
    for (const v of stepValues(rec)) {
      const i = result.indexOf(v);
      if (i >= 0) result[i] = null;
    }
  }
  return result.filter((x): x is number => x !== null);
}
function symmetricDifference(o: Set<number>, other: never): number[] {
  const rec = getSetRecord(other);
  const iter = rec.keys.call(rec.set);
  const next = iter.next;
  const result: (number | null)[] = [...o];
  for (;;) {
    const r = next.call(iter);
    if (r.done) return result.filter((x): x is number => x !== null);
    const v = r.value === 0 ? 0 : r.value;
    const i = result.indexOf(v);
    if (o.has(v)) {
      if (i >= 0) result[i] = null;
    } else if (i < 0) result.push(v);
  }
}
function isSubsetOf(o: Set<number>, other: never): boolean {
  const rec = getSetRecord(other);
  if (o.size > rec.size) return false;
  for (const e of o) if (!rec.has.call(rec.set, e)) return false;
  return true;
}
function isSupersetOf(o: Set<number>, other: never): boolean {
  const rec = getSetRecord(other);
  if (o.size < rec.size) return false;
  const g = stepValues(rec);
  for (let r = g.next(false); !r.done; ) {
    if (!o.has(r.value)) {
      g.next(true);
      return false;
    }
    r = g.next(false);
  }
  return true;
}
function isDisjointFrom(o: Set<number>, other: never): boolean {
  const rec = getSetRecord(other);
  if (o.size <= rec.size) {
    for (const e of o) if (rec.has.call(rec.set, e)) return false;
    return true;
  }
  const g = stepValues(rec);
  for (let r = g.next(false); !r.done; ) {
    if (o.has(r.value)) {
      g.next(true);
      return false;
    }
    r = g.next(false);
  }
  return true;
}
const METHODS = {
  union,
  intersection,
  difference,
  symmetricDifference,
  isSubsetOf,
  isSupersetOf,
  isDisjointFrom,
} as const;
type Name = keyof typeof METHODS;

/** An edit of the receiver made at the `at`-th call on `other` (size, has, keys, next alike). */
interface Edit {
  at: number;
  add: boolean;
  value: number;
}

/** A set-like over `elems` that logs every call and applies `edits` to `target` on the matching call. */
function otherFor(elems: number[], size: number, edits: Edit[], target: SetData, log: unknown[]): never {
  let calls = 0;
  const hook = (what: unknown) => {
    log.push(what);
    for (const e of edits) if (e.at === calls) e.add ? target.add(e.value) : target.delete(e.value);
    calls++;
  };
  return {
    get size() {
      hook("size");
      return size;
    },
    has(v: number) {
      hook(["has", v]);
      return elems.includes(v);
    },
    keys() {
      hook("keys");
      let i = 0;
      return {
        next() {
          hook("next");
          return i < elems.length ? { done: false, value: elems[i++] } : { done: true, value: undefined };
        },
        return() {
          hook("return");
          return {};
        },
      };
    },
  } as never;
}

const small = fc.integer({ min: 0, max: 7 });

describe("CowSet set methods whose other changes the receiver", () => {
  for (const name of Object.keys(METHODS) as Name[])
    it(`${name} follows the spec's steps`, () => {
      const pool = new FramePool({ pageSize: 256 });
      fc.assert(
        fc.property(
          fc.uniqueArray(small, { maxLength: 6 }),
          fc.uniqueArray(small, { maxLength: 6 }),
          fc.integer({ min: 0, max: 8 }),
          fc.array(fc.record({ at: fc.nat(12), add: fc.boolean(), value: small }), { maxLength: 3 }),
          (mine, theirs, size, edits) => {
            const model = new Set(mine);
            const modelLog: unknown[] = [];
            const want = METHODS[name](model, otherFor(theirs, size, edits, model, modelLog));
            const real = CowSet.from(mine, { pool });
            const realLog: unknown[] = [];
            const out = (real[name] as (o: unknown) => unknown)(otherFor(theirs, size, edits, real, realLog));
            const got = out instanceof CowSet ? [...out] : out;
            if (out instanceof CowSet) out.release();
            expect({ result: got, calls: realLog, after: [...real] }).toEqual({
              result: want,
              calls: modelLog,
              after: [...model],
            });
            real.release();
          },
        ),
        { numRuns: 300 },
      );
      expect(pool.framesInUse).toBe(0);
    });
});
