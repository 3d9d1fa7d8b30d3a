import {
  AddressSpace,
  FramePool,
  Heap,
  InvalidArgumentError,
  OutOfMemoryError,
  ProtectionFault,
  ReleasedError,
} from "@pagefork/core";
import { CowMap, CowSet, DataCloneError, KeyTypeError } from "@pagefork/map";
import { describe, expect, it } from "vitest";

type K = string | number | bigint | boolean | null | undefined;

/** A space of `bytes` bytes with a heap at its first page. */
function world(pageSize = 256, bytes = 1 << 24, pool = new FramePool({ pageSize })) {
  const space = new AddressSpace({ size: bytes, pool });
  const heap = Heap.create(space, { base: pageSize });
  return { pool, space, heap };
}

describe("embedded collections: API", () => {
  it("create, address, embedded, attach in a fork, copy-on-write between the versions", () => {
    const { pool, space, heap } = world();
    const m = CowMap.create<string, unknown>(heap, [
      ["a", 1],
      ["b", { deep: [1] }],
    ]);
    const s = CowSet.create(heap, ["x"]);
    expect([m.embedded, s.embedded, m.address > 0, s.address > 0, m.space, m.pageSize]).toEqual([
      true,
      true,
      true,
      true,
      space,
      256,
    ]);
    const standalone = new CowMap();
    expect([standalone.embedded, standalone.address]).toEqual([false, -1]);
    standalone.release();
    const child = space.fork();
    const h2 = Heap.attach(child, 256);
    const m2 = CowMap.attach<string, unknown>(h2, m.address);
    const s2 = CowSet.attach<string>(h2, s.address);
    m2.set("a", 10).delete("b");
    s2.add("y");
    expect([[...m], [...m2], [...s], [...s2]]).toEqual([
      [
        ["a", 1],
        ["b", { deep: [1] }],
      ],
      [["a", 10]],
      ["x"],
      ["x", "y"],
    ]);
    expect(m2.address).toBe(m.address);
    heap.check();
    h2.check();
    child.release();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("from() of an embedded collection copies it into a standalone one (it never forks the embedder's space)", () => {
    const { pool, space, heap } = world();
    const m = CowMap.create(heap, [["a", 1]]);
    const s = CowSet.create(heap, ["x"]);
    const rss = space.stats().rss;
    const [m2, s2] = [CowMap.from(m, { pool }), CowSet.from(s, { pool })];
    expect([m2.embedded, s2.embedded, [...m2], [...s2], space.stats().rss]).toEqual([
      false,
      false,
      [["a", 1]],
      ["x"],
      rss,
    ]);
    expect([m2.space.size, s2.space.size]).toEqual([2 ** 36, 2 ** 36]); // new spaces, not forks of the heap's
    for (let i = 0; i < 100; i++) m2.set(`k${i}`, i);
    expect([m.has("k1"), m2.get("k99"), m2.size]).toEqual([false, 99, 101]);
    m2.release();
    s2.release();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("fork() and release() of an embedded collection throw InvalidArgumentError: the embedder owns the space", () => {
    const { space, heap } = world();
    const m = CowMap.create(heap);
    const s = CowSet.create(heap);
    for (const f of [() => m.fork(), () => m.release(), () => s.fork(), () => s.release()])
      expect(f).toThrow(/fork|release/);
    expect(() => m.fork()).toThrow(InvalidArgumentError);
    expect(m.released).toBe(false);
    space.release();
  });

  it("free() gives every block back; afterwards every use (iterators too) throws ReleasedError; idempotent", () => {
    const { pool, space, heap } = world();
    const before = heap.stats();
    const m = CowMap.create<string, unknown>(heap, [["a", "a long string value, stored in a blob"]]);
    for (let i = 0; i < 500; i++) m.set(`k${i}`, i);
    const it = m.keys();
    it.next();
    m.free();
    const after = heap.stats();
    expect([after.blocks, after.requestedBytes]).toEqual([before.blocks, before.requestedBytes]);
    heap.check();
    expect(m.released).toBe(true);
    for (const f of [() => m.get("a"), () => m.set("b", 1), () => m.size, () => [...m], () => it.next()])
      expect(f).toThrow(ReleasedError);
    m.free();
    // using: dispose frees an embedded collection
    {
      using s = CowSet.create(heap, [1, 2]);
      expect(s.size).toBe(2);
    }
    expect(heap.stats().blocks).toBe(before.blocks);
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("attach refuses what is not a header of its kind with InvalidArgumentError, and writes nothing", () => {
    const { space, heap } = world();
    const m = CowMap.create(heap, [[1, 1]]);
    const s = CowSet.create(heap, [1]);
    const block = heap.malloc(24);
    space.fill(0, block, block + 24);
    space.freeze(); // attach must work on a frozen space: it only reads
    expect(CowMap.attach(heap, m.address).get(1)).toBe(1);
    expect([...CowSet.attach(heap, s.address)]).toEqual([1]);
    for (const bad of [s.address, block, m.address + 8, 0, -8, 1.5, 12, 2 ** 60, "x" as unknown as number])
      expect(() => CowMap.attach(heap, bad), String(bad)).toThrow(InvalidArgumentError);
    expect(() => CowSet.attach(heap, m.address)).toThrow(/CowMap's/);
    expect(() => CowMap.attach({} as Heap, m.address)).toThrow(InvalidArgumentError);
    expect(() => CowMap.create({} as Heap)).toThrow(InvalidArgumentError);
    // writes to a frozen space throw ProtectionFault and change nothing
    const frozen = CowMap.attach<number, number>(heap, m.address);
    expect(() => frozen.set(2, 2)).toThrow(ProtectionFault);
    expect(() => frozen.delete(1)).toThrow(ProtectionFault);
    expect([...frozen]).toEqual([[1, 1]]);
    space.release();
  });

  it("bad keys and values are refused as standalone, changing nothing (create with them frees what it made)", () => {
    const { space, heap } = world();
    const before = heap.stats();
    expect(() => CowMap.create(heap, [["f", () => 1]])).toThrow(DataCloneError);
    expect(() => CowSet.create(heap, [1, {} as unknown as number])).toThrow(KeyTypeError);
    expect(() => CowMap.create(heap, 5 as never)).toThrow(TypeError);
    expect(heap.stats().blocks).toBe(before.blocks);
    const m = CowMap.create<K, unknown>(heap, [["a", 1]]);
    const snap = JSON.stringify(heap.stats());
    expect(() => m.set({} as unknown as K, 1)).toThrow(KeyTypeError);
    expect(() => m.set("b", Symbol())).toThrow(DataCloneError);
    expect([JSON.stringify(heap.stats()), [...m]]).toEqual([snap, [["a", 1]]]);
    heap.check();
    space.release();
  });

  it("a heap whose range is full refuses with OutOfMemoryError and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const { space, heap } = world(256, 256 * 40, pool); // 39 heap pages: header, page map, ~37 data pages
    const m = CowMap.create<string, string>(heap);
    let caught: unknown;
    let i = 0;
    for (; i < 10_000; i++) {
      const snap = [JSON.stringify(heap.stats()), m.size, pool.framesInUse];
      try {
        m.set(`key-${i}`, "x".repeat(i % 40));
      } catch (e) {
        caught = e;
        expect([JSON.stringify(heap.stats()), m.size, pool.framesInUse]).toEqual(snap);
        break;
      }
    }
    expect(caught).toBeInstanceOf(OutOfMemoryError);
    expect(i).toBeGreaterThan(20);
    expect(m.get("key-3")).toBe("xxx");
    heap.check();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("set methods of an embedded set return standalone sets in the same pool and never write the space", () => {
    const { pool, space, heap } = world();
    const a = CowSet.create(heap, [1, 2, 3]);
    space.freeze(); // a snapshot: the set methods only read it
    const results = [
      a.union(new Set([3, 4])),
      a.intersection(new Set([2, 3, 9])),
      a.difference(new Set([1])),
      a.symmetricDifference(new Set([3, 5])),
    ];
    expect(results.map((r) => [...r])).toEqual([
      [1, 2, 3, 4],
      [2, 3],
      [2, 3],
      [1, 2, 5],
    ]);
    for (const r of results) {
      expect([r.embedded, r.space.pool]).toEqual([false, pool]);
      r.add(100); // an ordinary standalone set
      r.release();
    }
    expect([a.isSubsetOf(new Set([1, 2, 3, 4])), a.isSupersetOf(new Set([1])), a.isDisjointFrom(new Set([7]))]).toEqual(
      [true, true, true],
    );
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("embedded collections: sizes", () => {
  it("an empty set is its 24-byte header; a few short strings take one small data block", () => {
    const { space, heap } = world();
    const cost = (values: string[]) => {
      const before = heap.stats();
      const s = CowSet.create(heap, values);
      const after = heap.stats();
      const bytes = after.usableBytes - before.usableBytes + 8 * (after.blocks - before.blocks); // + a header per block
      s.free();
      return bytes;
    };
    // 32-byte header block; records of 16 (up to 4 one-byte units) or 24 bytes, 8 bytes of buckets
    expect([cost([]), cost(["a"]), cost(["home", "work", "todo"]), cost(["urgent", "errand", "later"])]).toEqual([
      32, 64, 96, 160,
    ]);
    space.release();
  });
});

describe("embedded collections: iteration in a space other structures write to", () => {
  it("an iterator does not read a frame its space stopped mapping (a neighbour's write copied the page)", () => {
    // A and B are small sets whose blocks share slab pages. After a fork, a
    // write to B in the parent copies the shared page; the parent's iterator
    // over A must not keep reading the old frame, which the child then
    // writes in place.
    const { pool, space, heap } = world();
    const a = CowSet.create(heap, ["a1", "a2", "a3"]);
    const b = CowSet.create(heap, ["b1"]);
    const child = space.fork();
    const h2 = Heap.attach(child, 256);
    const a2 = CowSet.attach<string>(h2, a.address);
    const it = a.values();
    expect(it.next().value).toBe("a1"); // caches the page of A's log
    b.add("b2"); // parent: copies the shared page (a new frame for this space)
    a2.delete("a2");
    a2.add("zz"); // child: writes its now private page in place
    a2.delete("a3");
    expect([...it]).toEqual(["a2", "a3"]);
    expect([...a2]).toEqual(["a1", "zz"]);
    child.release();
    space.release();
    expect(pool.framesInUse).toBe(0);
  });
});
