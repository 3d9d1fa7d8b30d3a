/**
 * The COW arrays in `console.log` and `JSON.stringify`: `util.inspect` of a
 * COW array must be Node's output for the native typed array of the same
 * contents with the class name in front (the oracle is Node), bounded by
 * `maxArrayLength`; `JSON.stringify` gives a plain array (BigInts as decimal
 * strings) that `from` reads back.
 */
import { inspect } from "node:util";
import { CowBigInt64Array, CowBigUint64Array, CowFloat64Array, CowInt16Array, CowVector } from "@pagefork/array";
import { FramePool, ReleasedError } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KINDS, valueArb } from "./support.js";

/** Node's output for `native`, as it must read for the COW class `name`. */
const asCow = (native: ArrayLike<unknown>, name: string, options = {}) =>
  inspect(native, options).replace(/^\w+Array/, name);

/**
 * `s` with every run of whitespace as one space: the text Node writes, without
 * where it breaks lines (Node's choice counts the length of the name in front,
 * longer by "Cow"), so exact layouts are compared only in the fixed cases.
 */
const flat = (s: string) => s.replace(/\s+/g, " ");

describe("util.inspect", () => {
  it("shows every kind as Node shows the native typed array, for any contents and maxArrayLength", () => {
    const kindAndValues = fc
      .constantFrom(...KINDS)
      .chain((kind) => fc.tuple(fc.constant(kind), fc.array(valueArb(kind), { maxLength: 40 })));
    fc.assert(
      fc.property(kindAndValues, fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }), ([kind, xs], max) => {
        const options = max === undefined ? {} : { maxArrayLength: max };
        const a = kind.Cow.from(xs);
        const native = kind.Native.from(xs);
        expect(flat(inspect(a, options))).toBe(flat(asCow(native, `Cow${kind.name}Array`, options)));
        const v = CowVector.from(kind.Native, xs);
        expect(flat(inspect(v, options))).toBe(flat(asCow(native, `CowVector<${kind.name}Array>`, options)));
        a.release();
        v.release();
      }),
    );
  });

  it("a 1M-element array prints 100 elements and the count of the rest, whatever its length", () => {
    const a = new CowFloat64Array(1_000_000);
    a.set(999_999, 3);
    a.set(1, 0.5);
    const out = inspect(a);
    const native = new Float64Array(1_000_000);
    native[1] = 0.5;
    expect(out).toBe(asCow(native, "CowFloat64Array"));
    expect(out.startsWith("CowFloat64Array(1000000) [\n")).toBe(true);
    expect(out.endsWith("  ... 999900 more items\n]")).toBe(true);
    expect(out.length).toBeLessThan(1000);
    expect(inspect(a, { maxArrayLength: 2 })).toBe("CowFloat64Array(1000000) [ 0, 0.5, ... 999998 more items ]");
    a.release();
  });

  it("the layout of common cases is Node's, line breaks included", () => {
    for (const xs of [[], [1], [1, 2, 3, 4, 5, 6, 7], Array.from({ length: 30 }, (_, i) => i * 7)]) {
      const a = CowFloat64Array.from(xs);
      expect(inspect(a)).toBe(asCow(Float64Array.from(xs), "CowFloat64Array"));
      a.release();
    }
    const b = CowBigUint64Array.of(2n ** 64n - 1n, 2n ** 64n - 1n, 0n, 0n);
    expect(inspect(b)).toBe(asCow(BigUint64Array.from([...b]), "CowBigUint64Array"));
    b.release();
  });

  it("a subarray shows its own elements; nested in objects, as Node nests a typed array", () => {
    const a = CowInt16Array.of(1, 2, 3, 4);
    expect(inspect(a.subarray(1, 3))).toBe("CowInt16Array(2) [ 2, 3 ]");
    expect(inspect({ x: { y: a } })).toBe("{ x: { y: CowInt16Array(4) [ 1, 2, 3, 4 ] } }");
    expect(inspect({ x: { y: { z: a } } })).toBe("{ x: { y: { z: [CowInt16Array(4)] } } }");
    expect(inspect({ x: { y: { z: new CowInt16Array(0) } } })).toBe("{ x: { y: { z: CowInt16Array(0) [] } } }");
    a.release();
  });

  it("never shows the space's internals; a released array says so instead of throwing", () => {
    const a = CowFloat64Array.of(1, 2);
    expect(inspect(a, { depth: 10, showHidden: true })).not.toMatch(/Slab|rPage|owner|ArrayBuffer/);
    a.release();
    expect(inspect(a)).toBe("CowFloat64Array <released>");
    const v = CowVector.of(Float64Array, 1);
    v.release();
    expect(inspect(v)).toBe("CowVector<Float64Array> <released>");
  });
});

describe("JSON.stringify", () => {
  it("writes numbers as an array that from() reads back, for every number kind", () => {
    for (const kind of KINDS.filter((k) => !k.bigint)) {
      const xs = [0, 1, 2.5, -3, 127, 300];
      const a = kind.Cow.from(xs);
      const native = kind.Native.from(xs);
      const text = JSON.stringify(a);
      expect(text, kind.name).toBe(JSON.stringify(Array.from(native)));
      const back = kind.Cow.from(JSON.parse(text));
      expect(Array.from(back), kind.name).toEqual(Array.from(native));
      a.release();
      back.release();
    }
    // NaN and the infinities become null, as in any JSON array.
    const f = CowFloat64Array.of(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e300);
    expect(JSON.stringify(f)).toBe("[null,null,0,1e+300]");
    f.release();
  });

  it("writes BigInts as decimal strings, which BigInt() reads back", () => {
    const a = CowBigInt64Array.of(-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n);
    const b = CowBigUint64Array.of(2n ** 64n - 1n, 1n);
    expect(JSON.stringify({ a, b })).toBe(
      '{"a":["-9223372036854775808","-1","0","9223372036854775807"],"b":["18446744073709551615","1"]}',
    );
    const back = CowBigInt64Array.from((JSON.parse(JSON.stringify(a)) as string[]).map(BigInt));
    expect([...back]).toEqual([...a]);
    for (const x of [a, b, back]) x.release();
  });

  it("vectors and subarrays write their own elements; a released array throws ReleasedError", () => {
    const pool = new FramePool({ pageSize: 256 });
    const v = CowVector.from(Float32Array, [1.5, 2, 3], { pool });
    expect(JSON.stringify(v)).toBe("[1.5,2,3]");
    const a = CowFloat64Array.from([1, 2, 3, 4], { pool });
    const tail = a.subarray(2);
    expect(JSON.stringify(tail)).toBe("[3,4]");
    tail.release();
    a.release();
    expect(() => JSON.stringify(a)).toThrow(ReleasedError);
    v.release();
    expect(pool.framesInUse).toBe(0);
  });
});
