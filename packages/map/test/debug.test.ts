/**
 * CowMap and CowSet in `console.log` and `JSON.stringify`: `util.inspect`
 * must write what Node writes for a native Map / Set of the same entries
 * (the oracle is Node), bounded by `maxArrayLength`, decoding only the
 * entries shown; `JSON.stringify` gives `[key, value]` pairs (a map) or the
 * elements (a set) that the constructor reads back.
 */
import { inspect } from "node:util";
import { FramePool, ReleasedError } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** Node's text without where it breaks lines (its choice counts the name in front, "CowMap" against "Map"). */
const flat = (s: string) => s.replace(/\s+/g, " ");

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null), fc.boolean());
const value = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.integer(), fc.array(fc.string(), { maxLength: 3 })), {
    maxKeys: 3,
    noNullPrototype: true,
  }),
);
const limits = fc.record(
  {
    maxArrayLength: fc.integer({ min: 0, max: 12 }),
    depth: fc.integer({ min: 0, max: 4 }),
  },
  { requiredKeys: [] },
);

describe("util.inspect", () => {
  it("a CowMap reads as the native Map of its entries, for any entries, maxArrayLength and depth", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 30 }),
        limits,
        (entries, options) => {
          const m = new CowMap(entries);
          expect(flat(inspect(m, options))).toBe(flat(inspect(new Map(entries), options).replace(/^Map/, "CowMap")));
          const s = new CowSet(entries.map(([k]) => k));
          expect(flat(inspect(s, options))).toBe(
            flat(inspect(new Set(entries.map(([k]) => k)), options).replace(/^Set/, "CowSet")),
          );
          m.release();
          s.release();
        },
      ),
    );
  });

  it("common cases have Node's layout, line breaks included", () => {
    const m = new CowMap<string, unknown>([
      ["a", 1],
      ["b", { deep: [1, 2, { x: { y: 1 } }] }],
    ]);
    expect(inspect(m)).toBe("CowMap(2) { 'a' => 1, 'b' => { deep: [ 1, 2, [Object] ] } }");
    expect(inspect(m, { depth: 0 })).toBe("CowMap(2) { 'a' => 1, 'b' => [Object] }");
    expect(inspect({ x: { y: { m } } })).toBe("{ x: { y: { m: [CowMap(2)] } } }");
    expect(inspect(new CowSet(["a", 1, null]))).toBe("CowSet(3) { 'a', 1, null }");
    expect(inspect(new CowMap())).toBe("CowMap(0) {}");
    m.release();
  });

  it("a large map prints maxArrayLength entries and the count of the rest, decoding only those", () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => [`k${i}`, { i }] as [string, { i: number }]);
    const m = new CowMap(entries);
    const out = inspect(m);
    expect(out).toBe(inspect(new Map(entries)).replace(/^Map/, "CowMap"));
    expect(out.endsWith("  ... 9900 more items\n}")).toBe(true);
    expect(out.length).toBeLessThan(3000);
    expect(inspect(m, { maxArrayLength: 1 })).toBe("CowMap(10000) { 'k0' => { i: 0 }, ... 9999 more items }");
    const s = new CowSet(entries.map(([k]) => k));
    expect(inspect(s, { maxArrayLength: 2 })).toBe("CowSet(10000) { 'k0', 'k1', ... 9998 more items }");
    m.release();
    s.release();
  });

  it("never shows the table's internals; a released map says so instead of throwing", () => {
    const m = new CowMap([["a", 1]]);
    expect(inspect(m, { depth: 10, showHidden: true })).toBe("CowMap(1) { 'a' => 1 }");
    m.release();
    expect(inspect(m)).toBe("CowMap <released>");
    const s = new CowSet([1]);
    s.release();
    expect(inspect(s)).toBe("CowSet <released>");
  });
});

describe("JSON.stringify", () => {
  it("a CowMap writes [key, value] pairs in insertion order that the constructor reads back", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 30 }), (entries) => {
        const m = new CowMap(entries);
        const text = JSON.stringify(m);
        // The oracle: JSON of the entries array itself.
        expect(text).toBe(JSON.stringify(entries));
        const back = new CowMap(JSON.parse(text) as [unknown, unknown][] as typeof entries);
        expect([...back.keys()]).toEqual(JSON.parse(JSON.stringify(entries.map(([k]) => k))));
        m.release();
        back.release();
      }),
    );
  });

  it("keys that an object would merge stay apart; a Date value writes its ISO string", () => {
    const when = new Date(Date.UTC(2024, 0, 2));
    const m = new CowMap<string | number | null, unknown>([
      [1, "number"],
      ["1", "string"],
      [null, when],
    ]);
    expect(JSON.stringify({ m })).toBe('{"m":[[1,"number"],["1","string"],[null,"2024-01-02T00:00:00.000Z"]]}');
    m.release();
  });

  it("a CowSet writes its elements; BigInts throw as JSON.stringify throws for any BigInt; released throws", () => {
    const pool = new FramePool({ pageSize: 256 });
    const s = new CowSet<string | number>(["b", 2, "a"], { pool });
    expect(JSON.stringify(s)).toBe('["b",2,"a"]');
    const back = new CowSet(JSON.parse(JSON.stringify(s)) as (string | number)[], { pool });
    expect([...back]).toEqual([...s]);
    const big = new CowMap([[1n, 2]], { pool });
    expect(() => JSON.stringify(big)).toThrow(TypeError);
    expect(() => JSON.stringify([[1n, 2]])).toThrow(TypeError); // the native behaviour it follows
    for (const x of [s, back, big]) x.release();
    expect(() => JSON.stringify(s)).toThrow(ReleasedError);
    expect(pool.framesInUse).toBe(0);
  });
});
