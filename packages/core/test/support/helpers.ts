/**
 * Shared helpers of the core test suite. Everything here is independent of the
 * code under test: expected values come from plain Uint8Arrays and DataViews.
 *
 * The helpers also make the `toString()` of model commands replayable: a failing
 * command sequence prints calls such as `s1.write(4093, bytes(7, 300))` or
 * `spanWrite(s0, Float64Array, 8, 40, 3)`, which run as they are once these
 * helpers are imported.
 */
import { expect } from "vitest";
import type { AddressSpace, FramePool, SpanArrayConstructor } from "../../src/index.js";

/** The ten element types of the typed accessors, with the DataView method suffix. */
export const TYPES = [
  { name: "Int8", width: 1 },
  { name: "Uint8", width: 1 },
  { name: "Int16", width: 2 },
  { name: "Uint16", width: 2 },
  { name: "Int32", width: 4 },
  { name: "Uint32", width: 4 },
  { name: "Float32", width: 4 },
  { name: "Float64", width: 8 },
  { name: "BigInt64", width: 8 },
  { name: "BigUint64", width: 8 },
] as const;

export type TypeName = (typeof TYPES)[number]["name"];
export type Scalar = number | bigint;

/** Calls `space.set<name>(addr, value)` without a cast at every call site. */
export function typedSet(space: AddressSpace, name: TypeName, addr: number, value: Scalar): void {
  (space as unknown as Record<string, (a: number, v: Scalar) => void>)[`set${name}`]!(addr, value);
}

/** Calls `space.get<name>(addr)`. */
export function typedGet(space: AddressSpace, name: TypeName, addr: number): Scalar {
  return (space as unknown as Record<string, (a: number) => Scalar>)[`get${name}`]!(addr);
}

/** `DataView.prototype.set<name>(index, value, littleEndian = true)` on a model. */
export function modelSet(dv: DataView, name: TypeName, index: number, value: Scalar): void {
  (dv as unknown as Record<string, (i: number, v: Scalar, le: boolean) => void>)[`set${name}`]!(index, value, true);
}

/** `DataView.prototype.get<name>(index, littleEndian = true)` on a model. */
export function modelGet(dv: DataView, name: TypeName, index: number): Scalar {
  return (dv as unknown as Record<string, (i: number, le: boolean) => Scalar>)[`get${name}`]!(index, true);
}

/** The DataView type name of a span constructor (Uint8Clamped reads as Uint8). */
export function spanTypeName(type: SpanArrayConstructor): TypeName {
  const n = type.name.replace(/Array$/, "");
  return (n === "Uint8Clamped" ? "Uint8" : n) as TypeName;
}

/** Prints a value so that it reads back as the same value (-0, NaN, bigint). */
export function lit(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (Object.is(v, -0)) return "-0";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return String(v);
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  try {
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** Deterministic pseudo-random bytes (xorshift32). Seed 0 gives all zeros (a write of zeros). */
export function bytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  if (seed === 0) return out;
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** The same bytes as `u8`, inside a larger buffer at byte offset 3 (a view with byteOffset != 0). */
export function sub(u8: Uint8Array): Uint8Array {
  const big = new Uint8Array(u8.length + 7);
  big.set(u8, 3);
  return big.subarray(3, 3 + u8.length);
}

/** A DataView over a copy of `u8` at byte offset 5. */
export function dv(u8: Uint8Array): DataView {
  const big = new Uint8Array(u8.length + 9);
  big.set(u8, 5);
  return new DataView(big.buffer, 5, u8.length);
}

/** Bytes of any view, as a Uint8Array over the same memory. */
export function asU8(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

const SPECIAL_F64 = [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, -1.5];

/**
 * The k-th value written by a span-write command of type `name` and seed `seed`:
 * deterministic, covering NaN, -0 and infinities for floats and full-width
 * patterns for integers.
 */
export function spanValue(name: TypeName, seed: number, k: number): Scalar {
  const r = bytes(seed * 7919 + k + 1, 8);
  const view = new DataView(r.buffer);
  switch (name) {
    case "Float32":
    case "Float64": {
      if ((seed + k) % 5 === 0) return SPECIAL_F64[(seed + k) % SPECIAL_F64.length]!;
      const f = view.getFloat64(0, true);
      return Number.isNaN(f) ? Number.NaN : f;
    }
    case "BigInt64":
      return view.getBigInt64(0, true);
    case "BigUint64":
      return view.getBigUint64(0, true);
    default:
      // Out-of-range and fractional values exercise the ToIntN conversions.
      return (seed + k) % 3 === 0 ? view.getInt32(0, true) * 3.25 : view.getInt32(0, true);
  }
}

/**
 * Writes `count` elements of `type` at `byteOffset` through a write-mode span
 * cursor, element k getting `spanValue(name, seed, k)`. Returns how many
 * slices (pages) the cursor handed out.
 */
export function spanWrite(
  space: AddressSpace,
  type: SpanArrayConstructor,
  byteOffset: number,
  count: number,
  seed: number,
): number {
  const name = spanTypeName(type);
  let k = 0;
  let slices = 0;
  for (const c = space.spans(type, byteOffset, count, "write"); c.next(); ) {
    slices++;
    expect(c.address).toBe(byteOffset + k * type.BYTES_PER_ELEMENT);
    const a = c.array as unknown as Record<number, Scalar>;
    for (let i = c.start; i < c.end; i++) a[i] = spanValue(name, seed, k++);
  }
  expect(k).toBe(count);
  return slices;
}

/** Reads `count` elements of `type` at `byteOffset` through a read-mode span cursor. */
export function spanRead(space: AddressSpace, type: SpanArrayConstructor, byteOffset: number, count: number): Scalar[] {
  const out: Scalar[] = [];
  for (const c = space.spans(type, byteOffset, count, "read"); c.next(); ) {
    expect(c.address).toBe(byteOffset + out.length * type.BYTES_PER_ELEMENT);
    const a = c.array as unknown as Record<number, Scalar>;
    for (let i = c.start; i < c.end; i++) out.push(a[i]!);
  }
  return out;
}

/** Same value, with NaN equal to NaN and -0 distinct from 0 (bit-pattern equality for numbers). */
export function sameValue(a: Scalar, b: Scalar): boolean {
  return Object.is(a, b);
}

/** First index where two byte arrays differ, or -1. */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  if (Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))) return -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Everything observable about a pool and some spaces, for "a refused call changes nothing". */
export function observe(pool: FramePool, spaces: readonly AddressSpace[]): unknown {
  return {
    pool: pool.stats(),
    spaces: spaces.map((s) =>
      s.released
        ? { released: true }
        : { stats: s.stats(), bytes: Array.from(s.read(0, new Uint8Array(Math.min(s.size, 1 << 16)))) },
    ),
  };
}

/**
 * Runs `fn`, expects it to throw an instance of `errorClass`, and expects the
 * pool and every given space to be exactly as before (stats and bytes).
 */
export function expectRefused(
  pool: FramePool,
  spaces: readonly AddressSpace[],
  errorClass: abstract new (...args: never[]) => Error,
  fn: () => unknown,
  label = "",
): Error {
  const before = observe(pool, spaces);
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${label}: expected ${errorClass.name}`).toBeInstanceOf(errorClass);
  expect(observe(pool, spaces), `${label}: state changed by a refused call`).toEqual(before);
  return thrown as Error;
}
