/**
 * A pagefork structure stored as a value. Before: the codec walked it as a
 * class instance (own enumerable fields, prototype dropped, as
 * `structuredClone` does), so a CowMap or a CowSet (whose state is private)
 * was stored as `{}`, a History as a heap of its fields, a proxy view as
 * `{"0":..}`: silent data loss. A core object deep inside (a CowText's
 * space, say) threw a DataCloneError naming a FinalizationRegistry in the
 * pool. Now every pagefork structure, at the root or nested (in a Map value
 * or key, a Set, an array, an object), throws StructureValueError (a
 * DataCloneError) naming it and saying what to store instead, and the call
 * changes nothing. What `structuredClone` does for other values is kept:
 * functions, symbols, WeakMap, Promise throw DataCloneError; a class
 * instance with private fields is stored as its own enumerable fields.
 * The other packages' structures are checked in packages/state/test.
 */
import { AddressSpace, FramePool, Heap, History } from "@pagefork/core";
import { CowMap, CowSet, DataCloneError, KeyTypeError, StructureValueError } from "@pagefork/map";
import { describe, expect, it } from "vitest";

type Snap = { entries: unknown[]; size: number; framesInUse: number; pageTableNodes: number };
function snap(m: CowMap<string, unknown> | CowSet<string>, pool: FramePool): Snap {
  const { framesInUse, pageTableNodes } = pool.stats();
  return { entries: [...m], size: m.size, framesInUse, pageTableNodes };
}

/** Each structure with the name the error gives it; made in `pool`, released by the caller. */
function structures(pool: FramePool): [string, unknown, () => void][] {
  const m = CowMap.from([["x", 1]], { pool });
  const s = new CowSet(["x"], { pool });
  const space = new AddressSpace({ size: 2 ** 16, pool });
  const heapSpace = new AddressSpace({ size: 2 ** 16, pool });
  const heap = Heap.create(heapSpace, { base: 256 });
  const hm = CowMap.from([["h", 1]], { pool });
  const history = new History(hm);
  const embedded = CowMap.create(heap, [["e", 1]]);
  const it = m.keys();
  const view = space.view(Float64Array, 0, 4);
  return [
    ["CowMap", m, () => m.release()],
    ["CowSet", s, () => s.release()],
    ["CowMap", embedded, () => embedded.free()],
    ["CowMap Iterator", it, () => {}],
    ["AddressSpace", space, () => {}],
    ["FramePool", pool, () => {}],
    ["Heap", heap, () => {}],
    ["History", history, () => history.release()],
    ["Float64Array proxy view", view, () => space.release()],
    ["AddressSpace", heapSpace, () => heapSpace.release()],
  ];
}

/** Ways to put `x` inside a value, with the path the error names. */
const placements: [string, (x: unknown) => unknown][] = [
  ["value", (x) => x],
  ["value <value 0>", (x) => new Map([["k", x]])],
  [
    "value <key 1>",
    (x) =>
      new Map<unknown, unknown>([
        ["a", 1],
        [x, 2],
      ]),
  ],
  ["value <element 0>", (x) => new Set([x])],
  ["value[1]", (x) => [0, x]],
  ["value.a.b", (x) => ({ a: { b: x } })],
  ["value.a[0] <value 0>", (x) => ({ a: [new Map([[1, x]])] })],
];

describe("a pagefork structure as a value", () => {
  it("set() throws StructureValueError naming it and where, and changes nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const target = CowMap.from<string, unknown>([["keep", { a: 1 }]], { pool });
    const list = structures(pool);
    for (const [name, x] of list) {
      for (const [path, place] of placements) {
        const before = snap(target, pool);
        let caught: unknown;
        try {
          target.set("k", place(x));
        } catch (e) {
          caught = e;
        }
        expect(caught, `${name} at ${path}`).toBeInstanceOf(StructureValueError);
        expect(caught).toBeInstanceOf(DataCloneError);
        const e = caught as StructureValueError;
        expect([e.path, e.structure, e.code, e.name]).toEqual([path, name, "ERR_DATA_CLONE", "StructureValueError"]);
        expect(e.message).toContain(
          `cannot store ${path} by value: it is ${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}`,
        );
        expect(snap(target, pool)).toEqual(before);
        // Updating an existing key changes nothing either.
        expect(() => target.set("keep", place(x))).toThrow(StructureValueError);
        expect(snap(target, pool)).toEqual(before);
      }
    }
    expect(target.get("keep")).toEqual({ a: 1 });
    for (const [, , release] of list) release();
    target.release();
    expect(pool.stats().framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  });

  it("the constructor, from() and create() refuse it too and keep nothing", () => {
    const pool = new FramePool({ pageSize: 256 });
    const inner = CowMap.from([["x", 1]], { pool });
    const frames = pool.stats().framesInUse;
    expect(
      () =>
        new CowMap(
          [
            ["a", 1],
            ["b", inner],
          ] as [string, unknown][],
          { pool },
        ),
    ).toThrow(StructureValueError);
    expect(() => CowMap.from([["a", new Map([["m", inner]])]], { pool })).toThrow(StructureValueError);
    expect(pool.stats().framesInUse).toBe(frames);
    const space = new AddressSpace({ size: 2 ** 16, pool });
    const heap = Heap.create(space, { base: 256 });
    const blocks = heap.stats().blocks;
    expect(() => CowMap.create(heap, [["a", [inner]]])).toThrow(StructureValueError);
    expect(heap.stats().blocks).toBe(blocks);
    space.release();
    inner.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("says what to store instead", () => {
    const m = CowMap.from([["x", 1]]);
    const s = new CowSet(["y"]);
    const target = new CowMap<string, unknown>();
    expect(() => target.set("k", m)).toThrow(/new Map\(x\)/);
    expect(() => target.set("k", s)).toThrow(/new Set\(x\)/);
    // What the hint says works.
    target.set("m", new Map(m)).set("s", new Set(s));
    expect([target.get("m"), target.get("s")]).toEqual([new Map([["x", 1]]), new Set(["y"])]);
    for (const x of [m, s, target]) x.release();
  });

  it("a structure is no key either: KeyTypeError, nothing changed", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = CowMap.from<string, unknown>([["a", 1]], { pool });
    const s = new CowSet<string>(["a"], { pool });
    for (const x of [m, s]) {
      const ms = snap(m, pool);
      const ss = snap(s, pool);
      expect(() => m.set(x as never, 1)).toThrow(KeyTypeError);
      expect(() => s.add(x as never)).toThrow(KeyTypeError);
      expect(() => m.set(x as never, 1)).toThrow(/CowMap|CowSet/);
      expect([snap(m, pool), snap(s, pool)]).toEqual([ms, ss]);
    }
    m.release();
    s.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});

describe("other values keep structuredClone's rules", () => {
  it("functions, symbols, WeakMap, WeakSet, Promise: DataCloneError (not StructureValueError), nothing changed", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = CowMap.from<string, unknown>([["a", 1]], { pool });
    const cases: unknown[] = [() => 1, Symbol("s"), new WeakMap(), new WeakSet(), Promise.resolve(1)];
    for (const x of cases) {
      for (const [, place] of placements) {
        const before = snap(m, pool);
        const v = place(x);
        expect(() => structuredClone(v)).toThrow();
        let caught: unknown;
        try {
          m.set("k", v);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(DataCloneError);
        expect(caught).not.toBeInstanceOf(StructureValueError);
        expect(snap(m, pool)).toEqual(before);
      }
    }
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("a class instance with private state is stored as structuredClone stores it: its own enumerable fields", () => {
    class Account {
      #balance = 10;
      owner = "ann";
      get balance(): number {
        return this.#balance;
      }
    }
    const m = new CowMap<string, unknown>();
    m.set("a", new Account());
    expect(m.get("a")).toEqual(structuredClone(new Account()));
    expect(m.get("a")).toEqual({ owner: "ann" });
    expect(Object.getPrototypeOf(m.get("a"))).toBe(Object.prototype);
    m.release();
  });

  it("a class instance that holds a core object directly is refused as what it is", () => {
    class Doc {
      title = "t";
      space: AddressSpace;
      constructor(space: AddressSpace) {
        this.space = space;
      }
    }
    const space = new AddressSpace({ size: 2 ** 16, pageSize: 256 });
    const m = new CowMap<string, unknown>();
    let caught: unknown;
    try {
      m.set("d", { doc: new Doc(space) });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StructureValueError);
    expect((caught as StructureValueError).path).toBe("value.doc");
    expect((caught as StructureValueError).message).toMatch(
      /a Doc holding a pagefork AddressSpace \(value\.doc\.space\)/,
    );
    expect(m.size).toBe(0);
    m.release();
    space.release();
  });
});
