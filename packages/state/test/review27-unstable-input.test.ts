/**
 * Input whose reads change (a getter or a Proxy giving another value on each
 * read): `check` sees one value, the write reads again. Such input must throw
 * a SchemaError and change nothing, never write data that breaks the schema
 * (a u8 list holding nulls, a u8 field wrapped from 300 to 44, a typed array
 * of another length).
 */
import { createState, produce, SchemaError, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({
  n: t.u8,
  l: t.list(t.u8),
  g: t.uint8Array(2),
  m: t.map(t.string, t.u8),
  s: t.set(t.u8),
  e: t.enum(["a", "b"]),
  doc: t.text(),
  r: t.nullable(t.struct({ x: t.string })),
});
type In = t.Input<typeof S>;

function base(): Record<string, unknown> {
  return { n: 1, l: [1], g: [0, 0], m: { a: 1 }, s: [1], e: "a", doc: "d", r: null };
}

/** `o` with field `k` a getter giving `first` on its first read and `then` after. */
function flipping(k: string, first: unknown, then: unknown): In {
  const o = base();
  let reads = 0;
  Object.defineProperty(o, k, { enumerable: true, get: () => (reads++ === 0 ? first : then) });
  return o as In;
}

/** An array Proxy whose length reads 1 at first, then 3. */
function growing(): unknown[] {
  let reads = 0;
  return new Proxy([1], {
    get: (target, prop, recv) => (prop === "length" ? (reads++ < 1 ? 1 : 3) : Reflect.get(target, prop, recv)),
  });
}

const cases: [string, () => In][] = [
  ["a u8 field read as 1, then 300", () => flipping("n", 1, 300)],
  ["a list read as [1], then a string", () => flipping("l", [1], "zz")],
  ["a list read as [1], then [null]", () => flipping("l", [1], [null])],
  ["a typed array read with 2 elements, then 3", () => flipping("g", [0, 0], [0, 0, 0])],
  ["a typed array read as numbers, then strings", () => flipping("g", [0, 0], ["x", "y"])],
  ["a map value read as 1, then -1", () => flipping("m", { a: 1 }, { a: -1 })],
  ["a map key read as valid, then not", () => flipping("m", new Map([["a", 1]]), new Map([[5, 1]]))],
  ["a set element read as 1, then 999", () => flipping("s", [1], [999])],
  ["an enum read as a, then c", () => flipping("e", "a", "c")],
  ["a text read as a string, then a number", () => flipping("doc", "d", 5)],
  ["a nullable record read as null, then a number", () => flipping("r", null, 5)],
  ["a string field read as a string, then an object", () => flipping("r", { x: "a" }, { x: { length: 5 } })],
];

describe("input whose reads change", () => {
  for (const [what, input] of cases)
    it(`createState: ${what}: SchemaError, no frame kept`, () => {
      const p = pool();
      expect(() => createState(S, input(), { pool: p })).toThrow(SchemaError);
      expect(p.framesInUse).toBe(0);
    });

  it("a list whose length grows after its check", () => {
    const p = pool();
    const o = { ...base(), l: growing() } as unknown as In;
    expect(() => createState(S, o, { pool: p })).toThrow(SchemaError);
    expect(p.framesInUse).toBe(0);
  });

  it("produce: assigning such a record fails the produce and changes nothing", () => {
    const p = pool();
    const s0 = createState(S, base() as In, { pool: p });
    const json = JSON.stringify(s0);
    const frames = p.framesInUse;
    let reads = 0;
    const r = {
      get x() {
        return reads++ === 0 ? "a" : 7;
      },
    };
    expect(() =>
      produce(s0, (d) => {
        d.r = r as never;
      }),
    ).toThrow(SchemaError);
    expect(JSON.stringify(s0)).toBe(json);
    expect(p.framesInUse).toBe(frames);
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
