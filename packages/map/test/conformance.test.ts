import { FramePool } from "@pagefork/core";
import { type CowKey, CowMap, CowSet, type SetLike } from "@pagefork/map";
import { describe, expect, it } from "vitest";

/**
 * Regression tests for conformance defects that tc39's test262 Map/Set tests
 * found when run with Map/Set swapped for CowMap/CowSet. Each compares with
 * what the native Map/Set does in the same situation.
 */

/** A set-like whose iterator results have a `value` getter that counts its reads. */
function countingSetLike(values: CowKey[]): { other: SetLike<CowKey>; reads: () => number } {
  let reads = 0;
  const other = {
    size: values.length,
    has: (v: CowKey) => values.includes(v),
    keys: (): Iterator<CowKey> => {
      let i = 0;
      return {
        next: () => {
          const done = i >= values.length;
          const v = values[i++];
          return {
            done,
            get value() {
              reads++;
              return v;
            },
          } as IteratorResult<CowKey>;
        },
      };
    },
  };
  return { other, reads: () => reads };
}

describe("set-like iteration (GetSetRecord, IteratorStepValue)", () => {
  it("reads each iterator result's value once, then maps -0 to +0", () => {
    // A getter that returns a different value on each read: reading it twice
    // turns "a" into something else.
    const s = new CowSet(["a", "b", "c", "d"]);
    let n = 0;
    const other = {
      size: 1,
      has: () => false,
      keys: () => {
        let done = false;
        return {
          next() {
            const r = {
              done,
              get value() {
                return ["a", "x"][n++ % 2];
              },
            };
            done = true;
            return r;
          },
        };
      },
    };
    expect(s.isSupersetOf(other)).toBe(true); // native: true
    for (const method of ["union", "intersection", "difference", "symmetricDifference"] as const) {
      const { other: o, reads } = countingSetLike(["a", -0]);
      const big = new CowSet(["a", "b", "c", "d", "e"]); // larger than other: the spec iterates other
      const r = big[method](o);
      expect(reads(), method).toBe(2);
      r.release();
      big.release();
    }
    for (const [method, values] of [
      ["isSupersetOf", ["a", "b"]],
      ["isDisjointFrom", ["z", -0]],
    ] as const) {
      const { other: o, reads } = countingSetLike([...values]); // runs to the end: every value read
      const big = new CowSet(["a", "b", "c", "d", "e"]);
      big[method](o);
      expect(reads(), method).toBe(2);
      big.release();
    }
    const u = new CowSet([1]).union(countingSetLike([-0]).other);
    expect(Object.is([...u][1], 0)).toBe(true);
    s.release();
    u.release();
  });
});

describe("GetSetRecord", () => {
  it("refuses a BigInt size with a TypeError, as ToNumber does (native Set methods too)", () => {
    const s = new CowSet([1, 2]);
    const keys = () => [][Symbol.iterator]();
    expect(() => s.union({ size: 2n as unknown as number, has: () => false, keys })).toThrow(TypeError);
    expect(() => s.isSubsetOf({ size: Symbol() as unknown as number, has: () => false, keys })).toThrow(TypeError);
    expect(s.isSubsetOf({ size: "2" as unknown as number, has: () => true, keys })).toBe(true); // strings convert
    s.release();
  });
});

describe("set methods work on the receiver's own elements", () => {
  it("ignore overridden has/add/delete/fork of the receiver and of CowSet.prototype, as native Set methods do", () => {
    class L extends CowSet<number> {
      override has(): boolean {
        return false;
      }
      override add(): this {
        throw new Error("add called");
      }
      override delete(): boolean {
        throw new Error("delete called");
      }
      override fork(): CowSet<number> {
        throw new Error("fork called");
      }
    }
    const l = new L();
    for (const v of [1, 2, 3]) CowSet.prototype.add.call(l, v);
    const one = new CowSet([1]);
    const big = new CowSet([1, 2, 3, 4, 5, 6]);
    expect(l.isSupersetOf(one)).toBe(true); // native: true
    expect(l.isDisjointFrom(new CowSet([9]))).toBe(true);
    expect(l.isSubsetOf(big)).toBe(true);
    expect(l.isDisjointFrom(big)).toBe(false);
    const results = [
      l.union(one),
      l.intersection(big),
      l.intersection(one),
      l.difference(one),
      l.difference(big),
      l.symmetricDifference(one),
    ];
    expect(results.map((r) => [...r])).toEqual([[1, 2, 3], [1, 2, 3], [1], [2, 3], [], [2, 3]]);
    for (const r of results) {
      expect(Object.getPrototypeOf(r)).toBe(CowSet.prototype); // a plain CowSet, as natively a plain Set
      r.release();
    }

    const { add, has, delete: del } = CowSet.prototype;
    let calls = 0;
    const spy = <F extends (...args: never[]) => unknown>(f: F): F =>
      function (this: unknown, ...args: Parameters<F>) {
        calls++;
        return f.apply(this, args);
      } as F;
    CowSet.prototype.add = spy(add);
    CowSet.prototype.has = spy(has);
    CowSet.prototype.delete = spy(del);
    try {
      const a = new CowSet<number>([1]); // the constructor calls `add` (the spec's adder)
      calls = 0;
      const b = new Set([2, 3]);
      const rs = [a.union(b), a.intersection(b), a.difference(b), a.symmetricDifference(b)];
      a.isSubsetOf(b);
      a.isSupersetOf(b);
      a.isDisjointFrom(b);
      expect(calls).toBe(0); // native: never
      for (const r of rs) r.release();
      a.release();
    } finally {
      CowSet.prototype.add = add;
      CowSet.prototype.has = has;
      CowSet.prototype.delete = del;
    }
    for (const s of [l, one, big]) s.release();
  });
});

describe("constructors", () => {
  it("take an iterable first and options second only: a non-iterable first argument throws TypeError, as new Map({}) does", () => {
    const pool = new FramePool({ pageSize: 256 });
    expect(() => new CowMap({ a: 1 } as never)).toThrow(TypeError);
    expect(() => new CowSet({ a: 1 } as never)).toThrow(TypeError);
    expect(() => new CowMap({ pool } as never)).toThrow(TypeError);
    expect(() => new CowSet({ pool } as never)).toThrow(TypeError);
    expect(() => new CowMap(5 as never)).toThrow(TypeError);
    expect(pool.framesInUse).toBe(0);
    expect(pool.stats().spaces).toBe(0); // the spaces made for the refused maps were released
    const m = new CowMap(null, { pool });
    const s = new CowSet(undefined, { pool });
    m.set("a", 1);
    s.add("a");
    expect([m.space.pool, s.space.pool, m.size, s.size]).toEqual([pool, pool, 1, 1]);
    m.release();
    s.release();
  });

  it("look up set/add once, before iterating, and call it for each entry (the spec's adder)", () => {
    for (const [C, name, arg] of [
      [
        CowMap,
        "set",
        [
          ["a", 1],
          ["b", 2],
          ["c", 3],
        ],
      ],
      [CowSet, "add", ["a", "b", "c"]],
    ] as const) {
      const proto = C.prototype as unknown as Record<string, unknown>;
      const original = Object.getOwnPropertyDescriptor(proto, name) as PropertyDescriptor;
      let gets = 0;
      let calls = 0;
      try {
        Object.defineProperty(proto, name, {
          configurable: true,
          get() {
            gets++;
            return function (this: unknown, ...args: unknown[]) {
              calls++;
              return (original.value as (...a: unknown[]) => unknown).apply(this, args);
            };
          },
        });
        const c = new (C as new (x: unknown) => { size: number; release(): void })(arg);
        expect([gets, calls, c.size]).toEqual([1, 3, 3]);
        c.release();
        new (C as new (x: unknown) => { release(): void })(null).release(); // no iterable: no lookup
        expect(gets).toBe(1);
        Object.defineProperty(proto, name, {
          configurable: true,
          get() {
            throw new Error("getter");
          },
        });
        // as natively (new Map([]) with a throwing Map.prototype.set getter): throws even for an empty iterable
        expect(() => new (C as new (x: unknown) => unknown)([])).toThrow("getter");
        Object.defineProperty(proto, name, { configurable: true, value: 42 });
        expect(() => new (C as new (x: unknown) => unknown)([])).toThrow(TypeError);
      } finally {
        Object.defineProperty(proto, name, original);
      }
    }
  });

  it("call a subclass's set/add for each entry, as new (class extends Map) does", () => {
    const seen: unknown[] = [];
    class Logged extends CowSet<string> {
      override add(v: string): this {
        seen.push(v);
        return super.add(v.toUpperCase());
      }
    }
    const s = new Logged(["a", "b"]);
    expect([seen, [...s]]).toEqual([
      ["a", "b"],
      ["A", "B"],
    ]);
    s.release();
  });
});

describe("prototypes", () => {
  it("alias iterator methods as Map and Set do: Map's @@iterator is entries; Set's keys and @@iterator are values", () => {
    expect(CowMap.prototype[Symbol.iterator]).toBe(CowMap.prototype.entries);
    expect(CowSet.prototype.keys).toBe(CowSet.prototype.values);
    expect(CowSet.prototype[Symbol.iterator]).toBe(CowSet.prototype.values);
    expect([CowSet.prototype.keys.name, CowMap.prototype[Symbol.iterator].name]).toEqual(["values", "entries"]);
    for (const [proto, key] of [
      [CowSet.prototype, "keys"],
      [CowSet.prototype, Symbol.iterator],
      [CowMap.prototype, Symbol.iterator],
    ] as const) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      expect([d?.writable, d?.enumerable, d?.configurable]).toEqual([true, false, true]); // as a class method
    }
  });
});

describe("brand checks", () => {
  it("every method and accessor throws TypeError for a receiver that is not one of its class, and changes nothing", () => {
    const m = new CowMap<CowKey, number>([["a", 1]]);
    const s = new CowSet<CowKey>(["a"]);
    // the test262 finding: a set read as a map (a number from key bytes), a map written as a set
    expect(() => CowMap.prototype.set.call(s, "c", 1)).toThrow(TypeError);
    expect(() => CowMap.prototype.get.call(s, "a")).toThrow(TypeError);
    expect(() => CowSet.prototype.add.call(m, "c")).toThrow(TypeError);
    const others = (own: object) => [
      own === m ? s : m,
      {},
      new Map([["a", 1]]),
      new Set(["a"]),
      1,
      "a",
      null,
      undefined,
    ];
    for (const [self, proto] of [
      [m, CowMap.prototype],
      [s, CowSet.prototype],
    ] as const) {
      for (const key of Reflect.ownKeys(proto)) {
        if (key === "constructor" || key === Symbol.toStringTag) continue;
        const d = Object.getOwnPropertyDescriptor(proto, key) as PropertyDescriptor;
        const f = (d.get ?? d.value) as (...args: unknown[]) => unknown;
        for (const receiver of others(self))
          expect(() => f.call(receiver, "a", () => {}), `${String(key)} on ${String(receiver)}`).toThrow(TypeError);
      }
    }
    expect(() => CowMap.prototype.get.call(s, "a")).toThrow(
      /CowMap\.prototype\.get called on an incompatible receiver \[object CowSet\]/,
    );
    expect([[...m], [...s], m.released, s.released]).toEqual([[["a", 1]], ["a"], false, false]);
    m.release();
    s.release();
  });
});
