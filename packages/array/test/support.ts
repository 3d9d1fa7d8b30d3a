/**
 * Shared helpers of the array tests: the eleven kinds with their native
 * constructors, value arbitraries that hit every conversion edge, exact
 * comparisons (NaN and -0 included) and printing that replays.
 */

import {
  CowBigInt64Array,
  CowBigUint64Array,
  type CowElements,
  CowFloat32Array,
  CowFloat64Array,
  CowInt8Array,
  CowInt16Array,
  CowInt32Array,
  CowUint8Array,
  CowUint8ClampedArray,
  CowUint16Array,
  CowUint32Array,
  type NativeTypedArray,
} from "@pagefork/array";
import type { FramePool } from "@pagefork/core";
import fc from "fast-check";
import { expect } from "vitest";
import { type Pressure, pressure } from "./pressure.js";

export type Scalar = number | bigint;
// biome-ignore lint/suspicious/noExplicitAny: arrays and vectors of either element type
export type AnyCow = CowElements<any>;

/** A kind: its COW class, its native constructor, and whether elements are bigints. */
export interface Kind {
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: the eleven classes differ in element type
  readonly Cow: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  readonly Native: any;
  readonly bigint: boolean;
}

const RAW_KINDS: readonly Kind[] = [
  { name: "Int8", Cow: CowInt8Array, Native: Int8Array, bigint: false },
  { name: "Uint8", Cow: CowUint8Array, Native: Uint8Array, bigint: false },
  { name: "Uint8Clamped", Cow: CowUint8ClampedArray, Native: Uint8ClampedArray, bigint: false },
  { name: "Int16", Cow: CowInt16Array, Native: Int16Array, bigint: false },
  { name: "Uint16", Cow: CowUint16Array, Native: Uint16Array, bigint: false },
  { name: "Int32", Cow: CowInt32Array, Native: Int32Array, bigint: false },
  { name: "Uint32", Cow: CowUint32Array, Native: Uint32Array, bigint: false },
  { name: "Float32", Cow: CowFloat32Array, Native: Float32Array, bigint: false },
  { name: "Float64", Cow: CowFloat64Array, Native: Float64Array, bigint: false },
  { name: "BigInt64", Cow: CowBigInt64Array, Native: BigInt64Array, bigint: true },
  { name: "BigUint64", Cow: CowBigUint64Array, Native: BigUint64Array, bigint: true },
];

/** The kinds, printed by fast-check as their names. */
export const KINDS: readonly Kind[] = RAW_KINDS.map((k) => ({ ...k, [fc.toStringMethod]: () => k.name }));

/** Numbers that exercise every number conversion: wrapping, clamping (half to even), rounding, NaN, -0, infinities. */
const EDGE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  2.5,
  -0.5,
  -1.5,
  127,
  128,
  255,
  255.5,
  256,
  -129,
  32767,
  32768,
  65535,
  65536,
  2 ** 31,
  2 ** 32,
  -(2 ** 31) - 1,
  2 ** 53,
  0.1,
  1e-45,
  3.4028235e38,
  3.5e38,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
];
const EDGE_BIGINTS = [
  0n,
  1n,
  -1n,
  2n ** 63n - 1n,
  2n ** 63n,
  -(2n ** 63n),
  2n ** 64n - 1n,
  2n ** 64n,
  -(2n ** 64n) - 3n,
];

/** A value of the kind's family, with its edges. */
export function valueArb(kind: Kind): fc.Arbitrary<Scalar> {
  if (kind.bigint)
    return fc.oneof(
      fc.constant(0n), // zero fills are a separate path (whole pages go back to the zero frame)
      fc.constantFrom(...EDGE_BIGINTS),
      fc.bigInt({ min: -(2n ** 66n), max: 2n ** 66n }),
      fc.bigInt(-3n, 3n),
    );
  return fc.oneof(
    fc.constant(0),
    fc.constantFrom(...EDGE_NUMBERS),
    fc.double(),
    fc.integer({ min: -300, max: 300 }),
    fc.integer({ min: -3, max: 3 }),
  );
}

/** An index argument: in range, negative, past the end, fractional, NaN, infinite. */
export const indexArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -5, max: 600 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0.5, 1.7, -1.5, Number.NaN, Infinity, -Infinity, 2 ** 32, -(2 ** 32)) },
);

/** An optional relative index argument (undefined included). */
export const relArb = fc.option(
  fc.oneof(fc.integer({ min: -700, max: 700 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0.5, -0.5)),
  {
    nil: undefined,
  },
);

/** Prints a value so that it reads back (-0, NaN, bigint, arrays). */
export function lit(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (Object.is(v, -0)) return "-0";
  if (typeof v === "number") return String(v);
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `[${v.map(lit).join(", ")}]`;
  if (ArrayBuffer.isView(v))
    return `${v.constructor.name}.of(${Array.from(v as unknown as ArrayLike<unknown>, lit).join(", ")})`;
  if (typeof v === "object") return Object.prototype.toString.call(v);
  return String(v);
}

/** Element-by-element equality with Object.is (NaN equals NaN, -0 differs from +0), with a useful message. */
export function expectSameElements(actual: ArrayLike<unknown>, expected: ArrayLike<unknown>, what = "elements"): void {
  if (actual.length !== expected.length) expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]))
      expect.fail(`${what}[${i}]: got ${lit(actual[i])}, expected ${lit(expected[i])}`);
  }
}

/** Scalar equality with Object.is. */
export function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (!Object.is(actual, expected)) expect.fail(`${what}: got ${lit(actual)}, expected ${lit(expected)}`);
}

/** The contents of a COW array read three ways (bulk copy, iteration, get), each compared to `model`. */
export function expectContents(cow: AnyCow, model: NativeTypedArray | readonly Scalar[], what = "contents"): void {
  const m = Array.from(model as ArrayLike<Scalar>);
  expectSameElements(Array.from(cow.toTypedArray() as ArrayLike<Scalar>), m, `${what} (toTypedArray)`);
  expectSameElements([...(cow as Iterable<Scalar>)], m, `${what} (iteration)`);
  expect(cow.length).toBe(m.length);
  for (let i = 0; i < m.length; i += Math.max(1, Math.floor(m.length / 17)))
    expectSame(cow.get(i), m[i], `${what}.get(${i})`);
}

/**
 * Runs `f` on the real array and `g` on the model. When the model throws, the
 * real one must throw the same error class; otherwise results must be the same.
 * Returns the model's result or error, for callers that check more.
 */
export function both<T>(f: () => T, g: () => T, what: string): { ok: true; real: T; model: T } | { ok: false } {
  if (pressure !== null) return bothUnderPressure(pressure, f, g, what);
  let modelResult: T;
  try {
    modelResult = g();
  } catch (e) {
    const ctor = (e as Error).constructor as new (...args: never[]) => Error;
    expect(f, `${what}: model threw ${(e as Error).name}`).toThrow(ctor);
    return { ok: false };
  }
  const real = f();
  return { ok: true, real, model: modelResult };
}

/**
 * `both` while memory pressure is on (pressure.ts): the real call first; a
 * refusal must change nothing (checked by `attempt`) and skips the model;
 * another error must be the model's too; a result is compared as usual.
 */
function bothUnderPressure<T>(
  p: Pressure,
  f: () => T,
  g: () => T,
  what: string,
): { ok: true; real: T; model: T } | { ok: false } {
  const res = p.attempt(f, what);
  if (res.ok) {
    const model = g();
    p.sync();
    return { ok: true, real: res.value, model };
  }
  p.sync();
  if (res.error === null) return { ok: false }; // refused, nothing changed
  let modelError: unknown = null;
  try {
    g();
  } catch (m) {
    modelError = m;
  }
  if (modelError === null) throw res.error; // the real call threw where the model did not
  expect(res.error, `${what}: model threw ${(modelError as Error).name}`).toBeInstanceOf(
    (modelError as Error).constructor as new (
      ...args: never[]
    ) => Error,
  );
  return { ok: false };
}

/**
 * The slot of the `v`-th live version (modulo their number) in a model
 * test's list of versions (`null`: released), or -1 when none is live: how a
 * command's version number picks its target however many were released.
 */
export function liveSlot(slots: readonly unknown[], v: number): number {
  const ks = slots.flatMap((a, k) => (a === null ? [] : [k]));
  return ks.length === 0 ? -1 : (ks[v % ks.length] as number);
}

/** Frames and page-table nodes in use in a pool. */
export function poolUse(pool: FramePool): { frames: number; nodes: number } {
  const s = pool.stats();
  return { frames: s.framesInUse, nodes: s.pageTableNodes };
}

/**
 * A macrotask turn (setImmediate): awaited before each run of a long
 * property, so the event loop, and with it vitest's worker RPC (which times
 * out after 60 s of a blocked loop), gets a turn between runs.
 */
export function turn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
