import { CowMap, DataCloneError } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Stores `v` and reads it back. */
function roundTrip(v: unknown): unknown {
  const m = new CowMap<string, unknown>(null, { pageSize: 256 });
  try {
    m.set("k", v);
    return m.get("k");
  } finally {
    m.release();
  }
}

describe("values: what structuredClone keeps, the map keeps", () => {
  it("round-trips structured-clone types exactly, like structuredClone", () => {
    const cyclic: Record<string, unknown> = { name: "c" };
    cyclic.self = cyclic;
    const shared = { s: 1 };
    const cases: unknown[] = [
      { a: 1, b: "x", c: [1, 2, { d: null }], u: undefined },
      [1, "two", 3n, null, undefined, true],
      new Map<unknown, unknown>([
        [1, "a"],
        ["1", "b"],
        [{ k: 1 }, 2],
      ]),
      new Set([1, "1", 1n, Number.NaN]),
      new Date(1_700_000_000_123),
      new Date(Number.NaN),
      /a\s+b/gi,
      new Uint8Array([1, 2, 3]),
      new Float64Array([1.5, Number.NaN, -0]),
      new BigInt64Array([1n, -2n]),
      new Uint8ClampedArray([0, 255]),
      new ArrayBuffer(7),
      new DataView(new ArrayBuffer(8)),
      2n ** 100n,
      -(2n ** 70n),
      cyclic,
      { x: shared, y: shared },
      new RangeError("boom"),
      Object.assign(Object.create(null), { q: 1 }),
      new (class Point {
        x = 1;
        y = 2;
      })(),
    ];
    for (const v of cases) {
      const got = roundTrip(v);
      expect(got).toEqual(structuredClone(v));
    }
    const c = roundTrip(cyclic) as Record<string, unknown>;
    expect(c.self).toBe(c);
    const s = roundTrip({ x: shared, y: shared }) as Record<string, unknown>;
    expect(s.x).toBe(s.y);
    const e = roundTrip(new RangeError("boom", { cause: { why: 1 } })) as RangeError;
    expect(e).toBeInstanceOf(RangeError);
    expect([e.message, e.cause]).toEqual(["boom", { why: 1 }]);
    expect("cause" in (roundTrip(new TypeError("no cause")) as TypeError)).toBe(false);
  });

  it("keeps what msgpack alone would lose: nested -0, lone surrogates, holes, boxed primitives", () => {
    const box = new Number(-0);
    const arr: unknown[] = [1];
    arr[2] = -0; // arr[1] is a hole
    arr[3] = "\ud800x";
    const v = {
      z: -0,
      arr,
      m: new Map<unknown, unknown>([
        ["\udc00", -0],
        ["ok", "\ud83d"],
      ]),
      s: new Set(["a", "\udfff"]),
      boxes: [box, box, new String("s\ud800"), new Boolean(false), Object(5n)],
    };
    const got = roundTrip(v) as typeof v;
    expect(Object.is(got.z, -0)).toBe(true);
    expect(1 in got.arr).toBe(false);
    expect(got.arr.length).toBe(4);
    expect(Object.is(got.arr[2], -0)).toBe(true);
    expect(got.arr[3]).toBe("\ud800x");
    expect([...got.m]).toEqual([
      ["\udc00", -0],
      ["ok", "\ud83d"],
    ]);
    expect(Object.is(got.m.get("\udc00"), -0)).toBe(true);
    expect([...got.s]).toEqual(["a", "\udfff"]);
    expect(got.boxes[0]).toBeInstanceOf(Number);
    expect(Object.is(got.boxes[0]?.valueOf(), -0)).toBe(true);
    expect(got.boxes[0]).toBe(got.boxes[1]); // one box, referenced twice
    expect(String(got.boxes[2])).toBe("s\ud800");
    expect(got.boxes[3]).toBeInstanceOf(Boolean);
    expect(got.boxes[4]?.valueOf()).toBe(5n);
    expect(got).toEqual(structuredClone(v));
  });

  it("stores large values (past the decoder's cached scratch)", () => {
    const big = { samples: Float64Array.from({ length: 300_000 }, (_, i) => i / 7), text: "€".repeat(600_000) };
    const got = roundTrip(big) as typeof big;
    expect(got.samples).toEqual(big.samples);
    expect(got.text).toBe(big.text);
  });

  it("refuses what structuredClone refuses, and what cannot be stored by value", () => {
    const refused: [string, unknown][] = [
      ["function", { f: () => 1 }],
      ["symbol", [Symbol("s")]],
      ["WeakMap", { w: new WeakMap() }],
      ["WeakSet", new WeakSet()],
      ["WeakRef", new WeakRef({})],
      ["Promise", Promise.resolve(1)],
      ["generator", (function* () {})()],
      ["Intl", new Intl.NumberFormat()],
      [
        "arguments",
        (function (this: unknown, ..._a: unknown[]) {
          // biome-ignore lint/complexity/noArguments: the arguments object is the case under test
          return arguments;
        })(1, 2),
      ],
      ["SharedArrayBuffer", new SharedArrayBuffer(8)],
      ["a view of a SharedArrayBuffer", new Uint8Array(new SharedArrayBuffer(8))],
      ["Blob", new Blob(["a"])],
      ["__proto__", JSON.parse('{"__proto__": {"x": 1}}')],
      ["lone surrogate", { "\ud800": 1 }],
      ["global", { g: globalThis }],
    ];
    for (const [what, v] of refused) expect(() => roundTrip(v), what).toThrow(DataCloneError);
  });

  it("round-trips random JSON-like values (with -0 and odd strings) as structuredClone does", () => {
    const str = fc.string({ unit: fc.constantFrom("a", "é", "😀", "\ud800", "\udc00", "€") });
    const leaf = fc.oneof(fc.double(), fc.integer(), str, fc.boolean(), fc.constant(null), fc.bigInt());
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 4 }), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(roundTrip(v)).toStrictEqual(structuredClone(v));
      }),
      { numRuns: 200 },
    );
  });
});
