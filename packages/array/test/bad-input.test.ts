/**
 * Bad input: out-of-range indices behave as the native ones (reads give
 * undefined, writes are ignored); invalid lengths, offsets and kinds throw
 * the native error types; released arrays throw ReleasedError; a write the
 * pool's limit cannot cover throws OutOfMemoryError. Every refused call is
 * checked to change nothing: contents, the space's counters and the pool's.
 */
import {
  CowBigInt64Array,
  type CowElements,
  CowFloat64Array,
  CowInt8Array,
  CowUint8ClampedArray,
  CowVector,
} from "@pagefork/array";
import { FramePool, InvalidArgumentError, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import { describe, expect, it } from "vitest";
import { KINDS } from "./support.js";

// biome-ignore lint/suspicious/noExplicitAny: vitest's toThrow takes any constructor
type ErrorClass = new (...args: any[]) => Error;

/** Everything a refused call must leave as it was. */
function snapshot(a: CowElements<number> | CowElements<bigint>) {
  // Peaks are high-water marks, not state: a refused call may have raised them.
  const { peakBytesInUse, peakCommittedBytes, ...pool } = a.space.pool.stats() as unknown as Record<string, number>;
  return {
    contents: Array.from(a.toTypedArray() as ArrayLike<unknown>).map(String),
    length: a.length,
    space: a.space.stats(),
    pool,
  };
}

function expectRefused(a: CowElements<number> | CowElements<bigint>, call: () => unknown, type: ErrorClass): void {
  const before = snapshot(a);
  expect(call).toThrow(type);
  const after = snapshot(a);
  expect(after.contents).toEqual(before.contents);
  expect(after.space).toEqual(before.space);
  expect(after.pool).toEqual(before.pool);
  expect(after).toEqual(before);
}

/** A call that must neither throw nor change anything (an out-of-range write). */
function expectIgnored(a: CowElements<number> | CowElements<bigint>, call: () => unknown): void {
  const before = snapshot(a);
  expect(call).not.toThrow();
  expect(snapshot(a)).toEqual(before);
}

describe("out-of-range indices behave as native", () => {
  it("reads give undefined and writes are ignored, for every kind", () => {
    for (const k of KINDS) {
      const a = new k.Cow(4);
      const n = new k.Native(4);
      const one = k.bigint ? 1n : 1;
      for (const i of [-1, 4, 5, 1.5, -0.5, Number.NaN, Infinity, -Infinity, 2 ** 32, -(2 ** 32), 2 ** 53]) {
        expect(a.get(i)).toBe(n[i]);
        expect(a.get(i)).toBeUndefined();
        expectIgnored(a, () => a.set(i, one));
      }
      expect(Array.from(a.toTypedArray())).toEqual(Array.from(n));
      a.set(-0, one); // -0 is index 0, as a[-0] is
      n[-0] = one;
      expect(a.get(0)).toBe(n[0]);
      expect(a.at(-1)).toBe(n.at(-1));
      expect(a.at(4)).toBeUndefined();
      a.release();
    }
  });
});

describe("invalid lengths, offsets and values throw native error types", () => {
  it("constructor lengths follow ToIndex: RangeError for negative, infinite or huge", () => {
    for (const bad of [-1, -0.5 - 1, Infinity, -Infinity, 2 ** 53, 1e300])
      expect(() => new CowFloat64Array(bad)).toThrow(RangeError);
    expect(() => new CowFloat64Array(-1)).toThrow(/Invalid typed array length: -1/);
    for (const t of [Symbol("n"), 1n]) expect(() => new CowFloat64Array(t as never)).toThrow(TypeError);
    // ToIndex truncates, and NaN / undefined / null are 0, as natively.
    for (const [arg, len] of [
      [1.7, 1],
      [Number.NaN, 0],
      [undefined, 0],
      [null, 0],
      ["3", 3],
      [true, 1],
    ] as const) {
      const a = new CowFloat64Array(arg as never);
      expect(a.length).toBe(new Float64Array(arg as never).length);
      expect(a.length).toBe(len);
      a.release();
    }
  });

  it("refuses an ArrayBuffer, invalid options and a mixed BigInt source with clear errors", () => {
    expect(() => new CowFloat64Array(new ArrayBuffer(8) as never)).toThrow(/cannot view an ArrayBuffer/);
    expect(() => new CowFloat64Array(4, { pageSize: 1000 })).toThrow(InvalidArgumentError);
    expect(() => new CowFloat64Array(4, { pool: {} as never })).toThrow(InvalidArgumentError);
    expect(() => new CowFloat64Array(4, 7 as never)).toThrow(InvalidArgumentError);
    const pool = new FramePool({ pageSize: 256 });
    expect(() => new CowFloat64Array(4, { pool, pageSize: 512 })).toThrow(InvalidArgumentError);
    expect(() => new CowFloat64Array(new BigInt64Array(2) as never)).toThrow(TypeError);
    expect(() => new CowBigInt64Array([1, 2] as never)).toThrow(TypeError);
    expect(() => CowFloat64Array.from([1], 5 as never)).toThrow(TypeError);
    expect(() => new CowVector(Array as never)).toThrow(TypeError);
    expect(() => new CowVector(DataView as never)).toThrow(/invalid element kind/);
    expect(() => new CowVector(Float64Array, { maxLength: 0 })).toThrow(InvalidArgumentError);
    expect(() => new CowVector(Float64Array, { maxLength: 4, capacity: 5 })).toThrow(InvalidArgumentError);
    expect(pool.framesInUse).toBe(0);
  });

  it("BigInt and Number do not mix, exactly as natively", () => {
    const f = CowFloat64Array.of(1, 2);
    const b = CowBigInt64Array.of(1n, 2n);
    expectRefused(f, () => f.set(0, 1n as never), TypeError);
    expectRefused(f, () => f.fill(1n as never), TypeError);
    expectRefused(f, () => f.set([1n] as never), TypeError);
    expectRefused(f, () => f.set(new BigInt64Array(1) as never), TypeError);
    expectRefused(f, () => f.set(b as never), TypeError);
    expectRefused(f, () => f.with(0, 1n as never), TypeError);
    expectRefused(b, () => b.set(0, 1 as never), TypeError);
    expectRefused(b, () => b.fill(1 as never), TypeError);
    expectRefused(b, () => b.set([1] as never), TypeError);
    expectRefused(b, () => b.map(() => 1 as never), TypeError);
    expectRefused(f, () => f.set(0, Symbol() as never), TypeError);
    // ToBigInt of strings and booleans is allowed natively, and a malformed string is a SyntaxError.
    b.set(0, "5" as never);
    b.set(1, true as never);
    expect(b.join()).toBe("5,1");
    expectRefused(b, () => b.set(0, "x" as never), SyntaxError);
    f.release();
    b.release();
  });

  it("set(source, offset) throws RangeError for a negative offset or a source that does not fit, and writes nothing", () => {
    const a = CowInt8Array.of(1, 2, 3);
    expectRefused(a, () => a.set([1, 2], -1), RangeError);
    expectRefused(a, () => a.set([1, 2], 2), RangeError);
    expectRefused(a, () => a.set([1, 2], Infinity), RangeError);
    expectRefused(a, () => a.set(new Int8Array(4)), RangeError);
    expectRefused(a, () => a.set(null as never), TypeError);
    // A source that fails half way (a symbol after two good values) changes nothing either.
    expectRefused(a, () => a.set([7, 8, Symbol()] as never), TypeError);
    expectIgnored(a, () => a.set([]));
    a.release();
  });

  it("with, sort and the callback methods refuse as natively", () => {
    const a = CowUint8ClampedArray.of(1, 2, 3);
    expectRefused(a, () => a.with(3, 0), RangeError);
    expectRefused(a, () => a.with(-4, 0), RangeError);
    expect(() => a.with(3, 0)).toThrow(/Invalid typed array index/);
    expectRefused(a, () => a.sort(5 as never), TypeError);
    expectRefused(a, () => a.toSorted("x" as never), TypeError);
    for (const m of [
      "map",
      "filter",
      "forEach",
      "every",
      "some",
      "find",
      "findIndex",
      "findLast",
      "findLastIndex",
      "reduce",
      "reduceRight",
    ] as const)
      expectRefused(a, () => (a[m] as (f: unknown) => unknown)(undefined), TypeError);
    const e = new CowUint8ClampedArray(0);
    expect(() => e.reduce((x) => x)).toThrow(TypeError);
    expect(() => e.reduceRight((x) => x)).toThrow(/Reduce of empty array with no initial value/);
    expect(e.reduce((x) => x, 7)).toBe(7);
    expect(() => a.get("1" as never)).toThrow(TypeError);
    a.set("9" as never); // a string first argument is the bulk form, as natively: "9" is a source of one element
    expect(a.join()).toBe("9,2,3");
    a.release();
    e.release();
  });

  it("CowVector positions are strict: InvalidArgumentError, and the vector is unchanged", () => {
    const v = CowVector.of(Float64Array, 1, 2, 3);
    for (const bad of [-1, 4, 1.5, Number.NaN, "1", undefined]) {
      expectRefused(v, () => v.insert(bad as never, 9), InvalidArgumentError);
      expectRefused(v, () => v.removeRange(bad as never, 3), InvalidArgumentError);
      expectRefused(v, () => v.resize(bad === 4 ? -2 : (bad as never)), InvalidArgumentError);
    }
    expectRefused(v, () => v.removeRange(2, 1), InvalidArgumentError);
    expectRefused(v, () => v.swapRemove(3), InvalidArgumentError);
    const small = new CowVector(Float64Array, { maxLength: 4 });
    small.push(1, 2, 3);
    expectRefused(small, () => small.push(4, 5), RangeError);
    expectRefused(small, () => small.insert(0, 4, 5), RangeError);
    expectRefused(small, () => small.splice(0, 0, 4, 5), RangeError);
    expectRefused(small, () => small.extend([4, 5]), RangeError);
    expectRefused(small, () => small.reserve(5), InvalidArgumentError);
    v.release();
    small.release();
  });
});

describe("released arrays throw ReleasedError", () => {
  it("for every method and accessor, while views over the same space stay usable", () => {
    const a = CowFloat64Array.of(1, 2, 3, 4);
    const sub = a.subarray(1, 3);
    a.release();
    a.release(); // idempotent
    expect(a.released).toBe(true);
    expect(sub.join()).toBe("2,3"); // the space lives while a view does
    const calls: (() => unknown)[] = [
      () => a.length,
      () => a.get(0),
      () => a.get(10),
      () => a.set(0, 1),
      () => a.set(10, 1),
      () => a.set([1]),
      () => a.at(0),
      () => a.fill(0),
      () => a.copyWithin(0, 1),
      () => a.indexOf(1),
      () => a.lastIndexOf(1),
      () => a.includes(1),
      () => a.find(() => true),
      () => a.forEach(() => {}),
      () => a.map((x) => x),
      () => a.filter(() => true),
      () => a.reduce((x, y) => x + y),
      () => a.join(),
      () => a.reverse(),
      () => a.sort(),
      () => a.toSorted(),
      () => a.with(0, 1),
      () => a.slice(),
      () => a.subarray(),
      () => a.values(),
      () => a.keys(),
      () => a.entries(),
      () => [...a],
      () => a.toTypedArray(),
      () => a.fork(),
      () => a.stats(),
    ];
    for (const c of calls) expect(c).toThrow(ReleasedError);
    // An iterator made before the release throws at its next step.
    const it = sub.values();
    it.next();
    sub.release();
    expect(() => it.next()).toThrow(ReleasedError);
    expect(a.space.released).toBe(true);
    const v = CowVector.of(Int8Array, 1);
    v.release();
    for (const c of [() => v.push(1), () => v.pop(), () => v.insert(0, 1), () => v.capacity, () => v.reserve(1)])
      expect(c).toThrow(ReleasedError);
  });
});

describe("a write the pool's limit cannot cover is refused before it changes anything", () => {
  it("fill, set, copyWithin, sort, reverse, map, slice and vector growth", () => {
    const pool = new FramePool({ pageSize: 256, maxBytes: 12 * 256 });
    const a = new CowFloat64Array(1024, { pool }); // 32 pages
    a.fill(1.5, 0, 96); // 3 pages
    const b = a.fork(); // every written page now shared
    const big = Float64Array.from({ length: 1024 }, (_, i) => i);
    expectRefused(b, () => b.fill(2), OutOfMemoryError);
    expectRefused(b, () => b.fill(2.5, 0, 1024), OutOfMemoryError);
    expectRefused(b, () => b.set(big), OutOfMemoryError);
    expectRefused(b, () => b.set(Array.from(big)), OutOfMemoryError);
    expectRefused(b, () => b.set(new Float32Array(big)), OutOfMemoryError);
    expectRefused(b, () => b.copyWithin(96, 0), OutOfMemoryError);
    expectRefused(a, () => a.map((x, i) => x + i), OutOfMemoryError);
    b.set(big.subarray(0, 200)); // 7 pages: 3 copies + 4 zero-fills; 10 of 12 frames in use
    expectRefused(b, () => b.reverse(), OutOfMemoryError);
    expectRefused(b, () => b.sort((x, y) => x - y), OutOfMemoryError); // moves 0..199 to the zero pages at the end
    const frames = pool.framesInUse;
    b.sort((x, y) => y - x); // rewrites only pages 0-6, already private: exactly no frame needed
    expect(pool.framesInUse).toBe(frames);
    expect([b.get(0), b.get(198), b.get(199)]).toEqual([199, 1, 0]);
    expectRefused(b, () => b.slice(0, 500), OutOfMemoryError);
    a.release();
    b.release();
    expect(pool.framesInUse).toBe(0);
    const v = new CowVector(Float64Array, { pool });
    v.push(1);
    expectRefused(v, () => v.extend(big), OutOfMemoryError);
    expectRefused(v, () => v.insertFrom(0, big.subarray(0, 500)), OutOfMemoryError);
    v.release();
    expect(pool.framesInUse).toBe(0);
  });
});
