/**
 * Typed-array views and drafts against a native typed array: every method of
 * `TypedArray.prototype` exists on both; the non-mutating ones give what the
 * native method gives (new arrays as native typed arrays; callbacks get the
 * view or draft as their `array` argument); on a view the mutating ones
 * throw TypeError and change nothing; on a draft they change it as the
 * native method changes the model. `subarray` of a draft is refused with a
 * TypeError (a window sharing the draft's storage would bypass its patches).
 * Before: no map, filter, toSorted, toReversed, with, subarray,
 * BYTES_PER_ELEMENT, byteLength or Symbol.toStringTag; callbacks got the
 * embedded Cow*Array; a view's fill/sort/... were undefined.
 */
import { createState, produce, t } from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const N = 6;
const S = t.struct({ f: t.float64Array(N), i: t.int16Array(N), b: t.bigInt64Array(N) });
type Key = "f" | "i" | "b";
const CTORS = { f: Float64Array, i: Int16Array, b: BigInt64Array } as const;

type Arr = Record<string, (...a: unknown[]) => unknown> & ArrayLike<unknown>;

/** A result made comparable: typed arrays as [constructor name, elements]; errors as their class. */
function norm(f: () => unknown): unknown {
  try {
    const r = f();
    if (ArrayBuffer.isView(r)) return [r.constructor.name, [...(r as unknown as Iterable<unknown>)]];
    if (r !== null && typeof r === "object" && typeof (r as Iterator<unknown>).next === "function")
      return ["iterator", [...(r as Iterable<unknown>)]];
    return r;
  } catch (e) {
    return ["throws", (e as Error).constructor.name];
  }
}

/** Calls of every non-mutating method; `self` is the array a callback receives, checked to be the receiver. */
function reads(el: (k: number) => unknown): [string, (a: Arr) => unknown][] {
  return [
    ["at(-2)", (a) => a.at(-2)],
    ["at(NaN)", (a) => a.at(Number.NaN)],
    ["at(Infinity)", (a) => a.at(Number.POSITIVE_INFINITY)],
    ["indexOf(el2)", (a) => a.indexOf(el(2))],
    ["indexOf(el2, -1)", (a) => a.indexOf(el(2), -1)],
    ["lastIndexOf(el2)", (a) => a.lastIndexOf(el(2))],
    ["lastIndexOf(el2, undefined)", (a) => a.lastIndexOf(el(2), undefined)],
    ["includes(el3, 2)", (a) => a.includes(el(3), 2)],
    ["join()", (a) => a.join()],
    ["join(undefined)", (a) => a.join(undefined)],
    ["join('-')", (a) => a.join("-")],
    ["toString()", (a) => a.toString()],
    ["toLocaleString()", (a) => a.toLocaleString()],
    ["slice(1, -1)", (a) => a.slice(1, -1)],
    ["slice(-Infinity)", (a) => a.slice(Number.NEGATIVE_INFINITY)],
    ["entries()", (a) => a.entries()],
    ["keys()", (a) => a.keys()],
    ["values()", (a) => a.values()],
    ["[Symbol.iterator]()", (a) => (a as unknown as Iterable<unknown>)[Symbol.iterator]()],
    ["toReversed()", (a) => a.toReversed()],
    ["toSorted()", (a) => a.toSorted()],
    ["toSorted(desc)", (a) => a.toSorted((x: number, y: number) => (x < y ? 1 : x > y ? -1 : 0))],
    ["toSorted(1)", (a) => a.toSorted(1)],
    ["with(-1, el0)", (a) => a.with(-1, el(0))],
    ["with(6, el0)", (a) => a.with(6, el(0))],
    ["with(0, wrong kind)", (a) => a.with(0, typeof el(0) === "bigint" ? 1 : 1n)],
    ["map(x => x)", (a) => a.map((x: unknown) => x)],
    ["map(self)", (a) => a.map((x: unknown, _k: unknown, s: unknown) => (s === a ? x : el(0)))],
    ["filter(odd index)", (a) => a.filter((_x: unknown, k: unknown) => (k as number) % 2 === 1)],
    ["filter(null)", (a) => a.filter(null)],
    ["find", (a) => a.find((x: unknown, _k: unknown, s: unknown) => s === a && x === el(3))],
    ["findIndex", (a) => a.findIndex((x: unknown, _k: unknown, s: unknown) => s === a && x === el(3))],
    ["findLast", (a) => a.findLast((x: unknown, _k: unknown, s: unknown) => s === a && x === el(3))],
    ["findLastIndex", (a) => a.findLastIndex((x: unknown, _k: unknown, s: unknown) => s === a && x === el(3))],
    ["every", (a) => a.every((_x: unknown, _k: unknown, s: unknown) => s === a)],
    ["some", (a) => a.some((_x: unknown, _k: unknown, s: unknown) => s !== a)],
    [
      "forEach",
      (a) => {
        const seen: unknown[] = [];
        a.forEach((x: unknown, k: unknown, s: unknown) => {
          seen.push([x, k, s === a]);
        });
        return seen;
      },
    ],
    [
      "reduce",
      (a) => a.reduce((acc: unknown[], x: unknown, k: unknown, s: unknown) => acc.concat([x, k, s === a]), []),
    ],
    ["reduceRight", (a) => a.reduceRight((acc: unknown[], x: unknown, k: unknown) => acc.concat([x, k]), [])],
    ["reduce no initial", (a) => a.reduce((acc: unknown, x: unknown) => (acc === x ? acc : x))],
    ["find(undefined)", (a) => a.find(undefined)],
    ["length", (a) => a.length],
    ["BYTES_PER_ELEMENT", (a) => (a as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT],
    ["byteLength", (a) => (a as unknown as { byteLength: number }).byteLength],
    ["toStringTag", (a) => Object.prototype.toString.call(a)],
  ];
}

/** Calls of every mutating method (returns are compared only as "the receiver" or their value). */
function writes(el: (k: number) => unknown): [string, (a: Arr) => unknown][] {
  const self = (a: Arr, r: unknown) => (r === a ? "self" : r);
  return [
    ["fill(el1, 1, -2)", (a) => self(a, a.fill(el(1), 1, -2))],
    ["fill(el1)", (a) => self(a, a.fill(el(1)))],
    ["copyWithin(0, 3)", (a) => self(a, a.copyWithin(0, 3))],
    ["copyWithin(-2, 0, 3)", (a) => self(a, a.copyWithin(-2, 0, 3))],
    ["sort()", (a) => self(a, a.sort())],
    [
      "sort(desc)",
      (a) =>
        self(
          a,
          a.sort((x: number, y: number) => (x < y ? 1 : x > y ? -1 : 0)),
        ),
    ],
    ["reverse()", (a) => self(a, a.reverse())],
    ["set([el0, el1], 4)", (a) => a.set([el(0), el(1)], 4)],
    ["set([el0], 6)", (a) => a.set([el(0)], 6)],
    ["set([el0], -1)", (a) => a.set([el(0)], -1)],
    ["set([el0], 1n)", (a) => a.set([el(0)], 1n)],
    ["set([el0], '1')", (a) => a.set([el(0)], "1")],
    ["set([el0], NaN)", (a) => a.set([el(0)], Number.NaN)],
  ];
}

const arb = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: N, maxLength: N });

describe("typed-array views and drafts against native typed arrays", () => {
  it("have every method of TypedArray.prototype", () => {
    const p = pool();
    const s0 = createState(S, { f: new Float64Array(N), i: new Int16Array(N), b: new BigInt64Array(N) }, { pool: p });
    const TA = Object.getPrototypeOf(Int8Array.prototype) as object;
    const names = Object.getOwnPropertyNames(TA).filter(
      (n) => n !== "constructor" && typeof Object.getOwnPropertyDescriptor(TA, n)?.value === "function",
    );
    const view = s0.root.f as unknown as Record<string, unknown>;
    const missing = (o: Record<string, unknown>) => names.filter((n) => typeof o[n] !== "function");
    expect(missing(view)).toEqual([]);
    produce(s0, (d) => {
      expect(missing(d.f as unknown as Record<string, unknown>)).toEqual([]);
    });
    s0.release();
    expect(p.framesInUse).toBe(0);
  });

  it("read as the native methods do (views and drafts)", () => {
    const p = pool();
    fc.assert(
      fc.property(arb, (xs) => {
        const init = { f: Float64Array.from(xs), i: Int16Array.from(xs), b: BigInt64Array.from(xs.map(BigInt)) };
        const s0 = createState(S, init, { pool: p });
        for (const key of ["f", "i", "b"] as Key[]) {
          const model = init[key] as unknown as Arr;
          const el = (k: number) => model[k];
          for (const [name, call] of reads(el)) {
            const want = norm(() => call(model));
            expect(
              norm(() => call(s0.root[key] as unknown as Arr)),
              `view ${key} ${name}`,
            ).toEqual(want);
            produce(s0, (d) => {
              expect(
                norm(() => call(d[key] as unknown as Arr)),
                `draft ${key} ${name}`,
              ).toEqual(want);
            });
          }
        }
        s0.release();
      }),
      { numRuns: 30 },
    );
    expect(p.framesInUse).toBe(0);
  });

  it("write as the native methods do on drafts; views refuse with TypeError and stay as they were", () => {
    const p = pool();
    fc.assert(
      fc.property(arb, (xs) => {
        const init = { f: Float64Array.from(xs), i: Int16Array.from(xs), b: BigInt64Array.from(xs.map(BigInt)) };
        const s0 = createState(S, init, { pool: p });
        for (const key of ["f", "i", "b"] as Key[]) {
          const el = (k: number) => (init[key] as unknown as Arr)[k];
          for (const [name, call] of writes(el)) {
            const model = (CTORS[key] as unknown as { from(x: unknown): unknown }).from(init[key]) as Arr;
            const want = [norm(() => call(model)), [...(model as unknown as Iterable<unknown>)]];
            expect(
              norm(() => call(s0.root[key] as unknown as Arr)),
              `view ${key} ${name}`,
            ).toEqual(["throws", "TypeError"]);
            expect([...(s0.root[key] as Iterable<unknown>)], `view ${key} ${name} unchanged`).toEqual([
              ...(init[key] as Iterable<unknown>),
            ]);
            let got: unknown;
            const s1 = produce(s0, (d) => {
              got = norm(() => call(d[key] as unknown as Arr));
            });
            expect([got, [...(s1.root[key] as Iterable<unknown>)]], `draft ${key} ${name}`).toEqual(want);
            if (s1 !== s0) s1.release();
          }
        }
        s0.release();
      }),
      { numRuns: 20 },
    );
    expect(p.framesInUse).toBe(0);
  });

  it("subarray: a copy on a view; refused on a draft with a TypeError", () => {
    const p = pool();
    const s0 = createState(
      S,
      { f: Float64Array.of(1, 2, 3, 4, 5, 6), i: new Int16Array(N), b: new BigInt64Array(N) },
      {
        pool: p,
      },
    );
    const sub = (s0.root.f as unknown as Float64Array).subarray(1, -1);
    expect([sub.constructor.name, [...sub]]).toEqual(["Float64Array", [2, 3, 4, 5]]);
    expect(() =>
      produce(s0, (d) => {
        (d.f as unknown as Float64Array).subarray(1);
      }),
    ).toThrow(TypeError);
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
