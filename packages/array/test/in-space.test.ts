/**
 * Embedded ("in-space") arrays and vectors: what they cost, how attach
 * validates, what fork/release/free do on them, views and copies in the heap,
 * and refused calls that change nothing.
 */
import {
  CowBigInt64Array,
  CowFloat64Array,
  CowInt8Array,
  CowInt32Array,
  CowUint16Array,
  CowVector,
} from "@pagefork/array";
import { AddressSpace, FramePool, Heap, InvalidArgumentError, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { KINDS } from "./support.js";

const PS = 1024;

function world(pageSize = PS, limit = 2 ** 30) {
  const pool = new FramePool({ pageSize });
  const space = new AddressSpace({ size: 2 ** 32, pool });
  const heap = Heap.create(space, { base: pageSize, limit: pageSize + limit });
  return { pool, space, heap };
}

describe("what an embedded array costs", () => {
  it("a million zero Float64 elements cost one page and page-map entries, not 8 MB", () => {
    const { pool, space, heap } = world();
    const frames = pool.framesInUse;
    const meta = heap.stats().metadataPages;
    const a = CowFloat64Array.create(heap, 1_000_000);
    const mapPages = heap.stats().metadataPages - meta; // 16 bytes of page map per heap page
    expect(mapPages).toBeLessThanOrEqual(Math.ceil(((8_000_024 / PS) * 16) / PS) + 1);
    expect(pool.framesInUse - frames).toBe(mapPages + 1); // + the block's first page: the header
    expect(a.reduce((s, x) => s + x, 0)).toBe(0);
    a.set(999_999, 2);
    expect(pool.framesInUse - frames).toBe(mapPages + 2);
    a.free();
    heap.check();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("empty structures are one small block each: 100,000 of them fit a few pages", () => {
    const { space, heap } = world(256);
    const vs = Array.from({ length: 1000 }, () => CowVector.create(heap, Int32Array));
    const as = Array.from({ length: 1000 }, () => CowInt8Array.create(heap, 0));
    const s = heap.stats();
    expect(s.blocks).toBe(2000);
    expect(s.usableBytes).toBe(2000 * 24); // the 32-byte class: 24-byte headers
    expect(vs[0]?.capacity).toBe(0);
    for (const x of [...vs, ...as]) x.free();
    expect(heap.stats().blocks).toBe(0);
    heap.check();
    space.release();
  });
});

describe("attach", () => {
  it("rebuilds a handle from the header in a fork, reading only (the fork may be frozen)", () => {
    const { pool, space, heap } = world();
    const a = CowUint16Array.create(heap, [1, 2, 70000]);
    const v = CowVector.create(heap, BigInt64Array);
    v.push(5n, -6n);
    const child = space.fork();
    child.freeze();
    const h2 = Heap.attach(child, PS);
    const a2 = CowUint16Array.attach(h2, a.address);
    const v2 = CowVector.attach(h2, v.address, BigInt64Array);
    expect([...a2]).toEqual([1, 2, 4464]);
    expect([...v2]).toEqual([5n, -6n]);
    expect(v2.maxLength).toBe(v.maxLength);
    expect(v2.capacity).toBe(v.capacity);
    expect(a2.embedded && v2.embedded).toBe(true);
    expect(a2.address).toBe(a.address);
    child.release();
    a.free();
    v.free();
    expect(heap.stats().blocks).toBe(0);
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses an address that is not the header of that structure, with InvalidArgumentError", () => {
    const { space, heap } = world(256);
    const a = CowFloat64Array.create(heap, 4);
    const v = CowVector.create(heap, Float64Array);
    const other = heap.malloc(24);
    const bad: [string, () => unknown][] = [
      ["not a block", () => CowFloat64Array.attach(heap, a.address + 8)],
      ["outside the heap", () => CowFloat64Array.attach(heap, 3)],
      ["not a number", () => CowFloat64Array.attach(heap, "x" as never)],
      ["another kind", () => CowInt32Array.attach(heap, a.address)],
      ["a vector's header", () => CowFloat64Array.attach(heap, v.address)],
      ["an array's header as a vector", () => CowVector.attach(heap, a.address)],
      ["a vector of another kind", () => CowVector.attach(heap, v.address, Int8Array)],
      ["a block of something else", () => CowVector.attach(heap, other)],
      ["not a heap", () => CowVector.attach({} as Heap, v.address)],
    ];
    for (const [what, call] of bad) expect(call, what).toThrow(InvalidArgumentError);
    expect(() => CowVector.attach(heap, v.address, Number as never)).toThrow(TypeError);
    heap.free(other);
    a.free();
    v.free();
    heap.check();
    space.release();
  });

  it("every kind: create from a source, attach, same elements", () => {
    const { space, heap } = world(256);
    for (const k of KINDS) {
      const src = k.bigint ? [1n, -2n, 2n ** 63n] : [1.5, -2, 300];
      const a = k.Cow.create(heap, src);
      expect(a).toBeInstanceOf(k.Cow);
      expect([...k.Cow.attach(heap, a.address)]).toEqual([...k.Native.from(src)]);
      const z = k.Cow.create(heap, 5);
      expect([...z]).toEqual([...new k.Native(5)]);
      a.free();
      z.free();
    }
    expect(heap.stats().blocks).toBe(0);
    space.release();
  });
});

describe("fork, release, free and views of embedded structures", () => {
  it("fork() and release() throw InvalidArgumentError (the embedder owns the space); free() frees", () => {
    const { space, heap } = world();
    const a = CowFloat64Array.create(heap, 3);
    const v = CowVector.create(heap, Float64Array);
    for (const x of [a, v]) {
      expect(() => x.fork()).toThrow(InvalidArgumentError);
      expect(() => x.fork()).toThrow(/the address space/);
      expect(() => x.release()).toThrow(InvalidArgumentError);
      x.free();
      x.free(); // idempotent
      expect(x.released).toBe(true);
      expect(() => x.length).toThrow(ReleasedError);
      expect(() => x.address).toThrow(ReleasedError);
    }
    expect(heap.stats().blocks).toBe(0);
    space.release();
  });

  it("a standalone array has no address; its free() is release()", () => {
    const a = new CowFloat64Array(3);
    expect(a.embedded).toBe(false);
    expect(() => a.address).toThrow(InvalidArgumentError);
    a.free();
    expect(a.released).toBe(true);
    expect(a.space.released).toBe(true);
  });

  it("a subarray shares the block; the block is freed with the last view", () => {
    const { space, heap } = world();
    const a = CowInt32Array.create(heap, [1, 2, 3, 4]);
    const sub = a.subarray(1, 3);
    expect(sub.embedded).toBe(true);
    expect(sub.address).toBe(a.address);
    sub.set(0, 20);
    expect(a.get(1)).toBe(20);
    a.free();
    expect(heap.stats().blocks).toBe(1); // the view keeps it
    expect([...sub]).toEqual([20, 3]);
    sub.free();
    expect(heap.stats().blocks).toBe(0);
    space.release();
  });

  it("copies (slice, map, with, toSorted...) are embedded in the same heap; using frees them", () => {
    const { space, heap } = world();
    const a = CowBigInt64Array.create(heap, [3n, 1n, 2n]);
    {
      using s = a.toSorted();
      using m = a.map((x) => x * 2n);
      using w = a.with(0, 9n);
      expect([s.embedded, s.space === space, [...s], [...m], [...w]]).toEqual([
        true,
        true,
        [1n, 2n, 3n],
        [6n, 2n, 4n],
        [9n, 1n, 2n],
      ]);
      expect(heap.stats().blocks).toBe(4);
    }
    expect(heap.stats().blocks).toBe(1);
    const v = CowVector.create(heap, Float64Array);
    v.push(1, 2, 3);
    const f = v.filter((x) => x > 1);
    expect([f.embedded, [...f]]).toEqual([true, [2, 3]]);
    f.push(4); // a copy of a vector is a vector: it grows in the heap
    expect(CowVector.attach(heap, f.address).join()).toBe("2,3,4");
    for (const x of [a, v, f]) x.free();
    expect(heap.stats().blocks).toBe(0);
    heap.check();
    space.release();
  });
});

describe("embedded vectors", () => {
  it("grow by realloc, doubling: in place at the heap's break, else a move that writes every page of the block", () => {
    for (const blocked of [false, true]) {
      const { pool, space, heap } = world();
      const v = CowVector.create(heap, Float64Array);
      for (let i = 0; i < 10 * 128; i++) v.push(i); // 10 pages of 1 KiB
      while (v.length < v.capacity) v.push(v.length); // full: 16 pages (doubling)
      // A block after the vector's: it no longer ends at the break, so its next grow moves.
      const wall = blocked ? CowInt8Array.create(heap, 2000) : null;
      const cap = v.capacity;
      const child = space.fork();
      const w = CowVector.attach(Heap.attach(child, PS), v.address, Float64Array);
      const before = child.stats();
      w.push(w.length); // one element past the capacity
      const after = child.stats();
      expect(w.capacity).toBeGreaterThanOrEqual(2 * cap);
      const pages = cap / 128; // pages of the old block
      const written = after.zeroFillFaults + after.copyFaults - before.zeroFillFaults - before.copyFaults;
      if (blocked)
        expect(written).toBeGreaterThanOrEqual(pages); // the move: every page of the new block
      else expect(written).toBeLessThan(8); // in place: the new element's page and a few of the heap's
      expect(w.get(cap)).toBe(cap);
      expect(w.get(1279)).toBe(1279);
      expect(v.length).toBe(cap); // the parent's vector is as it was
      expect(CowVector.attach(heap, v.address).length).toBe(cap);
      child.release();
      v.free();
      wall?.free();
      heap.check();
      space.release();
      expect(pool.framesInUse).toBe(0);
    }
  });

  it("resize zeroes what removed elements left in the block; shrinkToFit gives the room back", () => {
    const { space, heap } = world(256);
    const v = CowVector.create(heap, Int32Array, { capacity: 100 });
    expect(v.capacity).toBeGreaterThanOrEqual(100);
    v.push(1, 2, 3, 4);
    v.pop();
    v.removeRange(0, 1);
    v.resize(6);
    expect([...v]).toEqual([2, 3, 0, 0, 0, 0]);
    v.resize(1);
    v.shrinkToFit();
    expect(v.capacity).toBeLessThan(100);
    v.resize(0);
    v.shrinkToFit();
    expect(v.capacity).toBe(0);
    expect(heap.stats().blocks).toBe(1); // the header only
    v.free();
    space.release();
  });
});

describe("a refused embedded call changes nothing", () => {
  it("creations past the heap's range: RangeError or OutOfMemoryError, the heap as before", () => {
    const { space, heap } = world(256, 64 * 256);
    const stats = heap.stats();
    expect(() => CowFloat64Array.create(heap, 64 * 32)).toThrow(RangeError); // cannot ever fit
    expect(() => CowFloat64Array.create(heap, 60 * 32)).toThrow(OutOfMemoryError); // fits the range, not its free pages
    expect(() => CowVector.create(heap, Float64Array, { capacity: 64 * 32 + 1 })).toThrow(InvalidArgumentError);
    expect(() => CowVector.create(heap, Float64Array, { capacity: 60 * 32 })).toThrow(OutOfMemoryError);
    expect(() => CowFloat64Array.create({} as Heap, 1)).toThrow(InvalidArgumentError);
    expect(heap.stats()).toEqual(stats);
    const v = CowVector.create(heap, Float64Array);
    const s2 = heap.stats();
    expect(() => v.resize(60 * 32)).toThrow(OutOfMemoryError);
    expect(() => v.extend(new Float64Array(60 * 32))).toThrow(OutOfMemoryError);
    expect(v.length).toBe(0);
    expect(heap.stats()).toEqual(s2);
    v.free();
    heap.check();
    space.release();
  });

  it("a pool that cannot cover a call after a fork: contents, heap and frames as before", () => {
    const pool = new FramePool({ pageSize: 256, maxBytes: 256 * 40 });
    const space = new AddressSpace({ size: 1 << 20, pool });
    const heap = Heap.create(space, { base: 256 });
    const v = CowVector.create(heap, Float64Array);
    v.extend(Float64Array.from({ length: 200 }, (_, i) => i)); // 7 pages
    const a = CowInt32Array.create(
      heap,
      Int32Array.from({ length: 300 }, (_, i) => i),
    );
    const child = space.fork();
    const h2 = Heap.attach(child, 256);
    const v2 = CowVector.attach(h2, v.address, Float64Array);
    const a2 = CowInt32Array.attach(h2, a.address);
    const hog = new AddressSpace({ size: 1 << 20, pool });
    for (let i = 0; pool.framesAvailable() > 2; i++) hog.setUint8(i * 256, 1);
    const calls: [string, () => unknown][] = [
      ["splice", () => v2.splice(0, 100, 1)],
      ["insert", () => v2.insert(0, 1, 2)],
      ["push past capacity", () => v2.extend(new Float64Array(100))],
      ["sort", () => a2.sort((x, y) => y - x)],
      ["slice", () => a2.slice(1)],
      ["create", () => CowFloat64Array.create(h2, [1, 2, 3])],
    ];
    for (const [what, call] of calls) {
      const frames = pool.framesInUse;
      const stats = h2.stats();
      expect(call, what).toThrow(OutOfMemoryError);
      expect(pool.framesInUse, what).toBe(frames);
      expect(h2.stats(), what).toEqual(stats);
      expect([...v2], what).toEqual([...v]);
      expect([...a2], what).toEqual([...a]);
    }
    hog.release();
    child.release();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});
