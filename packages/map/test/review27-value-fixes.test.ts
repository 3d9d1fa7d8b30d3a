/**
 * Differences from structuredClone found by review27-value-model.test.ts,
 * each pinned by a small case (each failed before its fix):
 * - an Error's message with a lone surrogate came back with U+FFFD (the
 *   message skipped the codec's string patches);
 * - a `cause` inherited from the prototype was stored as the error's own
 *   (structuredClone keeps an own cause only);
 * - a Map, Set, Date, RegExp, Error or ArrayBuffer from another realm (a vm
 *   context, an iframe) was stored as `{}` (the codec tested instanceof),
 *   and a typed array from one was refused as "a view of a
 *   SharedArrayBuffer"; structuredClone goes by internal slots;
 * - an object made with Object.create(Map.prototype) (Date, RegExp...)
 *   threw a bare TypeError from the native method; structuredClone stores
 *   it as a plain object.
 */
import vm from "node:vm";
import { CowMap } from "@pagefork/map";
import { describe, expect, it } from "vitest";

function roundTrip(v: unknown): unknown {
  const m = new CowMap<string, unknown>(null, { pageSize: 256 });
  try {
    m.set("k", v);
    return m.get("k");
  } finally {
    m.release();
  }
}

describe("Error values as structuredClone keeps them", () => {
  it("keeps lone surrogates in an Error's message, at the root and nested", () => {
    const e = new RangeError("\ud800 bad \udfff");
    expect(structuredClone(e).message).toBe("\ud800 bad \udfff");
    expect((roundTrip(e) as Error).message).toBe("\ud800 bad \udfff");
    const nested = roundTrip(new Map([["x", [new Error("a\udc00", { cause: new Error("\ud83d") })]]])) as Map<
      string,
      Error[]
    >;
    const got = nested.get("x")?.[0] as Error;
    expect([got.message, (got.cause as Error).message]).toEqual(["a\udc00", "\ud83d"]);
  });

  it("keeps an own cause only", () => {
    class Inherits extends Error {}
    (Inherits.prototype as { cause?: unknown }).cause = "from the prototype";
    const e = new Inherits("m");
    expect("cause" in structuredClone(e)).toBe(false);
    expect("cause" in (roundTrip(e) as Error)).toBe(false);
    expect((roundTrip(new Error("m", { cause: undefined })) as Error).cause).toBe(undefined);
    expect("cause" in (roundTrip(new Error("m", { cause: undefined })) as Error)).toBe(true);
  });
});

describe("built-ins recognised by their internal slots, as structuredClone does", () => {
  it("keeps a Map, Set, Date, RegExp, Error, ArrayBuffer and typed array from another realm (a vm context)", () => {
    const cases: [string, unknown][] = [
      ["new Map([[1, { a: 2 }]])", new Map([[1, { a: 2 }]])],
      ["new Set([1, 'x'])", new Set([1, "x"])],
      ["new Date(5)", new Date(5)],
      ["/a+/gi", /a+/gi],
      ["new TypeError('t')", new TypeError("t")],
      ["new Uint8Array([1, 2, 3]).buffer", new Uint8Array([1, 2, 3]).buffer],
      ["new Uint16Array([1, 65535])", new Uint16Array([1, 65535])],
      ["new DataView(new Uint8Array([7, 8]).buffer)", new DataView(new Uint8Array([7, 8]).buffer)],
      ["({ nested: [new Map([['k', new Date(1)]])] })", { nested: [new Map([["k", new Date(1)]])] }],
    ];
    for (const [code, want] of cases) {
      const foreign = vm.runInNewContext(code);
      const got = roundTrip(foreign);
      expect(Object.prototype.toString.call(got), code).toBe(Object.prototype.toString.call(structuredClone(foreign)));
      expect(got, code).toEqual(want);
    }
  });

  it("an object with a built-in's prototype but not its slots is a plain object, not a TypeError", () => {
    for (const proto of [
      Map.prototype,
      Set.prototype,
      Date.prototype,
      RegExp.prototype,
      Error.prototype,
      Number.prototype,
    ]) {
      const o = Object.assign(Object.create(proto), { own: 1 });
      const want = structuredClone(o);
      expect(Object.getPrototypeOf(want)).toBe(Object.prototype);
      expect(roundTrip(o)).toEqual(want);
      expect(Object.getPrototypeOf(roundTrip(o))).toBe(Object.prototype);
    }
  });
});
