/**
 * The ES2025 set methods call user code of the set-like argument: its `size`
 * getter, `has`, `keys` and the iterator's `next`. Any of them may release
 * (standalone) or free (embedded) the receiver. The methods must then throw
 * ReleasedError, make no result and leave no frame behind; before the fix a
 * `size` getter that released the receiver had `isSubsetOf` answer `false`
 * from the released table's stale count, and an embedded receiver freed by
 * it had `isSupersetOf` answer `false` from the freed table (read as empty).
 */
import { AddressSpace, FramePool, Heap, ReleasedError } from "@pagefork/core";
import { CowSet } from "@pagefork/map";
import { describe, expect, it } from "vitest";

const METHODS = [
  "union",
  "intersection",
  "difference",
  "symmetricDifference",
  "isSubsetOf",
  "isSupersetOf",
  "isDisjointFrom",
] as const;
type Hook = "size" | "has" | "keys" | "next";

/** A set-like over `values` whose `hook` (on its `nth` call) runs `kill`. */
function setLike(values: number[], hook: Hook, kill: () => void, nth = 1) {
  const calls = { has: 0, next: 0, keys: 0 };
  let returned = 0;
  return {
    other: {
      get size() {
        if (hook === "size") kill();
        return values.length;
      },
      has(v: number) {
        if (hook === "has" && ++calls.has === nth) kill();
        return values.includes(v);
      },
      keys() {
        if (hook === "keys" && ++calls.keys === nth) kill();
        let i = 0;
        return {
          next() {
            if (hook === "next" && ++calls.next === nth) kill();
            return i < values.length ? { value: values[i++], done: false } : { value: undefined, done: true };
          },
          return() {
            returned++;
            return { value: undefined, done: true };
          },
        };
      },
    },
    returned: () => returned,
  };
}

/** The spec's answer (ECMA-262 24.2.4) for plain sets `a` and `b`: Node 20 has no Set methods. */
function spec(method: (typeof METHODS)[number], a: number[], b: number[]): boolean | number[] {
  const A = new Set(a);
  const B = new Set(b);
  switch (method) {
    case "union":
      return [...new Set([...a, ...b])];
    case "intersection":
      return A.size <= B.size ? a.filter((x) => B.has(x)) : [...B].filter((x) => A.has(x));
    case "difference":
      return a.filter((x) => !B.has(x));
    case "symmetricDifference":
      return [...a.filter((x) => !B.has(x)), ...[...B].filter((x) => !A.has(x))];
    case "isSubsetOf":
      return a.every((x) => B.has(x));
    case "isSupersetOf":
      return b.every((x) => A.has(x));
    case "isDisjointFrom":
      return !a.some((x) => B.has(x));
  }
}

const CASES: [number[], number[]][] = [
  [
    [1, 2, 3],
    [2, 9],
  ], // the receiver is the larger
  [
    [1, 2],
    [2, 5, 7, 9],
  ], // the smaller
  [
    [1, 2, 3],
    [2, 3],
  ], // a subset of the receiver: a freed receiver read as empty answers wrongly
  [
    [1, 2],
    [1, 2, 5],
  ], // a superset
];

describe.each([false, true])("set methods whose argument releases the receiver (embedded %s)", (embedded) => {
  for (const method of METHODS)
    for (const hook of ["size", "has", "keys", "next"] as Hook[])
      for (const [mine, theirs] of CASES)
        for (const nth of [1, 2])
          it(`${method}: ${hook} call ${nth} releases it (this ${mine}, other ${theirs})`, () => {
            const pool = new FramePool({ pageSize: 256 });
            let space: AddressSpace | null = null;
            let s: CowSet<number>;
            if (embedded) {
              space = new AddressSpace({ size: 1 << 20, pool });
              s = CowSet.create(Heap.create(space), mine) as CowSet<number>;
            } else s = CowSet.from(mine, { pool }) as CowSet<number>;
            let killed = false;
            const { other, returned } = setLike(
              theirs,
              hook,
              () => {
                killed = true;
                if (embedded) s.free();
                else s.release();
              },
              nth,
            );
            let result: unknown;
            try {
              result = (s as unknown as Record<string, (o: unknown) => unknown>)[method]?.(other);
            } catch (e) {
              result = e;
            }
            const want = spec(method, mine, theirs);
            if (killed && hook === "size") expect(result).toBeInstanceOf(ReleasedError);
            // Once released, a method that still had to read the receiver throws ReleasedError; one that
            // no longer needed it (a result copied before, an answer already known) gives the spec's answer.
            else if (!(killed && result instanceof ReleasedError)) {
              if (result instanceof CowSet) {
                expect([...result]).toEqual(want);
                result.release();
              } else expect(result).toBe(want);
            }
            if (result instanceof ReleasedError && hook === "next") expect(returned()).toBe(1); // the walk closed it
            if (!killed) {
              if (embedded) s.free();
              else s.release();
            }
            space?.release();
            expect(pool.framesInUse).toBe(0);
          });
});
