import { FramePool, InvalidArgumentError, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { CowMap, CowSet, DataCloneError, KeyTypeError, MAP_PAGE_SIZE } from "@pagefork/map";
import { describe, expect, it } from "vitest";

type K = string | number | bigint | boolean | null | undefined;

/** Everything observable about a map and its pool, to check that a refused call changed nothing. */
function snapshot(m: CowMap<K, unknown>) {
  const { framesInUse, pageTableNodes } = m.space.pool.stats();
  return { entries: [...m], size: m.size, framesInUse, pageTableNodes };
}

describe("CowMap: native Map semantics", () => {
  it("uses SameValueZero: every NaN is one key, -0 is +0, '1' / 1 / 1n are three keys", () => {
    const m = new CowMap<K, string>();
    const otherNaN = new Float64Array(new Uint32Array([1, 0x7ff00000]).buffer)[0] as number;
    m.set(Number.NaN, "nan").set(-0, "zero").set("1", "s").set(1, "n").set(1n, "b");
    expect(m.get(otherNaN)).toBe("nan");
    expect(m.get(0)).toBe("zero");
    expect(Object.is([...m.keys()][1], 0)).toBe(true); // the key comes back as +0, as Map's
    expect([m.get("1"), m.get(1), m.get(1n)]).toEqual(["s", "n", "b"]);
    expect(m.size).toBe(5);
    m.release();
  });

  it("keeps insertion order; re-setting keeps the place; delete then set moves to the end", () => {
    const m = CowMap.from<K, number>([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    m.set("a", 10);
    expect([...m.keys()]).toEqual(["a", "b", "c"]);
    m.delete("a");
    m.set("a", 11);
    expect([...m]).toEqual([
      ["b", 2],
      ["c", 3],
      ["a", 11],
    ]);
    m.release();
  });

  it("has the iterator protocol of Map: iterable iterators, tags, done stays done", () => {
    const m = CowMap.from<K, number>([["x", 1]]);
    const it = m.entries();
    expect(it[Symbol.iterator]()).toBe(it);
    expect(Object.prototype.toString.call(m)).toBe("[object CowMap]");
    expect(Object.prototype.toString.call(it)).toBe("[object CowMap Iterator]");
    expect(it.next()).toEqual({ value: ["x", 1], done: false });
    expect(it.next()).toEqual({ value: undefined, done: true });
    m.set("y", 2); // a finished Map iterator stays finished
    expect(it.next().done).toBe(true);
    m.release();
    expect(it.next().done).toBe(true); // even after release: it has let go
  });

  it("visits entries added during forEach and skips those deleted before it gets there", () => {
    const native = new Map<K, number>([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const m = CowMap.from<K, number>(native);
    const walk = (x: Map<K, number> | CowMap<K, number>) => {
      const seen: K[] = [];
      x.forEach((_v, k) => {
        seen.push(k);
        if (k === 1) {
          x.delete(2);
          x.set(4, 4);
        }
        if (k === 3) x.set(1, 100); // an existing key: not visited again
      });
      return seen;
    };
    expect(walk(m)).toEqual(walk(native));
    expect([...m]).toEqual([...native]);
    m.release();
  });

  it("an iterator continues with new entries after clear, as Map's", () => {
    const native = new Map<K, number>([
      ["a", 1],
      ["b", 2],
    ]);
    const m = CowMap.from<K, number>(native);
    const ni = native.keys();
    const ci = m.keys();
    expect(ci.next().value).toBe(ni.next().value);
    native.clear();
    m.clear();
    native.set("c", 3);
    m.set("c", 3);
    expect([...ci]).toEqual([...ni]);
    m.release();
  });

  it("keeps live iterators right across compaction and table resizes", () => {
    const native = new Map<K, number>();
    const m = new CowMap<K, number>(null, { pageSize: 256 });
    for (let i = 0; i < 3000; i++) {
      native.set(`k${i}`, i);
      m.set(`k${i}`, i);
    }
    const its = [
      [native.keys(), m.keys()],
      [native.values(), m.values()],
    ] as const;
    for (const [a, b] of its) for (let i = 0; i < 700; i++) expect(b.next().value).toBe(a.next().value);
    // Delete most entries, behind and ahead of the iterators: compacts the log and shrinks the buckets.
    for (let i = 0; i < 3000; i++)
      if (i % 10 !== 0) {
        native.delete(`k${i}`);
        m.delete(`k${i}`);
      }
    for (let i = 0; i < 500; i++) {
      native.set(`n${i}`, -i);
      m.set(`n${i}`, -i);
    }
    for (const [a, b] of its) expect([...b]).toEqual([...a]);
    expect([...m]).toEqual([...native]);
    m.release();
  });

  it("refuses object, function and symbol keys with a KeyTypeError and changes nothing", () => {
    const m = CowMap.from<K, number>([["a", 1]]);
    const before = snapshot(m);
    for (const bad of [{}, [], () => 0, Symbol("s"), new Date(0)]) {
      expect(() => m.set(bad as unknown as K, 1)).toThrow(KeyTypeError);
      expect(() => m.set(bad as unknown as K, 1)).toThrow(/stored by value/);
      expect(m.get(bad as unknown as K)).toBeUndefined();
      expect(m.has(bad as unknown as K)).toBe(false);
      expect(m.delete(bad as unknown as K)).toBe(false);
    }
    expect(snapshot(m)).toEqual(before);
    m.release();
  });

  it("refuses a value that cannot be stored with a DataCloneError that names where, and changes nothing", () => {
    const m = CowMap.from<K, unknown>([["a", { keep: true }]]);
    const before = snapshot(m);
    const cases: [unknown, string][] = [
      [() => 1, "value"],
      [Symbol("x"), "value"],
      [{ list: [1, { f() {} }] }, "value.list[1].f"],
      [{ w: new WeakMap() }, "value.w"],
      [new Map([["k", Promise.resolve()]]), "value <value 0>"],
      [{ "odd key": new WeakSet() }, 'value["odd key"]'],
    ];
    for (const [bad, path] of cases) {
      let caught: unknown;
      try {
        m.set("a", bad);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(DataCloneError);
      expect((caught as DataCloneError).path).toBe(path);
      expect(() => m.set("new", bad)).toThrow(DataCloneError);
    }
    expect(snapshot(m)).toEqual(before);
    m.release();
  });

  it("stores values by value: get returns a fresh copy each time", () => {
    const m = new CowMap<K, { n: number[] }>();
    const v = { n: [1, 2] };
    m.set("k", v);
    v.n.push(3); // the map holds what was set, not the live object
    const a = m.get("k") as { n: number[] };
    a.n.push(99);
    expect(m.get("k")).toEqual({ n: [1, 2] });
    expect(m.get("k")).not.toBe(m.get("k"));
    m.release();
  });

  it("round-trips every inline kind exactly (-0, NaN, int64 bigints, short and long strings)", () => {
    const values = [
      -0,
      Number.NaN,
      1e308,
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 63n,
      "",
      "12345678",
      "123456789",
      "ab€d",
      "ab€de",
      "\ud800",
      "x".repeat(100_000),
      "€".repeat(100_000),
      true,
      false,
      null,
      undefined,
    ];
    const m = new CowMap<number, unknown>(null, { pageSize: 256 });
    values.forEach((v, i) => {
      m.set(i, v);
    });
    values.forEach((v, i) => {
      expect(Object.is(m.get(i), v), String(i)).toBe(true);
    });
    expect([...m.values()].every((v, i) => Object.is(v, values[i]))).toBe(true);
    m.release();
  });

  it("stores keys of any length, including past the 1 MiB escape", () => {
    const big = "é".repeat(300_000) + "€".repeat(300_000); // 1.2 MB of UTF-16
    const m = new CowMap<K, number>();
    m.set(big, 1).set(`${big}!`, 2);
    expect(m.get(big)).toBe(1);
    expect(m.get(`${big}!`)).toBe(2);
    expect(m.get(big.slice(1))).toBeUndefined();
    expect([...m.keys()][0]).toBe(big);
    m.release();
  });

  it("decodes one-byte keys and values of every length, on a page and across pages (bytes 0x00-0xff)", () => {
    const units = "\u0000a\u007f\u0080\u00ffZ\u00e9";
    const text = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => units[(i * 5 + seed) % units.length]).join("");
    const lengths = [...Array.from({ length: 131 }, (_, n) => n), 1000, 8191, 8192, 8193, 20_000];
    for (const pageSize of [256, 1024]) {
      const m = new CowMap<string, string>(null, { pageSize });
      const model = new Map<string, string>();
      lengths.forEach((n, seed) => {
        const k = text(n, seed);
        model.set(k, text(n, seed + 1));
        m.set(k, text(n, seed + 1));
      });
      expect([...m.keys()]).toEqual([...model.keys()]);
      expect([...m.values()]).toEqual([...model.values()]);
      expect([...m]).toEqual([...model]);
      for (const [k, v] of model) expect(m.get(k)).toBe(v);
      m.release();
    }
  });
});

describe("CowMap: copy-on-write", () => {
  it("forks in O(1) and copies one page to update a value, two or three to add a key", () => {
    const pool = new FramePool({ pageSize: 1024 });
    const m = new CowMap<K, number>(null, { pool });
    for (let i = 0; i < 50_000; i++) m.set(`key${i}`, i);
    const frames = pool.framesInUse;
    const a = m.fork();
    expect(pool.framesInUse).toBe(frames);
    a.set("key123", -1);
    expect(a.stats().copyFaults).toBe(1);
    const b = a.fork();
    b.set("fresh", 1);
    expect(b.stats().copyFaults + b.stats().zeroFillFaults).toBeLessThanOrEqual(3);
    const c = b.fork();
    c.delete("key7");
    expect(c.stats().copyFaults).toBeLessThanOrEqual(2);
    expect([m.get("key123"), a.get("key123"), c.get("key7"), b.get("key7")]).toEqual([123, -1, undefined, 7]);
    for (const x of [m, a, b, c]) x.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });

  it("exposes its space, page size and stats; MAP_PAGE_SIZE is the default", () => {
    const m = new CowMap();
    expect(m.pageSize).toBe(MAP_PAGE_SIZE);
    expect(m.space.pageSize).toBe(MAP_PAGE_SIZE);
    m.set(1, 1);
    expect(m.stats().rss).toBeGreaterThan(0);
    expect(new CowMap(null, { pageSize: 4096 }).pageSize).toBe(4096);
    m.release();
  });

  it("refuses bad options with InvalidArgumentError", () => {
    expect(() => new CowMap(null, { pageSize: 1000 })).toThrow(InvalidArgumentError);
    expect(() => new CowMap(null, { pool: {} as FramePool })).toThrow(InvalidArgumentError);
    expect(() => new CowMap(null, { pool: new FramePool({ pageSize: 512 }), pageSize: 1024 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new CowMap(null, 42 as unknown as object)).toThrow(InvalidArgumentError);
    expect(() => new CowMap(42 as never)).toThrow(TypeError); // as new Map(42)
    expect(new CowMap(null).size).toBe(0); // as new Map(null)
  });

  it("from(): a CowMap of the same pool is forked; a bad entry throws and leaks nothing", () => {
    const pool = new FramePool({ pageSize: 512 });
    const a = CowMap.from<K, number>([["x", 1]], { pool });
    const frames = pool.framesInUse;
    const b = CowMap.from(a, { pool });
    expect(pool.framesInUse).toBe(frames);
    expect([...b]).toEqual([["x", 1]]);
    expect(() => CowMap.from([["ok", 1], 5 as unknown as [K, number]], { pool })).toThrow(TypeError);
    expect(() => CowMap.from([[{}, 1] as unknown as [K, number]], { pool })).toThrow(KeyTypeError);
    a.release();
    b.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("constructs from entries or values as new Map / new Set do; a bad one throws and leaks nothing", () => {
    const pool = new FramePool({ pageSize: 512 });
    const entries: [K, number][] = [
      ["a", 1],
      [Number.NaN, 2],
      ["a", 3],
    ];
    const m = new CowMap<K, number>(entries, { pool });
    expect([...m]).toEqual([...new Map(entries)]);
    const s = new CowSet("hello", { pool });
    expect([...s]).toEqual([...new Set("hello")]);
    expect(() => new CowMap("ab" as unknown as [K, number][], { pool })).toThrow(TypeError); // as new Map("ab")
    expect(() => new CowMap([["f", () => 1]], { pool })).toThrow(DataCloneError);
    expect(() => new CowSet([1, {} as unknown as number], { pool })).toThrow(KeyTypeError);
    m.release();
    s.release();
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().spaces).toBe(0);
  });

  it("throws ReleasedError on every use after release (iterators too), and release is idempotent", () => {
    const m = CowMap.from<K, number>([["a", 1]]);
    const it = m.keys();
    m.release();
    m.release();
    expect(m.released).toBe(true);
    for (const f of [
      () => m.get("a"),
      () => m.set("a", 1),
      () => m.has("a"),
      () => m.delete("a"),
      () => m.clear(),
      () => m.size,
      () => m.forEach(() => {}),
      () => m.keys(),
      () => m.fork(),
      () => m.stats(),
      () => it.next(),
    ])
      expect(f).toThrow(ReleasedError);
  });

  it("works with `using`", () => {
    const pool = new FramePool({ pageSize: 256 });
    {
      using m = new CowMap<K, number>(null, { pool });
      m.set("a", 1);
      expect(pool.framesInUse).toBeGreaterThan(0);
    }
    expect(pool.framesInUse).toBe(0);
  });
});

describe("CowMap: out of memory", () => {
  it("a write the pool cannot cover throws OutOfMemoryError and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256, maxBytes: 64 * 256 });
    const m = new CowMap<K, unknown>(null, { pool });
    let i = 0;
    let caught: unknown;
    try {
      for (; i < 10_000; i++) {
        const before = snapshot(m);
        try {
          m.set(`key-${i}`, i % 5 === 0 ? { blob: "x".repeat(i % 300) } : i);
        } catch (e) {
          expect(snapshot(m)).toEqual(before);
          throw e;
        }
      }
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OutOfMemoryError);
    expect(i).toBeGreaterThan(10);
    // At the limit, deletes on a fork (which must copy pages) either work or throw and change nothing.
    const kept = [...m.keys()];
    const f = m.fork();
    for (const k of kept.slice(0, 20)) {
      const before = snapshot(f);
      try {
        f.delete(k);
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        expect(snapshot(f)).toEqual(before);
      }
    }
    expect(m.size).toBe(kept.length);
    f.release();
    // Releasing the fork made room: the original can delete (its pages are private: no copy).
    for (const k of kept.slice(0, 5)) expect(m.delete(k)).toBe(true);
    m.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("CowSet basics", () => {
  it("has Set's API and tags", () => {
    const s = CowSet.from<K>([1, "1", 1n, Number.NaN, -0]);
    expect(s.has(0)).toBe(true);
    expect(s.has(Number.NaN)).toBe(true);
    expect([...s.entries()][0]).toEqual([1, 1]);
    expect([...s.keys()]).toEqual([...s.values()]);
    expect(Object.prototype.toString.call(s)).toBe("[object CowSet]");
    expect(Object.prototype.toString.call(s.values())).toBe("[object CowSet Iterator]");
    const seen: unknown[] = [];
    s.forEach((a, b, set) => {
      seen.push([a, b, set === s]);
    });
    expect(seen[0]).toEqual([1, 1, true]);
    expect(() => s.add({} as unknown as K)).toThrow(KeyTypeError);
    s.release();
  });

  it("set methods validate `other` as the spec's GetSetRecord and close iterators they leave early", () => {
    const s = CowSet.from<K>([1, 2, 3]);
    expect(() => s.union(5 as unknown as Set<K>)).toThrow(TypeError);
    expect(() => s.union({ size: Number.NaN, has: () => true, keys: () => [][Symbol.iterator]() })).toThrow(TypeError);
    expect(() => s.union({ size: -1, has: () => true, keys: () => [][Symbol.iterator]() })).toThrow(RangeError);
    expect(() => s.union({ size: 1, has: 1, keys: () => [][Symbol.iterator]() } as never)).toThrow(TypeError);
    let closed = 0;
    const other = {
      size: 1,
      has: () => false,
      keys: (): Iterator<number> => ({
        next: () => ({ value: 99, done: false }),
        return: () => {
          closed++;
          return { value: undefined, done: true };
        },
      }),
    };
    expect(s.isSupersetOf(other)).toBe(false);
    expect(closed).toBe(1);
    expect(s.isDisjointFrom({ ...other, size: 10 })).toBe(true); // this is smaller: asks other.has, never iterates it
    expect(closed).toBe(1);
    s.release();
  });

  it("a set method that fails releases its half-built result", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = CowSet.from<K>([1, 2], { pool });
    const frames = pool.framesInUse;
    expect(() => s.union(new Set<K>([3, {} as unknown as K]))).toThrow(KeyTypeError);
    expect(pool.framesInUse).toBe(frames);
    expect([...s]).toEqual([1, 2]);
    s.release();
    expect(pool.framesInUse).toBe(0);
  });
});

describe("bounded spaces (the maxBytes option)", () => {
  it("lets collections live in a pool with overcommit 'never': each version is charged its bound", () => {
    const pool = new FramePool({ pageSize: 1024, maxBytes: 8 << 20, overcommit: "never" });
    expect(() => new CowMap(null, { pool })).toThrow(OutOfMemoryError); // charged the default 2^36 bytes
    expect(pool.stats().committedBytes).toBe(0);
    const m = new CowMap<K, number>(null, { pool, maxBytes: 1 << 20 });
    const s = new CowSet<K>(["a"], { pool, maxBytes: 1000 * 1024 + 1 }); // rounded up to whole pages
    expect(pool.stats().committedBytes).toBe((1 << 20) + 1001 * 1024);
    m.set("a", 1);
    const f = m.fork();
    expect(pool.stats().committedBytes).toBe(2 * (1 << 20) + 1001 * 1024);
    f.set("b", 2);
    expect([m.get("b"), f.get("b"), s.has("a")]).toEqual([undefined, 2, true]);
    for (const x of [m, f, s]) x.release();
    expect(pool.stats().committedBytes).toBe(0);
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses a write past the bound with RangeError and changes nothing; dead records are compacted first", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap<K, unknown>(null, { pool, maxBytes: 16 * 1024 });
    let i = 0;
    let caught: unknown;
    for (; i < 2000; i++) {
      const before = snapshot(m);
      try {
        m.set(`key-${i}`, i % 7 === 0 ? "a long string value, stored in a blob" : i);
      } catch (e) {
        caught = e;
        expect(snapshot(m)).toEqual(before);
        break;
      }
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect(String(caught)).toMatch(/maximum size exceeded/);
    expect(i).toBeGreaterThan(200); // 14 KiB of log at 24 to 80 bytes per entry
    const full = m.size;
    // Deleting leaves tombstones; the next writes compact them away instead of failing.
    for (let k = 0; k < i; k += 2) m.delete(`key-${k}`);
    for (let k = 0; k < full / 2 - 2; k++) m.set(`new-${k}`, k);
    expect(m.size).toBe(full - Math.ceil(i / 2) + Math.ceil(full / 2 - 2));
    expect(m.get("key-1")).toBe(1);
    expect(() => m.set("x".repeat(20_000), 1)).toThrow(RangeError); // larger than the whole bound
    // Four pages: one of 64 buckets, three of log (32 records of 24 bytes);
    // past 64 entries the bucket array would double: chains grow instead.
    const s = new CowSet<number>(null, { pool, maxBytes: 4 * 256 });
    for (let k = 0; k < 32; k++) s.add(k);
    expect(() => s.add(32)).toThrow(RangeError);
    expect([...s]).toEqual(Array.from({ length: 32 }, (_, k) => k));
    // 31 KiB: 2 KiB of buckets (512, for 512 entries), 29 KiB of log (1,856
    // records of 16 bytes): past 512 entries the chains grow instead.
    const big = new CowSet<string>(null, { pool, maxBytes: 31 * 1024 });
    for (let k = 0; k < 1500; k++) big.add(k.toString(36));
    expect([big.size, big.has((1499).toString(36)), big.has("zzzz")]).toEqual([1500, true, false]);
    expect([...big].slice(-2)).toEqual([(1498).toString(36), (1499).toString(36)]);
    big.release();
    m.release();
    s.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("refuses a bad bound with InvalidArgumentError", () => {
    for (const maxBytes of [0, -1, 1.5, 2 ** 37, Number.NaN, "1" as unknown as number, 2 * 1024 - 1])
      expect(() => new CowMap(null, { pageSize: 1024, maxBytes }), String(maxBytes)).toThrow(InvalidArgumentError);
    expect(new CowMap(null, { pageSize: 1024, maxBytes: 2048 }).space.size).toBe(2048);
  });
});
