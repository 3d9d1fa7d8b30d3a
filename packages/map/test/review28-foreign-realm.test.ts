/**
 * Values made in another realm (a `node:vm` context; an iframe in a
 * browser). The codec recognised other-realm Map, Set, Date, RegExp,
 * ArrayBuffer, Error and views by their internal slots, but its refusals
 * and its boxed primitives used `instanceof`, which fails across realms.
 * Before: an other-realm WeakMap, WeakSet, WeakRef, FinalizationRegistry,
 * Promise, generator, Intl object, Symbol object, SharedArrayBuffer or
 * global object was stored as `{}` (structuredClone refuses each with
 * DataCloneError), and an other-realm `new Number(3)`, `Object(1n)`,
 * `new Boolean(false)` was stored as `{}` and `new String("x")` as
 * `{"0": "x"}` (structuredClone keeps the boxed primitive): silent loss.
 * Now each refusal throws DataCloneError and changes nothing, and boxed
 * primitives come back as structuredClone gives them.
 */
import vm from "node:vm";
import { FramePool } from "@pagefork/core";
import { CowMap, CowSet, DataCloneError, StructureValueError } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { differ } from "./arbitraries.js";

const realm = vm.createContext({});
const there = (src: string): unknown => vm.runInContext(src, realm);

/** Other-realm objects that structuredClone refuses. */
const REFUSED = [
  "new WeakMap()",
  "new WeakSet()",
  "new WeakRef({})",
  "new FinalizationRegistry(() => {})",
  "Promise.resolve(1)",
  "(function* () {})()",
  "(async function* () {})()",
  "new Intl.Collator()",
  "new Intl.NumberFormat()",
  "new Intl.Locale('en')",
  "new Intl.Segmenter()",
  "Object(Symbol('s'))",
  "globalThis",
  "new (class extends WeakMap {})()",
];

function snap(m: CowMap<string, unknown>, pool: FramePool) {
  const { framesInUse, pageTableNodes } = pool.stats();
  return { entries: [...m], size: m.size, framesInUse, pageTableNodes };
}

const placements: [string, (x: unknown) => unknown][] = [
  ["value", (x) => x],
  ["value.a[1]", (x) => ({ a: [0, x] })],
  ["value <value 0>", (x) => new Map([["k", x]])],
  ["value <element 1>", (x) => new Set([1, x])],
  // Inside an object of the other realm.
  ["value.a", (x) => (there("(x) => ({ a: x })") as (x: unknown) => unknown)(x)],
];

describe("values of another realm", () => {
  it("what structuredClone refuses: DataCloneError naming the path, nothing changed", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = CowMap.from<string, unknown>([["keep", { a: [1] }]], { pool });
    for (const src of REFUSED) {
      const x = there(src);
      expect(() => structuredClone(x), src).toThrow();
      for (const [path, place] of placements) {
        const before = snap(m, pool);
        let caught: unknown;
        try {
          m.set("k", place(x));
        } catch (e) {
          caught = e;
        }
        expect(caught, `${src} at ${path}`).toBeInstanceOf(DataCloneError);
        expect(caught).not.toBeInstanceOf(StructureValueError);
        expect((caught as DataCloneError).path, src).toBe(path);
        expect(snap(m, pool), src).toEqual(before);
      }
    }
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("a SharedArrayBuffer of another realm is refused as this realm's is", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap<string, unknown>(null, { pool });
    expect(() => m.set("k", new SharedArrayBuffer(8))).toThrow(/SharedArrayBuffer/);
    expect(() => m.set("k", there("new SharedArrayBuffer(8)"))).toThrow(/SharedArrayBuffer/);
    expect(() => m.set("k", { b: there("new SharedArrayBuffer(8)") })).toThrow(DataCloneError);
    expect(m.size).toBe(0);
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("boxed primitives of another realm come back as structuredClone gives them, one box per box", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap<string, unknown>(null, { pool });
    const s = new CowSet<string>(null, { pool });
    for (const src of [
      "new Number(3)",
      "new Number(-0)",
      "new Number(NaN)",
      "new String('x')",
      "new String('\\ud800b')",
      "new String('')",
      "new Boolean(false)",
      "new Boolean(true)",
      "Object(1n)",
      "Object(-(2n ** 70n))",
    ]) {
      const x = there(src);
      const want = structuredClone(x);
      m.set("k", x);
      expect(differ(m.get("k"), want), src).toBe("");
      const box = there(`(() => { const b = ${src}; return { a: b, l: [b, b], m: new Map([[b, b]]) }; })()`);
      m.set("k", box);
      const got = m.get("k") as { a: object; l: object[]; m: Map<object, object> };
      expect(differ(got, structuredClone(box)), src).toBe("");
      expect(got.l[0]).toBe(got.a);
      expect([...got.m][0]?.[0]).toBe(got.a);
    }
    m.release();
    s.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("objects that only look like those (a tag without the slot) are stored as structuredClone stores them", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap<string, unknown>(null, { pool });
    // Not "Promise": no native method checks a Promise's slot without settling or chaining it, so an
    // other-realm object tagged "Promise" is refused by its tag (as generators and Intl objects are).
    for (const tag of ["WeakMap", "WeakSet", "WeakRef", "Symbol", "Number", "String", "Boolean", "BigInt"]) {
      const local = new (class {
        a = 1;
        get [Symbol.toStringTag]() {
          return tag;
        }
      })();
      const foreign = there(`new (class { a = 1; get [Symbol.toStringTag]() { return ${JSON.stringify(tag)}; } })()`);
      const localPromise = new (class {
        get [Symbol.toStringTag]() {
          return "Promise";
        }
      })();
      for (const x of [local, foreign, localPromise]) {
        m.set("k", x);
        expect(differ(m.get("k"), structuredClone(x)), tag).toBe("");
      }
    }
    for (const C of ["WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Number", "String", "Boolean"]) {
      const x = there(`Object.create(${C}.prototype)`);
      m.set("k", x);
      expect(differ(m.get("k"), structuredClone(x)), C).toBe("");
    }
    m.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("property: a value built in another realm round-trips as structuredClone's copy (a native Map model)", () => {
    // Expressions evaluated in the other realm: every built-in the codec copies, nested.
    const leaf = fc.oneof(
      fc.constantFrom(
        "1",
        "-0",
        "NaN",
        "'s'",
        "'\\udc00'",
        "12345678901234567890n",
        "null",
        "undefined",
        "true",
        "new Number(-0)",
        "new String('ab')",
        "new Boolean(false)",
        "Object(5n)",
        "new Date(86400000)",
        "new Date(NaN)",
        "/a+b/gi",
        "new Uint8Array([1, 2, 3])",
        "new Float64Array([-0, NaN])",
        "new DataView(new ArrayBuffer(3))",
        "new ArrayBuffer(2)",
        "new RangeError('r')",
        "new Error('e', { cause: 1 })",
        "[ , 1]",
      ),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        tie("array"),
        tie("object"),
        tie("map"),
        tie("set"),
      ),
      array: fc.array(tie("tree"), { maxLength: 3 }).map((a) => `[${a.join(", ")}]`),
      object: fc
        .array(fc.tuple(fc.constantFrom("a", "b", "c d", "0"), tie("tree")), { maxLength: 3 })
        .map((a) => `({ ${a.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(", ")} })`),
      map: fc
        .array(fc.tuple(tie("tree"), tie("tree")), { maxLength: 3 })
        .map((a) => `new Map([${a.map(([k, v]) => `[${k}, ${v}]`).join(", ")}])`),
      set: fc.array(tie("tree"), { maxLength: 3 }).map((a) => `new Set([${a.join(", ")}])`),
    }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), tree), { maxLength: 8 }), (ops) => {
        const pool = new FramePool({ pageSize: 256 });
        const m = new CowMap<string, unknown>(null, { pool });
        const model = new Map<string, unknown>();
        for (const [k, src] of ops) {
          const v = there(src as string);
          m.set(k, v);
          model.set(k, structuredClone(v));
          for (const [mk, mv] of model) expect(differ(m.get(mk), mv), `${mk} = ${src}`).toBe("");
        }
        m.release();
        expect(pool.stats().framesInUse).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
