/**
 * The other packages' structures stored as a CowMap value (CowMap's own are
 * checked in packages/map/test/review27-structure-values.test.ts). Before:
 * a state map or set view (a Map/Set subclass with empty internal slots)
 * was stored as an empty Map/Set, a map draft as `{}`, a typed-array view
 * as `{"0":..}`; a CowText, a COW array, a State threw a DataCloneError
 * naming some FinalizationRegistry or schema constructor deep inside. Now
 * each throws StructureValueError naming it, and nothing changes.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import { CowMap, DataCloneError, StructureValueError } from "@pagefork/map";
import { createState, createStore, current, produce, t } from "@pagefork/state";
import { CowText } from "@pagefork/string";
import { describe, expect, it } from "vitest";

const S = t.struct({
  m: t.map(t.string, t.f64),
  s: t.set(t.string),
  l: t.list(t.f64),
  tx: t.text(),
  ta: t.float64Array(2),
});
const input = { m: new Map([["x", 1]]), s: new Set(["q"]), l: [1, 2], tx: "hi", ta: new Float64Array([1, 2]) };

function snap(m: CowMap<string, unknown>, pool: FramePool) {
  const { framesInUse, pageTableNodes } = pool.stats();
  return { entries: [...m], size: m.size, framesInUse, pageTableNodes };
}

/** Stores `x` (alone and nested) into `m`; each must throw StructureValueError naming `name`; nothing changes. */
function refused(m: CowMap<string, unknown>, pool: FramePool, x: unknown, name: string): void {
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
    expect(caught, `${name} at ${path}`).toBeInstanceOf(StructureValueError);
    expect(caught).toBeInstanceOf(DataCloneError);
    expect([(caught as StructureValueError).path, (caught as StructureValueError).structure]).toEqual([path, name]);
    expect(snap(m, pool)).toEqual(before);
  }
}

describe("other packages' structures as CowMap values", () => {
  it("CowText, COW arrays and vectors, State: StructureValueError (a Store: DataCloneError), nothing changed", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = CowMap.from<string, unknown>([["keep", 1]], { pool });
    const text = CowText.from("hello", { pool });
    const arr = CowFloat64Array.from([1, 2], { pool });
    const vec = new CowVector(Float64Array, { pool });
    vec.push(1, 2);
    const state = createState(S, input, { pool });
    const store = createStore(S, input, { pool });
    refused(m, pool, text, "CowText");
    expect(() => m.set("k", text)).toThrow(/x\.toString\(\)/);
    refused(m, pool, arr, "CowFloat64Array");
    expect(() => m.set("k", arr)).toThrow(/x\.toTypedArray\(\)/);
    refused(m, pool, vec, "CowVector");
    refused(m, pool, state, "State");
    // A Store's own fields start with its bound methods: refused as a function, as structuredClone does.
    expect(() => m.set("k", store)).toThrow(DataCloneError);
    expect(m.size).toBe(1);
    for (const x of [text, arr, vec, state, store, m]) x.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("state views (struct, map, set, list, text, typed array): StructureValueError; current(x) stores", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap<string, unknown>(null, { pool });
    const state = createState(S, input, { pool });
    const root = state.root;
    for (const v of [root, root.m, root.s, root.l, root.tx, root.ta]) {
      refused(m, pool, v, "@pagefork/state view");
      expect(() => m.set("k", v)).toThrow(/current\(x\)/);
    }
    m.set("m", current(root.m)).set("s", current(root.s)).set("ta", current(root.ta));
    expect([m.get("m"), m.get("s"), m.get("ta")]).toEqual([
      new Map([["x", 1]]),
      new Set(["q"]),
      new Float64Array([1, 2]),
    ]);
    state.release();
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("drafts inside produce: StructureValueError, nothing changed", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap<string, unknown>(null, { pool });
    const state = createState(S, input, { pool });
    const next = produce(state, (d) => {
      for (const v of [d, d.m, d.s, d.l, d.tx, d.ta]) refused(m, pool, v, "@pagefork/state draft");
      d.l.push(3);
    });
    expect(m.size).toBe(0);
    next.release();
    state.release();
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
