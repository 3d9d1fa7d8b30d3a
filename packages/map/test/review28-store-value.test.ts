/**
 * An object with behaviour (a function in a field, such as a bound method)
 * that holds a pagefork structure deeper inside, stored as a value. Before:
 * refused by its first method with a plain DataCloneError ("a function
 * cannot be cloned" at `value.getState`), so a @pagefork/state Store (bound
 * getState/setState/subscribe first, its versions' States in an array)
 * got none of the StructureValueError that names other structures and says
 * what to store instead. Now the other fields are walked first: holding a
 * structure anywhere, the object is refused with StructureValueError naming
 * it and what it holds; holding none, it is refused by its first function,
 * as structuredClone refuses it. Nothing changes either way.
 */
import { FramePool, History } from "@pagefork/core";
import { CowMap, CowSet, DataCloneError, StructureValueError } from "@pagefork/map";
import { createStore, current, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";

function snap(m: CowMap<string, unknown>, pool: FramePool) {
  const { framesInUse, pageTableNodes } = pool.stats();
  return { entries: [...m], size: m.size, framesInUse, pageTableNodes };
}

/** Stores `x` at several depths: each throws at its place + `at`, StructureValueError of `structure` if given; nothing changes. */
function refused(
  m: CowMap<string, unknown>,
  pool: FramePool,
  x: unknown,
  structure: string | undefined,
  at = "",
): (DataCloneError | StructureValueError)[] {
  const out: (DataCloneError | StructureValueError)[] = [];
  for (const [path, v] of [
    ["value", x],
    ["value <value 0>", new Map([["k", x]])],
    ["value.a[0]", { a: [x] }],
  ] as const) {
    const before = snap(m, pool);
    let caught: unknown;
    try {
      m.set("k", v);
    } catch (e) {
      caught = e;
    }
    expect(caught, path).toBeInstanceOf(DataCloneError);
    const e = caught as StructureValueError;
    if (structure === undefined) {
      expect(e).not.toBeInstanceOf(StructureValueError);
      expect(e.path).toBe(`${path}${at}`);
    } else {
      expect(e, path).toBeInstanceOf(StructureValueError);
      expect([e.path, e.structure]).toEqual([`${path}${at}`, structure]);
    }
    expect(snap(m, pool)).toEqual(before);
    out.push(e);
  }
  return out;
}

describe("an object with methods holding a pagefork structure", () => {
  it("a @pagefork/state Store: StructureValueError naming the Store, its State and current(...)", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = CowMap.from<string, unknown>([["keep", { a: 1 }]], { pool });
    const store = createStore(t.struct({ n: t.f64, tags: t.list(t.string) }), { n: 1, tags: ["a"] }, { pool });
    store.setState((d) => {
      d.n = 2;
    });
    const [e] = refused(m, pool, store, "Store");
    expect(e?.message).toMatch(/a Store holding a pagefork State \(value\.history\.steps\[\d+\]\.state\)/);
    expect(e?.message).toMatch(/current\(x\.getState\(\)\.root\)/);
    // What the message says to store works.
    m.set("k", current(store.getState().root));
    expect(m.get("k")).toEqual({ n: 2, tags: ["a"] });
    store.release();
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("a class of the app's with a method field: named as itself, holding the structure it found", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = CowMap.from<string, unknown>([["keep", 1]], { pool });
    const inner = CowMap.from([["x", 1]], { pool });
    const set = new CowSet(["y"], { pool });
    const history = new History(CowMap.from([["h", 1]], { pool }));
    class Service {
      onChange = (): void => {};
      title = "s";
      parts: unknown[];
      constructor(x: unknown) {
        this.parts = [{ deep: new Map([[1, x]]) }];
      }
    }
    for (const [x, name] of [
      [inner, "CowMap"],
      [set, "CowSet"],
      [history, "History"],
    ] as const) {
      const [e] = refused(m, pool, new Service(x), "Service");
      expect(e?.message).toContain(`holding a pagefork ${name} (value.parts[0].deep <value 0>)`);
    }
    // Holding none: refused by its first function, as structuredClone refuses it.
    expect(() => structuredClone(new Service(1))).toThrow();
    refused(m, pool, new Service(1), undefined, ".onChange");
    // Without a method, the structure inside is named where it is (unchanged).
    class Plain {
      parts = [inner];
    }
    const [p] = refused(m, pool, new Plain(), "CowMap", ".parts[0]");
    expect(p?.message).toContain("new Map(x)");
    inner.release();
    set.release();
    history.release();
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("a method-holding object with another unclonable field reports that field or the method, never stores", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = CowMap.from<string, unknown>([["keep", 1]], { pool });
    class A {
      f = (): number => 1;
      s = Symbol("x");
    }
    refused(m, pool, new A(), undefined, ".s");
    class B {
      w = new WeakMap();
      f = (): number => 1;
    }
    refused(m, pool, new B(), undefined, ".w");
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
