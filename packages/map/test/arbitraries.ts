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
