/**
 * Calls whose argument conversions (valueOf, a source's `length` getter or
 * elements, a sort comparator) run user code that shrinks a CowVector (and
 * gives its room back with `shrinkToFit`) or releases the array: the call
 * must then act on what the array holds now, as a native length-tracking
 * typed array over a resizable ArrayBuffer does (fill, sort and set clamp to
 * the shrunk length), and never write past the vector's end or through a
 * released view.
 *
 * Before the fix: `fill`, `sort` and `set(arrayLike)` wrote the old range
 * (SegmentationFault on a standalone vector; on an embedded vector they
 * wrote into the freed tail of its heap block, corrupting the heap's free
 * list and the block allocated there); `insert` past the new end lost its
 * items and brought a removed element back; `fill`, `sort` and `set` on a
 * subarray released meanwhile wrote into the parent's elements; `subarray`
 * of an array released meanwhile returned a view of a released space.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, ReleasedError } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { ResizableBuffer, shrinking } from "../../../test/support/shrinking.js";

const N = 64;
const KEEP = 3;
const INIT = Array.from({ length: N }, (_, i) => i + 1);

type Arr = {
  fill(v: number, s?: number, e?: number): unknown;
  sort(c?: (x: number, y: number) => number): unknown;
  set(src: ArrayLike<number>, off?: number): void;
  readonly length: number;
};
/** A call, given a function that shrinks the array (once), on its first run. */
type Call = readonly [string, (a: Arr, shrink: () => void) => unknown];

const CALLS: readonly Call[] = [
  ["fill(7, start)", (a, s) => a.fill(7, shrinking(0, s))],
  ["fill(7, 1, end)", (a, s) => a.fill(7, 1, shrinking(N, s))],
  ["fill(value)", (a, s) => a.fill(shrinking(7, s))],
  [
    "sort(desc)",
    (a, s) =>
      a.sort((x, y) => {
        s();
        return y - x;
      }),
  ],
  [
    "set(arrayLike, 0) by its length",
    (a, s) =>
      a.set(
        {
          get length() {
            s();
            return N;
          },
        } as ArrayLike<number>,
        0,
      ),
  ],
  [
    "set(values) by an element",
    (a, s) => a.set(Array.from({ length: N }, (_, i) => (i === 1 ? shrinking(9, s) : 9)) as number[], 0),
  ],
];

function outcome(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

function native(call: Call): [string, number[]] {
  const rab = new ResizableBuffer(N * 8, { maxByteLength: N * 8 });
  const a = new Float64Array(rab);
  a.set(INIT);
  let fired = false;
  const r = outcome(() =>
    call[1](a as unknown as Arr, () => {
      if (fired) return;
      fired = true;
      rab.resize(KEEP * 8);
    }),
  );
  return [r, [...a]];
}

describe("a conversion that shrinks a standalone CowVector (and unmaps its room)", () => {
  it("fill, sort and set act on the shrunk vector, as a native length-tracking typed array", () => {
    const pool = new FramePool({ pageSize: 256 });
    for (const call of CALLS) {
      const v = CowVector.from(Float64Array, INIT, { pool });
      const keep = v.fork();
      let fired = false;
      const r = outcome(() =>
        call[1](v as unknown as Arr, () => {
          if (fired) return;
          fired = true;
          v.resize(KEEP);
          v.shrinkToFit(); // the pages past the end are unmapped
        }),
      );
      expect([r, [...v]], call[0]).toEqual(native(call));
      expect([...keep], call[0]).toEqual(INIT);
      v.release();
      keep.release();
    }
    expect(pool.framesInUse).toBe(0);
  });
});

describe("a conversion that shrinks an embedded CowVector, freeing its block's tail", () => {
  it("writes nothing past the vector: the heap and the block allocated in the freed tail stay intact", () => {
    const pool = new FramePool({ pageSize: 256 });
    for (const call of CALLS) {
      const space = new AddressSpace({ size: 1 << 20, pool });
      const heap = Heap.create(space, { base: 256 });
      const v = CowVector.create(heap, Float64Array);
      v.extend(INIT);
      let other: CowVector | null = null;
      let fired = false;
      const r = outcome(() =>
        call[1](v as unknown as Arr, () => {
          if (fired) return;
          fired = true;
          v.resize(KEEP);
          v.shrinkToFit();
          other = CowVector.create(heap, Float64Array); // lands in the freed tail
          other.extend(Array.from({ length: 20 }, (_, i) => 100 + i));
        }),
      );
      expect([r, [...v]], call[0]).toEqual(native(call));
      expect([...(other as unknown as CowVector)], call[0]).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
      expect(() => heap.check(), call[0]).not.toThrow();
      space.release();
    }
    expect(pool.framesInUse).toBe(0);
  });
});

describe("insert whose items' conversion shrinks the vector below the index", () => {
  it("inserts at the new end (as splice does), losing no item and bringing back no removed element", () => {
    const pool = new FramePool({ pageSize: 256 });
    const v = CowVector.from(Float64Array, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { pool });
    v.insert(
      10,
      shrinking(5, () => v.resize(2)),
    );
    expect([...v]).toEqual([0, 1, 5]);
    const w = CowVector.from(Float64Array, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { pool });
    w.insertFrom(4, [shrinking(5, () => w.resize(6)), 6]);
    expect([...w]).toEqual([0, 1, 2, 3, 5, 6, 4, 5]);
    const x = CowVector.from(Float64Array, [0, 1, 2], { pool });
    expect(() =>
      x.insert(
        1,
        shrinking(5, () => x.release()),
      ),
    ).toThrow(ReleasedError);
    v.release();
    w.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("an embedded vector shrunk to fit: the item lands inside its block, the heap stays intact", () => {
    const pool = new FramePool({ pageSize: 256 });
    const space = new AddressSpace({ size: 1 << 20, pool });
    const heap = Heap.create(space, { base: 256 });
    const v = CowVector.create(heap, Float64Array);
    v.extend(INIT);
    let other: CowVector | null = null;
    v.insert(
      N,
      shrinking(5, () => {
        v.resize(KEEP);
        v.shrinkToFit();
        other = CowVector.create(heap, Float64Array);
        other.extend([100, 101, 102, 103, 104, 105, 106, 107]);
      }),
    );
    expect([...v]).toEqual([1, 2, 3, 5]);
    expect([...(other as unknown as CowVector)]).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    expect(() => heap.check()).not.toThrow();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("a subarray released while the arguments are converted", () => {
  const cases: [string, (s: CowFloat64Array) => unknown][] = [
    [
      "fill(7, start)",
      (s) =>
        s.fill(
          7,
          shrinking(0, () => s.release()),
        ),
    ],
    ["fill(value)", (s) => s.fill(shrinking(7, () => s.release()))],
    [
      "set(arrayLike)",
      (s) =>
        s.set({
          length: 2,
          get 0() {
            s.release();
            return 9;
          },
          1: 9,
        } as ArrayLike<number>),
    ],
    [
      "copyWithin",
      (s) =>
        s.copyWithin(
          0,
          shrinking(2, () => s.release()),
        ),
    ],
    ["subarray", (s) => s.subarray(shrinking(1, () => s.release()))],
    ["spans", (s) => s.spans(shrinking(1, () => s.release()))],
  ];
  it("throws ReleasedError and writes nothing into the parent's elements", () => {
    const pool = new FramePool({ pageSize: 256 });
    for (const [name, call] of cases) {
      const a = CowFloat64Array.from([1, 2, 3, 4, 5, 6], { pool });
      const s = a.subarray(1);
      expect(() => call(s), name).toThrow(ReleasedError);
      expect([...a], name).toEqual([1, 2, 3, 4, 5, 6]);
      expect(a.owner.views, name).toBe(1); // no view was added for a released array
      a.release();
    }
    expect(pool.framesInUse).toBe(0);
  });

  it("sort whose comparator releases it returns it and writes nothing, as a native sort over a detached buffer", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = CowFloat64Array.from([1, 2, 3, 4, 5, 6], { pool });
    const s = a.subarray(1);
    const sorted = s.sort((x, y) => {
      s.release();
      return y - x;
    });
    expect(sorted).toBe(s);
    expect(() => s.length).toThrow(ReleasedError);
    expect([...a]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.owner.views).toBe(1);
    a.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("subarray of an array released meanwhile (its last view) throws ReleasedError", () => {
    const pool = new FramePool({ pageSize: 256 });
    const a = CowFloat64Array.from([1, 2, 3], { pool });
    expect(() => a.subarray(shrinking(1, () => a.release()))).toThrow(ReleasedError);
    expect(pool.stats()).toMatchObject({ framesInUse: 0, spaces: 0 });
  });
});

describe("with whose value's conversion grows the vector", () => {
  it("returns a copy of the length before the conversions, as the native with (standalone and embedded)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const v = CowVector.from(Float64Array, [1, 2, 3], { pool });
    const w = v.with(
      0,
      shrinking(9, () => v.push(4, 5)),
    );
    expect([...w]).toEqual([9, 2, 3]);
    expect([...v]).toEqual([1, 2, 3, 4, 5]);
    w.release();
    v.release();
    const space = new AddressSpace({ size: 1 << 20, pool });
    const heap = Heap.create(space, { base: 256 });
    const e = CowVector.create(heap, Float64Array);
    e.extend([1, 2, 3]);
    const f = e.with(
      -1,
      shrinking(9, () => e.push(4)),
    );
    expect([...f]).toEqual([1, 2, 9]);
    expect([...e]).toEqual([1, 2, 3, 4]);
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("slice whose end's conversion empties an embedded CowVector", () => {
  it("the copy's elements past what is left read zero, not what a freed block held", () => {
    // Found by review29-conversions.model (seed -969856267): the copy's block was malloc'd
    // as if every element were written, and the heap handed out a block freed before.
    const pool = new FramePool({ pageSize: 256 });
    const space = new AddressSpace({ size: 1 << 16, pool });
    const heap = Heap.create(space, { base: 256 });
    const v = CowVector.create(heap, Float64Array);
    v.extend([0, 0]);
    v.push(1000); // grows the element block (moved: the old one is freed)
    v.push(1001);
    const buffer = new ResizableBuffer(4 * 8, { maxByteLength: 64 * 8 });
    const model = new Float64Array(buffer as ArrayBuffer);
    model.set([0, 0, 1000, 1001]);
    const want = model.slice(
      -3,
      shrinking(4, () => buffer.resize(0)),
    );
    const got = v.slice(
      -3,
      shrinking(4, () => v.resize(0)),
    );
    expect([...got]).toEqual([...want]); // [0, 0, 0]: native zeroes what is gone
    expect(() => heap.check()).not.toThrow();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("includes whose fromIndex's conversion resizes a CowVector", () => {
  it("searches the length read before the conversion, as the native includes", () => {
    // Found by review29-conversions.model ([1], includes(0, fromIndex that resizes to 2)):
    // it searched the grown vector and found the new zero.
    const pool = new FramePool({ pageSize: 256 });
    for (const [search, to] of [
      [0, 2],
      [0, 40],
      [Number.NaN, 3],
      [undefined, 0],
      [undefined, 1],
      [undefined, 3],
      [1, 0],
    ] as const) {
      const v = CowVector.from(Float64Array, [1, 2], { pool });
      const buffer = new ResizableBuffer(16, { maxByteLength: 64 * 8 });
      const model = new Float64Array(buffer as ArrayBuffer);
      model.set([1, 2]);
      const want = model.includes(
        search as number,
        shrinking(0, () => buffer.resize(to * 8)),
      );
      const got = v.includes(
        search as number,
        shrinking(0, () => v.resize(to)),
      );
      expect([search, to, got]).toEqual([search, to, want]);
      v.release();
    }
    expect(pool.framesInUse).toBe(0);
  });
});
