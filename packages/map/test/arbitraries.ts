/**
 * Keys and values for the property tests, drawn to collide: NaN and its
 * other bit patterns, -0 and +0, "1" against 1 and 1n, empty and long
 * strings, strings that fit or miss the inline value slot, lone surrogates.
 */
import fc from "fast-check";
import { expect } from "vitest";

/** A NaN with a payload other than the canonical one (SameValueZero still makes it NaN). */
const otherNaN = new Float64Array(new Uint32Array([1, 0x7ff00000]).buffer)[0] as number;

/** Keys from a small domain, so that sets, deletes and lookups hit each other. */
export const keyArb: fc.Arbitrary<string | number | bigint | boolean | null | undefined> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<string | number | bigint | boolean | null | undefined>(
      Number.NaN,
      otherNaN,
      0,
      -0,
      1,
      -1,
      1.5,
      2 ** 53,
      -(2 ** 31),
      Number.POSITIVE_INFINITY,
      "1",
      "",
      "0",
      "NaN",
      "-0",
      "true",
      "null",
      1n,
      0n,
      -1n,
      2n ** 70n,
      -(2n ** 64n),
      true,
      false,
      null,
      undefined,
      "é",
      "😀",
      "\ud800",
      "\udfff\ud800",
      "a".repeat(300),
      `${"a".repeat(299)}b`,
      "日本語のキー",
      // Around int64 and the inline limits (8 one-byte, 4 two-byte code units), one-byte against two-byte.
      2n ** 63n - 1n,
      2n ** 63n,
      -(2n ** 63n),
      -(2n ** 63n) - 1n,
      2n ** 64n - 1n,
      "\u00ff",
      "\u0100",
      "abcdefgh",
      "abcdefghi",
      "\u00ffbcdefgh",
      "\u0100bcd",
      "\u0100bcde",
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
    ),
  },
  { weight: 3, arbitrary: fc.integer({ min: -4, max: 12 }) },
  { weight: 3, arbitrary: fc.string({ maxLength: 3, unit: fc.constantFrom("a", "b", "1", "é", "€", "😀", "\ud800") }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -3n, max: 3n }) },
);

/** Values: every inline kind, strings on both sides of the inline limits, and objects for the codec. */
export const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, Number.NaN, 1, -1, undefined, null, true, false) },
  { weight: 3, arbitrary: fc.string({ maxLength: 12, unit: fc.constantFrom("a", "b", "é", "€", "😀", "\ud800") }) },
  { weight: 1, arbitrary: fc.string({ minLength: 100, maxLength: 400 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ id: fc.integer(), tags: fc.array(fc.string(), { maxLength: 3 }), neg: fc.constantFrom(0, -0) }),
      fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant(null)), { maxLength: 5 }),
      fc.constantFrom(
        new Map<unknown, unknown>([
          [1, "a"],
          ["1", { b: 2 }],
        ]),
        new Set([1, "1", 1n]),
        new Date(12345),
      ),
    ),
  },
);

/** A key or value as a test name shows it: bigints with `n`, strings quoted, -0, objects by their tag. */
export const show = (x: unknown): string =>
  typeof x === "bigint"
    ? `${x}n`
    : typeof x === "string"
      ? JSON.stringify(x)
      : Object.is(x, -0)
        ? "-0"
        : typeof x === "object" && x !== null
          ? `<${Object.prototype.toString.call(x)}>`
          : String(x);

/** Same value as a Map would hand back: Object.is for primitives, structural for copies of objects. */
export function expectSame(actual: unknown, expected: unknown): void {
  if (typeof expected === "object" && expected !== null) expect(actual).toEqual(expected);
  else expect(Object.is(actual, expected), `${show(actual)} vs ${show(expected)}`).toBe(true);
}

/** Strict structural equality of a stored copy `got` with `want` (a structuredClone), as a reason or "". */
export function differ(got: unknown, want: unknown, pairs = new Map<object, object>(), at = "v"): string {
  if (typeof got !== typeof want) return `${at}: type ${typeof got} vs ${typeof want}`;
  if (typeof want !== "object" || want === null || got === null) {
    return Object.is(got, want) ? "" : `${at}: ${String(got)} vs ${String(want)}`;
  }
  const g = got as object;
  const w = want as object;
  const seen = pairs.get(w);
  if (seen !== undefined) return seen === g ? "" : `${at}: aliasing differs`;
  pairs.set(w, g);
  if (Object.getPrototypeOf(g) !== Object.getPrototypeOf(w)) return `${at}: prototype differs`;
  if (ArrayBuffer.isView(w)) {
    const gv = g as ArrayBufferView;
    if (gv.byteLength !== w.byteLength) return `${at}: byteLength`;
    const gb = new Uint8Array(gv.buffer, gv.byteOffset, gv.byteLength);
    const wb = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
    return gb.every((b, i) => b === wb[i]) ? "" : `${at}: bytes differ`;
  }
  if (w instanceof ArrayBuffer) {
    const gb = new Uint8Array(g as ArrayBuffer);
    const wb = new Uint8Array(w);
    return gb.length === wb.length && gb.every((b, i) => b === wb[i]) ? "" : `${at}: buffer bytes differ`;
  }
  if (w instanceof Date) return Object.is((g as Date).getTime(), w.getTime()) ? "" : `${at}: date`;
  if (w instanceof RegExp) {
    const r = g as RegExp;
    return r.source === w.source && r.flags === w.flags && r.lastIndex === w.lastIndex ? "" : `${at}: regexp`;
  }
  if (w instanceof Number || w instanceof String || w instanceof Boolean || w instanceof BigInt) {
    return Object.is(g.valueOf(), w.valueOf()) ? "" : `${at}: boxed ${String(g.valueOf())} vs ${String(w.valueOf())}`;
  }
  if (w instanceof Error) {
    const e = g as Error;
    if (e.name !== w.name || e.message !== w.message) return `${at}: error ${e.name}/${e.message}`;
    if ("cause" in e !== "cause" in w) return `${at}: cause presence`;
    if ("cause" in w) return differ(e.cause, w.cause, pairs, `${at}.cause`);
    return "";
  }
  if (w instanceof Map) {
    const ge = [...(g as Map<unknown, unknown>)];
    const we = [...w];
    if (ge.length !== we.length) return `${at}: map size`;
    for (let i = 0; i < we.length; i++) {
      const r =
        differ(ge[i]?.[0], we[i]?.[0], pairs, `${at}<key ${i}>`) ||
        differ(ge[i]?.[1], we[i]?.[1], pairs, `${at}<value ${i}>`);
      if (r) return r;
    }
    return "";
  }
  if (w instanceof Set) {
    const ge = [...(g as Set<unknown>)];
    const we = [...w];
    if (ge.length !== we.length) return `${at}: set size`;
    for (let i = 0; i < we.length; i++) {
      const r = differ(ge[i], we[i], pairs, `${at}<element ${i}>`);
      if (r) return r;
    }
    return "";
  }
  if (Array.isArray(w) && (g as unknown[]).length !== w.length) return `${at}: length`;
  const gk = Reflect.ownKeys(g).filter((k) => k !== "length" || !Array.isArray(w));
  const wk = Reflect.ownKeys(w).filter((k) => k !== "length" || !Array.isArray(w));
  if (gk.length !== wk.length || gk.some((k, i) => k !== wk[i]))
    return `${at}: keys ${gk.map(String).join(",")} vs ${wk.map(String).join(",")}`;
  for (const k of wk) {
    const r = differ(
      (g as Record<PropertyKey, unknown>)[k],
      (w as Record<PropertyKey, unknown>)[k],
      pairs,
      `${at}.${String(k)}`,
    );
    if (r) return r;
  }
  return "";
}
