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
    expect(() => small.set("big", "x".repeat(2 * MiB))).toThrow(RangeError);
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

  it("an embedded source is copied into its space's pool unless options name another", () => {
    const pool = new FramePool({ pageSize: 256 });
    const space = new AddressSpace({ size: 2 ** 24, pool });
    const heap = Heap.create(space, { base: 256 });
    const m = CowMap.create(heap, [["a", 1]]);
    const s = CowSet.create(heap, ["x"]);
    const [m2, s2] = [CowMap.from(m), CowSet.from(s, { maxBytes: 4096 })];
    expect([m2.space.pool, s2.space.pool, s2.space.size, [...m2], [...s2]]).toEqual([
      pool,
      pool,
      4096,
      [["a", 1]],
      ["x"],
    ]);
    const other = CowMap.from(m, { pageSize: 512 });
    expect(other.space.pool === pool).toBe(false);
    for (const x of [m2, s2, other]) x.release();
    space.release();
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
