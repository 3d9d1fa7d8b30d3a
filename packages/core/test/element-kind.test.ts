import {
  ElementKind,
  elementKindOf,
  elementKinds,
  KIND_BIGINT64,
  KIND_BIGUINT64,
  KIND_FLOAT32,
  KIND_FLOAT64,
  KIND_INT8,
  KIND_INT16,
  KIND_INT32,
  KIND_UINT8,
  KIND_UINT8_CLAMPED,
  KIND_UINT16,
  KIND_UINT32,
  relativeIndex,
  toIntegerOrInfinity,
} from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const NATIVES = [
  [KIND_INT8, Int8Array],
  [KIND_UINT8, Uint8Array],
  [KIND_UINT8_CLAMPED, Uint8ClampedArray],
  [KIND_INT16, Int16Array],
  [KIND_UINT16, Uint16Array],
  [KIND_INT32, Int32Array],
  [KIND_UINT32, Uint32Array],
  [KIND_FLOAT32, Float32Array],
  [KIND_FLOAT64, Float64Array],
  [KIND_BIGINT64, BigInt64Array],
  [KIND_BIGUINT64, BigUint64Array],
] as const;

describe("element kinds", () => {
  it("one frozen table of the eleven kinds, indexed by code, with the codes embedded headers store (0..10 in this order)", () => {
    expect(Object.isFrozen(elementKinds)).toBe(true);
    expect(elementKinds.length).toBe(11);
    NATIVES.forEach(([code, Native], i) => {
      expect(code).toBe(i);
      const k = elementKinds[code] as ElementKind;
      expect(k).toBeInstanceOf(ElementKind);
      expect(elementKindOf(Native)).toBe(k);
      expect([k.code, k.Native, k.name, k.bytes, 1 << k.shift, k.bigint]).toEqual([
        i,
        Native,
        Native.name.replace(/Array$/, ""),
        Native.BYTES_PER_ELEMENT,
        Native.BYTES_PER_ELEMENT,
        Native === BigInt64Array || Native === BigUint64Array,
      ]);
    });
    for (const x of [DataView, Array, ArrayBuffer, class extends Float64Array {}, "Float64Array", undefined])
      expect(elementKindOf(x)).toBeUndefined();
  });

  it("a kind's scratch converts a value as a store into the native array does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.oneof(fc.double(), fc.integer(), fc.constantFrom("7", "-1.5", "x", null)),
        (code, v) => {
          const k = elementKinds[code] as ElementKind;
          const native = new k.Native(1) as Float64Array;
          native[0] = v as number;
          k.scratch[0] = v as number;
          expect(Object.is(k.scratch[0], native[0])).toBe(true);
        },
      ),
    );
  });
});

describe("relativeIndex", () => {
  it("clamps as TypedArray.prototype.slice converts its start and end", () => {
    const arb = fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: -30, max: 30 }),
      fc.double(),
      fc.constantFrom(-0, Number.NaN, Infinity, -Infinity, "3", "-2", null, true),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), arb, arb, (len, a, b) => {
        const native = Int8Array.from({ length: len }, (_, i) => i);
        const got = native.subarray(
          relativeIndex(a, len, 0),
          Math.max(relativeIndex(b, len, len), relativeIndex(a, len, 0)),
        );
        expect([...got]).toEqual([...(native.slice as (a: unknown, b: unknown) => Int8Array)(a, b)]);
      }),
    );
  });

  it("throws TypeError for a bigint or a symbol, as ToNumber does", () => {
    expect(() => relativeIndex(1n, 5, 0)).toThrow(TypeError);
    expect(() => toIntegerOrInfinity(Symbol("s"))).toThrow(TypeError);
    expect(Object.is(toIntegerOrInfinity(-0.5), 0)).toBe(true);
  });
});
