/**
 * union and symmetricDifference call `other.keys()` before they copy the
 * receiver (ECMA-262 24.2.4.4 step 4 / 24.2.4.9 step 4). When the copy is
 * refused (the pool's commit limit: OutOfMemoryError), the walk over that
 * iterator never starts, and the iterator must be closed (IteratorClose on
 * the abrupt completion, as every other throw inside the walk does), with
 * nothing left behind: the receiver, `other` and the pool's frames as before.
 * Before the fix the iterator was left open (its `return` never called).
 */
import { FramePool, OutOfMemoryError } from "@pagefork/core";
import { CowSet } from "@pagefork/map";
import { describe, expect, it } from "vitest";

/** A set-like whose iterator counts `next` and `return` calls. */
function counted(values: number[]) {
  const calls = { keys: 0, next: 0, ret: 0 };
  const other = {
    size: values.length,
    has: (v: number) => values.includes(v),
    keys() {
      calls.keys++;
      let i = 0;
      return {
        next() {
          calls.next++;
          return i < values.length ? { value: values[i++] as number, done: false } : { value: undefined, done: true };
        },
        return() {
          calls.ret++;
          return { value: undefined, done: true };
        },
      };
    },
  };
  return { other, calls };
}

describe.each(["union", "symmetricDifference"] as const)("%s when the receiver's copy is refused", (method) => {
  it("closes other's iterator, throws OutOfMemoryError and changes nothing", () => {
    // Strict accounting charges each space its whole size: the pool holds one set's space, not a second (the copy).
    const pool = new FramePool({ pageSize: 256, maxBytes: 96 << 10, overcommit: "never" });
    const mine = new CowSet<number>(null, { pool, maxBytes: 64 << 10 });
    for (let i = 0; i < 40; i++) mine.add(i);
    const frames = pool.framesInUse;
    const { other, calls } = counted([3, 100, 101]);
    let err: unknown;
    try {
      mine[method](other);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect(calls).toEqual({ keys: 1, next: 0, ret: 1 });
    expect(pool.framesInUse).toBe(frames);
    expect([...mine]).toEqual(Array.from({ length: 40 }, (_, i) => i));
    mine.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().committedBytes).toBe(0);
    // with room (no limit) the same call works and closes nothing: the walk ran to done
    const roomy = CowSet.from(Array.from({ length: 40 }, (_, i) => i));
    const { other: o2, calls: c2 } = counted([3, 100, 101]);
    const r = roomy[method](o2);
    expect(c2).toEqual({ keys: 1, next: 4, ret: 0 });
    expect([...r]).toEqual(
      method === "union"
        ? [...Array.from({ length: 40 }, (_, i) => i), 100, 101]
        : [...Array.from({ length: 40 }, (_, i) => i).filter((x) => x !== 3), 100, 101],
    );
    r.release();
    roomy.release();
  });
});
