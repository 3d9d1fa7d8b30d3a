/**
 * `CowMap.from(embedded)` / `CowSet.from(embedded)` without a `pool` option
 * copied the embedded collection into the shared default pool: outside the
 * pool (and its limit, stats and out-of-memory hook) the embedder chose,
 * unlike `from` of a standalone source (its pool) and the set methods of an
 * embedded set (the embedder's pool). Now the copy goes to the embedder's
 * pool; in one with `overcommit: "never"` it is bounded by the embedder's
 * space size (a 2^36-byte space would be refused there). A `pool` or another
 * `pageSize` option still decides.
 */
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { CowMap, CowSet, MAP_PAGE_SIZE } from "@pagefork/map";
import { describe, expect, it } from "vitest";

function world(overcommit: "always" | "never" = "always") {
  const pool = new FramePool({ pageSize: 1024, maxBytes: 8 << 20, overcommit });
  const space = new AddressSpace({ size: 1 << 20, pool });
  return { pool, space, heap: Heap.create(space) };
}

describe("from() of an embedded CowMap or CowSet without a pool option", () => {
  it.each(["always", "never"] as const)("copies it into the embedder's pool (overcommit %s)", (overcommit) => {
    const { pool, space, heap } = world(overcommit);
    const m = CowMap.create<string, unknown>(heap, [
      ["a", 1],
      ["b", { x: [1, 2] }],
    ]);
    const s = CowSet.create(heap, ["x", 2n]);
    const m2 = CowMap.from(m);
    const s2 = CowSet.from(s);
    expect([m2.space.pool, s2.space.pool]).toEqual([pool, pool]);
    expect([m2.embedded, s2.embedded, [...m2], [...s2]]).toEqual([false, false, [...m], [...s]]);
    // overcommit "never" charges every space its size: bounded by the embedder's, as the set methods' results
    const bound = overcommit === "never" ? space.size : 2 ** 36;
    expect([m2.space.size, s2.space.size]).toEqual([bound, bound]);
    m2.set("c", 3);
    s2.add("y");
    expect([m.has("c"), s.has("y"), m2.size, s2.size]).toEqual([false, false, 3, 3]);
    // an explicit maxBytes is kept
    const m3 = CowMap.from(m, { maxBytes: 1 << 16 });
    expect([m3.space.pool, m3.space.size]).toEqual([pool, 1 << 16]);
    for (const c of [m2, s2, m3]) c.release();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a pool or another pageSize option still chooses", () => {
    const { pool, space, heap } = world();
    const m = CowMap.create(heap, [["a", 1]]);
    const other = new FramePool({ pageSize: 256 });
    const inOther = CowMap.from(m, { pool: other });
    const small = CowSet.from(CowSet.create(heap, [1]), { pageSize: MAP_PAGE_SIZE });
    expect([inOther.space.pool, small.space.pool === pool, small.space.pageSize]).toEqual([
      other,
      false,
      MAP_PAGE_SIZE,
    ]);
    // the same page size as the embedder's pool: its pool
    const same = CowMap.from(m, { pageSize: 1024 });
    expect(same.space.pool).toBe(pool);
    for (const c of [inOther, small, same]) c.release();
    space.release();
    expect([pool.framesInUse, other.framesInUse]).toEqual([0, 0]);
  });
});
