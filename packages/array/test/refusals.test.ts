/**
 * Regression tests of refused multi-step operations: a vector or array call
 * refused by the pool's limit (or whose own space the out-of-memory hook
 * released) changes nothing, neither its contents nor the pool's frames.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { describe, expect, it } from "vitest";

describe("a refused vector call changes nothing (C2)", () => {
  it("splice that removes more than it inserts, refused for memory, keeps every element", () => {
    const pool = new FramePool({ pageSize: 256, maxBytes: 512 });
    const v = CowVector.from(Float64Array, [1, 2, 3, 4], { pool, maxLength: 64 });
    const w = v.fork();
    const other = new AddressSpace({ size: 256, pool });
    other.setUint8(0, 1); // takes the last frame
    const frames = pool.framesInUse;
    expect(() => w.splice(0, 4, 9)).toThrow(OutOfMemoryError);
    expect([...w]).toEqual([1, 2, 3, 4]);
    expect(w.length).toBe(4);
    expect(pool.framesInUse).toBe(frames);
    for (const s of [v, w, other]) s.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("splice(0, 65, ...32 items) refused after a fork holds no frame afterwards", () => {
    const pool = new FramePool({ pageSize: 256 });
    const limited = new FramePool({ pageSize: 256, maxBytes: 256 * 20 });
    for (const p of [pool, limited]) {
      const v = CowVector.from(
        Float64Array,
        Array.from({ length: 200 }, (_, i) => i + 1),
        { pool: p, maxLength: 4096 },
      ); // 7 pages of 32 elements
      const w = v.fork();
      const fill = new AddressSpace({ size: 256 * 64, pool: p });
      // Leave 5 frames: the move of elements 65.. to 32.. writes pages 1-5 (32 elements a page),
      // the items then page 0: a sixth frame.
      for (let i = 0; p.maxBytes !== Infinity && p.framesAvailable() > 5; i++) fill.setUint8(i * 256, 1);
      const frames = p.framesInUse;
      const items = Array.from({ length: 32 }, (_, i) => -i);
      if (p === pool) {
        w.splice(0, 65, ...items); // unlimited: succeeds
        expect(w.length).toBe(167);
      } else {
        expect(() => w.splice(0, 65, ...items)).toThrow(OutOfMemoryError);
        expect(w.length).toBe(200);
        expect([...w]).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
        expect(p.framesInUse).toBe(frames);
      }
      for (const s of [v, w, fill]) s.release();
      expect(p.framesInUse).toBe(0);
    }
  });

  it("every multi-step vector call, with 0 to 7 frames left after a fork, completes or changes nothing", () => {
    const init = Array.from({ length: 200 }, (_, i) => i + 1);
    const zeros = (n: number) => new Array<number>(n).fill(0);
    const desc = (x: number, y: number) => y - x;
    // [name, the call, what it does to a plain array]
    const calls: [string, (w: CowVector) => unknown, (a: number[]) => void][] = [
      ["removeRange", (w) => w.removeRange(0, 40), (a) => a.splice(0, 40)],
      ["insert", (w) => w.insert(3, 1, 2, 3), (a) => a.splice(3, 0, 1, 2, 3)],
      ["insertFrom", (w) => w.insertFrom(0, new Float64Array(100)), (a) => a.splice(0, 0, ...zeros(100))],
      ["resize", (w) => w.resize(400), (a) => a.push(...zeros(200))],
      ["extend", (w) => w.extend(new Float64Array(300)), (a) => a.push(...zeros(300))],
      [
        "push",
        (w) => w.push(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25),
        (a) => a.push(...Array.from({ length: 25 }, (_, i) => i + 1)),
      ],
      ["splice grow", (w) => w.splice(10, 2, 1, 2, 3, 4, 5), (a) => a.splice(10, 2, 1, 2, 3, 4, 5)],
      ["splice shrink", (w) => w.splice(10, 50, 7), (a) => a.splice(10, 50, 7)],
      ["splice head", (w) => w.splice(0, 65, ...zeros(32)), (a) => a.splice(0, 65, ...zeros(32))],
      ["swapRemove", (w) => w.swapRemove(3), (a) => a.splice(3, 1, a.pop() as number)],
      ["copyWithin", (w) => w.copyWithin(0, 100), (a) => a.copyWithin(0, 100)],
      ["fill", (w) => w.fill(7), (a) => a.fill(7)],
      ["fill zeros", (w) => w.fill(0, 5, 190), (a) => a.fill(0, 5, 190)],
      ["sort", (w) => w.sort(desc), (a) => a.sort(desc)],
      ["reverse", (w) => w.reverse(), (a) => a.reverse()],
      ["set", (w) => w.set(new Float64Array(150), 10), (a) => a.splice(10, 150, ...zeros(150))],
      ["set Int8", (w) => w.set(new Int8Array(150), 10), (a) => a.splice(10, 150, ...zeros(150))],
      ["reserve", (w) => w.reserve(5000 / 8), () => {}],
    ];
    for (const [name, call, model] of calls) {
      for (let left = 0; left <= 7; left++) {
        const what = `${name} with ${left} frame(s) left`;
        const pool = new FramePool({ pageSize: 256, maxBytes: 256 * 20 });
        const v = CowVector.from(Float64Array, init, { pool, maxLength: 4096 });
        const w = v.fork();
        const fill = new AddressSpace({ size: 256 * 64, pool });
        for (let i = 0; pool.framesAvailable() > left; i++) fill.setUint8(i * 256, 1);
        const frames = pool.framesInUse;
        const committed = pool.stats().committedBytes;
        const capacity = w.capacity;
        let refused = false;
        try {
          call(w);
        } catch (e) {
          expect(e, what).toBeInstanceOf(OutOfMemoryError);
          refused = true;
        }
        const expected = [...init];
        if (!refused) model(expected);
        expect([...w], what).toEqual(expected);
        expect([...v], what).toEqual(init);
        if (refused) {
          expect(pool.framesInUse, what).toBe(frames);
          expect(pool.stats().committedBytes, what).toBe(committed);
          expect(w.capacity, what).toBe(capacity);
        }
        for (const s of [v, w, fill]) s.release();
        expect(pool.framesInUse, what).toBe(0);
      }
    }
  });

  it("a vector call whose space the out-of-memory hook releases throws ReleasedError", () => {
    let victim: CowVector | null = null;
    let fill: AddressSpace | null = null;
    const pool = new FramePool({
      pageSize: 256,
      maxBytes: 256 * 12,
      onOutOfMemory: () => {
        victim?.release();
        fill?.release(); // room enough: the call would go on, on a released vector
      },
    });
    const v = CowVector.from(
      Float64Array,
      Array.from({ length: 150 }, (_, i) => i),
      { pool, maxLength: 4096 },
    ); // 5 pages
    const w = v.fork();
    victim = w;
    fill = new AddressSpace({ size: 256 * 64, pool });
    for (let i = 0; pool.framesAvailable() > 0; i++) fill.setUint8(i * 256, 1);
    expect(() => w.splice(0, 40, 1)).toThrow(ReleasedError);
    expect(w.released).toBe(true);
    expect([...v]).toEqual(Array.from({ length: 150 }, (_, i) => i));
    v.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a typed-array bulk write whose space the hook releases throws ReleasedError and leaks nothing", () => {
    let victim: CowFloat64Array | null = null;
    let fill: AddressSpace | null = null;
    const pool = new FramePool({
      pageSize: 256,
      maxBytes: 256 * 12,
      onOutOfMemory: () => {
        victim?.release();
        fill?.release();
      },
    });
    const a = CowFloat64Array.from(
      Array.from({ length: 150 }, (_, i) => i),
      { pool },
    );
    const b = a.fork();
    victim = b;
    fill = new AddressSpace({ size: 256 * 64, pool });
    for (let i = 0; pool.framesAvailable() > 0; i++) fill.setUint8(i * 256, 1);
    expect(() => b.sort((x, y) => y - x)).toThrow(ReleasedError);
    expect([...a]).toEqual(Array.from({ length: 150 }, (_, i) => i));
    a.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe('vectors in a pool with overcommit "never"', () => {
  it("can be made with the default maxLength: what the commit limit has room for, charged only its capacity", () => {
    const pool = new FramePool({ pageSize: 1024, maxBytes: 1 << 20, overcommit: "never" });
    const v = new CowVector(Float64Array, { pool });
    expect(v.maxLength).toBe((1 << 20) / 8);
    expect(pool.stats().committedBytes).toBe(0);
    v.push(1, 2, 3);
    expect(pool.stats().committedBytes).toBe(1024); // one page of capacity
    const w = CowVector.from(Int32Array, [1, 2, 3], { pool, capacity: 1000 });
    expect(w.maxLength).toBe(((1 << 20) - 1024) / 4);
    expect(pool.stats().committedBytes).toBe(1024 + 4096);
    const f = v.fork(); // charged v's capacity again
    expect(pool.stats().committedBytes).toBe(2 * 1024 + 4096);
    expect([...f]).toEqual([1, 2, 3]);
    for (const x of [v, w, f]) x.release();
    expect(pool.stats().committedBytes).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses with OutOfMemoryError, changing nothing, when the limit has no room left", () => {
    const pool = new FramePool({ pageSize: 1024, maxBytes: 4096, overcommit: "never" });
    const a = new AddressSpace({ size: 4096, pool }); // commits everything
    expect(() => new CowVector(Float64Array, { pool })).toThrow(OutOfMemoryError);
    expect(pool.stats().committedBytes).toBe(4096);
    a.release();
    expect(() => new CowVector(Float64Array, { pool, capacity: 513 })).toThrow(OutOfMemoryError);
    const v = new CowVector(Float64Array, { pool, capacity: 512 });
    expect(v.capacity).toBe(512);
    expect(() => v.push(1, 2)).not.toThrow();
    expect(() => v.reserve(513)).toThrow(RangeError); // past maxLength (512)
    v.release();
    expect(pool.stats().committedBytes).toBe(0);
  });
});
