/**
 * A CowVector edit whose argument's conversion (a valueOf, an array-like's
 * getter, an iterator) frees the vector (embedded) or releases it
 * (standalone): push of one or more items, extend from an array-like or an
 * iterable, splice's items, start and deleteCount. The edit stored the item
 * into the freed element block and wrote the freed header: a vector made in
 * the heap meanwhile, which took the freed blocks, had its element 0
 * overwritten (push returned 1 and `other` read [42, 5, 5]). Now each throws
 * ReleasedError and writes nothing; the other vector and the heap are as
 * before, and once the space is released the pool holds no frame.
 */
import { CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, ReleasedError } from "@pagefork/core";
import { describe, expect, it } from "vitest";

type Vec = CowVector<Float64ArrayConstructor>;

/** Each edit, given the vector and the side effect its argument's conversion runs. */
const EDITS: Record<string, (v: Vec, kill: () => void) => unknown> = {
  "push(x)": (v, kill) =>
    v.push({
      valueOf() {
        kill();
        return 42;
      },
    } as unknown as number),
  "push(x, y)": (v, kill) =>
    v.push(1, {
      valueOf() {
        kill();
        return 42;
      },
    } as unknown as number),
  "extend(array-like)": (v, kill) =>
    v.extend({
      length: 2,
      get 0() {
        kill();
        return 42;
      },
      1: 43,
    }),
  "extend(iterable)": (v, kill) =>
    v.extend(
      (function* () {
        yield 42;
        kill();
        yield 43;
      })(),
    ),
  "splice(items)": (v, kill) =>
    v.splice(1, 1, {
      valueOf() {
        kill();
        return 42;
      },
    } as unknown as number),
  "splice(start)": (v, kill) =>
    v.splice(
      {
        valueOf() {
          kill();
          return 1;
        },
      } as unknown as number,
      1,
      42,
    ),
  "splice(start, deleteCount)": (v, kill) =>
    v.splice(1, {
      valueOf() {
        kill();
        return 1;
      },
    } as unknown as number),
};

describe("a CowVector edit whose argument's conversion frees or releases the vector", () => {
  for (const [name, edit] of Object.entries(EDITS)) {
    it(`${name}, embedded: ReleasedError, nothing written to the vector that took the freed blocks`, () => {
      const pool = new FramePool({ pageSize: 256 });
      const space = new AddressSpace({ size: 64 * 256, pool });
      const heap = Heap.create(space, { base: 256 });
      const v = CowVector.create(heap, Float64Array);
      v.extend([1, 2, 3]);
      const others: Vec[] = [];
      expect(() =>
        edit(v, () => {
          v.free();
          // Vectors of the same sizes: the first takes the freed header and element blocks.
          for (let i = 0; i < 3; i++) {
            const o = CowVector.create(heap, Float64Array);
            o.extend([5, 6, 7]);
            others.push(o);
          }
        }),
      ).toThrow(ReleasedError);
      expect(others.map((o) => Array.from(o.toTypedArray()))).toEqual([
        [5, 6, 7],
        [5, 6, 7],
        [5, 6, 7],
      ]);
      expect(heap.stats().blocks).toBe(6);
      heap.check();
      space.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
    });

    it(`${name}, standalone: ReleasedError from the vector, no frame left`, () => {
      const pool = new FramePool({ pageSize: 256 });
      const v = CowVector.from(Float64Array, [1, 2, 3], { pool });
      const fork = v.fork();
      expect(() => edit(v, () => v.release())).toThrow(ReleasedError);
      expect(() => edit(v, () => {})).toThrow(ReleasedError);
      expect(Array.from(fork.toTypedArray())).toEqual([1, 2, 3]);
      fork.release();
      expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
    });
  }
});
