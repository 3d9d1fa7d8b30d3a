/**
 * `CowMap.from(aCowMap, options)` (and `CowSet.from`) forks in O(1) when the
 * options keep the pool and page size. It ignored `maxBytes`: the fork kept
 * the source's bound (2^36 by default), so a map asked for with a 1 MiB
 * bound could grow past it, a pool with `overcommit: "never"` charged it
 * the source's bound (refusing it when that did not fit), and a bad
 * `maxBytes` was accepted without InvalidArgumentError. Now another bound
 * copies the entries into a space of that bound, in the source's pool (as
 * the fork would be) unless `pool` or `pageSize` say otherwise; a bad one is
 * refused, changing nothing; the same bound still forks.
 *
 * And the set methods of an embedded CowSet made their results in spaces of
 * the default 2^36 bytes: in a pool with `overcommit: "never"` (which
 * charges every space its size) every one of them threw OutOfMemoryError.
 * There they now take the size of the embedder's space.
 */
import { AddressSpace, FramePool, Heap, InvalidArgumentError } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import { describe, expect, it } from "vitest";

const MiB = 1 << 20;

describe("from() of a CowMap or CowSet with a maxBytes option", () => {
  it("gives the result the bound asked for; the source is unchanged", () => {
    const pool = new FramePool({ pageSize: 512 });
    const m = new CowMap<string, number>(
      Array.from({ length: 50 }, (_, i) => [`k${i}`, i]),
      { pool },
    );
    const small = CowMap.from(m, { maxBytes: MiB });
    expect(small.space.size).toBe(MiB);
    expect(small.space.pool).toBe(pool); // in the source's pool, as the fork would be
    expect([...small]).toEqual([...m]);
    // the bound holds: a value larger than the whole space is refused, changing nothing
    expect(() => small.set("big", "x".repeat(2 * MiB) as unknown as number)).toThrow(RangeError);
    expect(small.size).toBe(50);
    expect(m.space.size).toBe(2 ** 36);
    const s = new CowSet<number>([1, 2, 3], { pool });
    const s2 = CowSet.from(s, { maxBytes: 64 * 1024 });
    expect(s2.space.size).toBe(64 * 1024);
    expect([...s2]).toEqual([1, 2, 3]);
    for (const x of [m, small, s, s2]) x.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("the same bound (or none) is still an O(1) fork", () => {
    const pool = new FramePool({ pageSize: 512 });
    const m = new CowMap<string, number>(
      Array.from({ length: 200 }, (_, i) => [`k${i}`, i]),
      { pool, maxBytes: 4 * MiB },
    );
    const frames = pool.stats().framesInUse;
    const a = CowMap.from(m, { maxBytes: 4 * MiB });
    const b = CowMap.from(m, { pool });
    expect(pool.stats().framesInUse).toBe(frames); // nothing copied
    expect([a.space.size, b.space.size]).toEqual([4 * MiB, 4 * MiB]);
    for (const x of [m, a, b]) x.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("a pool with overcommit 'never' charges the result its own bound, not the source's", () => {
    const pool = new FramePool({ pageSize: 512, maxBytes: 8 * MiB, overcommit: "never" });
    const m = new CowMap<string, number>([["a", 1]], { pool, maxBytes: 6 * MiB });
    const s = new CowSet<string>(null, { pool, maxBytes: MiB / 2 });
    s.add("x");
    const small = CowMap.from(m, { maxBytes: MiB / 2 }); // 6 + 0.5 + 0.5 MiB of 8: fits
    expect(pool.stats().committedBytes).toBe(7 * MiB);
    expect(small.get("a")).toBe(1);
    for (const x of [m, s, small]) x.release();
    expect(pool.stats().committedBytes).toBe(0);
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("entries that do not fit the smaller bound: RangeError, nothing kept", () => {
    const pool = new FramePool({ pageSize: 512 });
    const m = new CowMap<string, string>(
      Array.from({ length: 100 }, (_, i) => [`k${i}`, "v".repeat(40)]),
      { pool },
    );
    const s = new CowSet<string>(
      Array.from({ length: 100 }, (_, i) => `element-${i}-${"e".repeat(30)}`),
      { pool },
    );
    const frames = pool.stats().framesInUse;
    expect(() => CowMap.from(m, { maxBytes: 2048 })).toThrow(RangeError);
    expect(() => CowSet.from(s, { maxBytes: 2048 })).toThrow(RangeError);
    expect(pool.stats().framesInUse).toBe(frames);
    expect(pool.stats().spaces).toBe(2);
    m.release();
    s.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("a bad maxBytes is refused with InvalidArgumentError, changing nothing", () => {
    const pool = new FramePool({ pageSize: 512 });
    const m = new CowMap<string, number>([["a", 1]], { pool });
    const s = new CowSet<string>(["a"], { pool });
    const frames = pool.stats().framesInUse;
    for (const bad of ["1MiB", -1, 0.5, 2 ** 40, Number.NaN, 100] as unknown[]) {
      expect(() => CowMap.from(m, { maxBytes: bad as number }), String(bad)).toThrow(InvalidArgumentError);
      expect(() => CowSet.from(s, { maxBytes: bad as number }), String(bad)).toThrow(InvalidArgumentError);
    }
    expect(pool.stats().framesInUse).toBe(frames);
    expect([...m]).toEqual([["a", 1]]);
    m.release();
    s.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});

describe("set methods of an embedded CowSet in a pool with overcommit 'never'", () => {
  it("make their results in spaces of the embedder's size, charged that; nothing left after release", () => {
    const pool = new FramePool({ pageSize: 256, maxBytes: 64 * MiB, overcommit: "never" });
    const space = new AddressSpace({ size: 16 * MiB, pool });
    const heap = Heap.create(space, { base: 256 });
    const s = CowSet.create(heap, ["a", "b", "c"]);
    const other = new Set(["b", "c", "d"]);
    const want = { union: "a,b,c,d", intersection: "b,c", difference: "a", symmetricDifference: "a,d" }; // Node 20 has no native Set methods
    for (const name of ["union", "intersection", "difference", "symmetricDifference"] as const) {
      const r = s[name](other);
      expect([...r].join(), name).toBe(want[name]);
      expect(r.space.size, name).toBe(16 * MiB);
      expect(pool.stats().committedBytes, name).toBe(32 * MiB);
      r.add("z"); // writable, in its own space
      r.release();
    }
    expect([s.isSubsetOf(other), s.isSupersetOf(new Set(["a"])), s.isDisjointFrom(new Set(["q"]))]).toEqual([
      false,
      true,
      true,
    ]);
    expect([...s]).toEqual(["a", "b", "c"]);
    space.release();
    expect(pool.stats().committedBytes).toBe(0);
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("in a pool without strict accounting keep the default bound", () => {
    const pool = new FramePool({ pageSize: 256 });
    const space = new AddressSpace({ size: 16 * MiB, pool });
    const s = CowSet.create(Heap.create(space, { base: 256 }), ["a"]);
    const r = s.union(new Set(["b"]));
    expect(r.space.size).toBe(2 ** 36);
    r.release();
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
