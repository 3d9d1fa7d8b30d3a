/**
 * `console.log` / `util.inspect` and `JSON.stringify` support: the inspect
 * helpers against Node's own formatting of the native value they imitate
 * (a Map, a Set, an array, a string: the oracle is Node, not this code), and
 * the AddressSpace's summary.
 */
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  FramePool,
  INSPECT_CUSTOM,
  type InspectFunction,
  type InspectOptions,
  inspectElements,
  inspectEntries,
  inspectRecord,
  inspectText,
} from "../src/index.js";

/**
 * `s` with every run of whitespace as one space: the text Node writes, without
 * where it breaks lines. That choice depends on the head's length ("M(2) {"
 * against "Map(2) {"), so exact layouts are compared only in the fixed cases.
 */
const flat = (s: string) => s.replace(/\s+/g, " ");

/** An object that shows itself through a helper, as the library's structures do. */
function custom(show: (depth: number, options: InspectOptions, inspect: InspectFunction) => string): object {
  return { [INSPECT_CUSTOM]: show };
}

const limits = fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined });

describe("inspect helpers match Node's formatting of the native value", () => {
  it("inspectElements: as an array, for any length and maxArrayLength", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.bigInt())), limits, (xs, max) => {
        const head = `Thing(${xs.length})`;
        const reads: number[] = [];
        const obj = custom((d, o, i) =>
          inspectElements(
            head,
            xs.length,
            (n) => {
              reads.push(n);
              return xs.slice(0, n);
            },
            d,
            o,
            i,
          ),
        );
        const options = max === undefined ? {} : { maxArrayLength: max };
        expect(inspect(obj, options)).toBe(`${head} ${inspect(xs, options)}`);
        // Reads only what it shows, plus one element (for Node's layout of the remainder).
        expect(reads).toEqual([Math.min(xs.length, (max ?? 100) + 1)]);
      }),
    );
  });

  it("inspectElements breaks lines where Node does when the true remainder is longer than '1 more item'", () => {
    // Found by the property above (1 run in ~7,700): formatted with "... 1 more item"
    // this fitted in 80 columns, with "... 2 more items" Node breaks it.
    const cases: [unknown[], number][] = [
      [[-1.0016933549522212e146, -1.9101898446400954e157, 0n, 0], 2],
      [[-1.0016933549522212e146, -1.9101898446400954e157, ...new Array<number>(20).fill(0)], 2],
      [new Array<number>(30).fill(123456789), 7],
    ];
    for (const [xs, max] of cases) {
      const obj = custom((d, o, i) => inspectElements("Thing", xs.length, (n) => xs.slice(0, n), d, o, i));
      expect(inspect(obj, { maxArrayLength: max })).toBe(`Thing ${inspect(xs, { maxArrayLength: max })}`);
    }
  });

  it("inspectEntries: as a Map or a Set, nested values keep the user's limits and depth", () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.array(fc.integer(), { maxLength: 8 }),
      fc.constant({ a: { b: { c: 1 } } }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), value), { selector: ([k]) => k, maxLength: 20 }),
        limits,
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        (entries, max, depth) => {
          const options = {
            ...(max === undefined ? {} : { maxArrayLength: max }),
            ...(depth === undefined ? {} : { depth }),
          };
          const map = custom((d, o, i) =>
            inspectEntries(`M(${entries.length})`, entries.length, (n) => entries.slice(0, n), "map", d, o, i),
          );
          const native = new Map(entries);
          expect(flat(inspect(map, options))).toBe(flat(inspect(native, options).replace(/^Map/, "M")));
          // Nested, Node also decides where lines break from how deep the native value's
          // children go, which a custom inspector cannot tell it.
          expect(flat(inspect({ nested: [map] }, options))).toBe(
            flat(
              inspect({ nested: [native] }, options)
                .replace(/Map\(/, "M(")
                .replace("[Map]", `[M(${entries.length})]`),
            ),
          );
          const keys = entries.map(([k]) => k);
          const set = custom((d, o, i) =>
            inspectEntries(`S(${keys.length})`, keys.length, (n) => keys.slice(0, n), "set", d, o, i),
          );
          expect(flat(inspect(set, options))).toBe(flat(inspect(new Set(keys), options).replace(/^Set/, "S")));
        },
      ),
    );
  });

  it("inspectText: as a string, bounded by maxStringLength", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        (s, max) => {
          const options = max === undefined ? {} : { maxStringLength: max };
          const obj = custom((_d, o, i) => inspectText(`T(${s.length})`, s.length, (n) => s.slice(0, n), o, i));
          expect(inspect(obj, options)).toBe(`T(${s.length}) ${inspect(s, options)}`);
        },
      ),
    );
  });

  it("a 1M-element list prints 100 elements and the count of the rest", () => {
    const n = 1_000_000;
    const obj = custom((d, o, i) => inspectElements(`Big(${n})`, n, (k) => new Float64Array(k), d, o, i));
    const out = inspect(obj);
    expect(out).toBe(inspect(new Float64Array(n)).replace(/^Float64Array/, "Big"));
    expect(out).toMatch(/\.\.\. 999900 more items\n\]$/);
    expect(out.length).toBeLessThan(500);
    expect(inspect(obj, { maxArrayLength: 0 })).toBe("Big(1000000) [ ... 1000000 more items ]");
    expect(inspect(obj, { maxArrayLength: 2 })).toBe("Big(1000000) [ 0, 0, ... 999998 more items ]");
  });

  it("below the depth limit, only the head in brackets (as Node's [Object])", () => {
    const inner = custom((d, o, i) => inspectEntries("M(1)", 1, () => [["a", 1]], "map", d, o, i));
    expect(inspect({ a: { b: inner } }, { depth: 1 })).toBe("{ a: { b: [M(1)] } }");
  });

  it("without Node's inspect function: a plain one-line form", () => {
    expect(inspectElements("L(4)", 4, (n) => [1, -0, 2n, "x"].slice(0, n), 2, { maxArrayLength: 3 })).toBe(
      "L(4) [ 1, -0, 2n, 'x', ... 1 more item ]".replace(", 'x'", ""),
    );
    expect(inspectElements("L(0)", 0, () => [], 2, {})).toBe("L(0) []");
    expect(
      inspectEntries(
        "M(2)",
        2,
        () => [
          ["a", { b: 1 }],
          [1, null],
        ],
        "map",
        2,
        {},
      ),
    ).toBe(`M(2) { 'a' => {"b":1}, 1 => null }`);
    expect(inspectEntries("S(3)", 3, (n) => ["it's", 1, 2].slice(0, n), "set", 2, { maxArrayLength: 1 })).toBe(
      "S(3) { 'it\\'s', ... 2 more items }",
    );
    expect(inspectText("T(5)", 5, (n) => "a\nbcd".slice(0, n), { maxStringLength: 2 })).toBe(
      "T(5) 'a\\n'... 3 more characters",
    );
    expect(inspectRecord("R", { x: 1, y: "z" }, 0, {})).toBe("R { x: 1, y: 'z' }");
    expect(inspectRecord("R", { x: 1 }, -1, {})).toBe("[R]");
    // maxArrayLength null: everything.
    expect(inspectElements("L(3)", 3, (n) => [1, 2, 3].slice(0, n), 2, { maxArrayLength: null })).toBe(
      "L(3) [ 1, 2, 3 ]",
    );
  });
});

describe("AddressSpace in console.log and JSON", () => {
  it("shows a short summary, never slabs or caches", () => {
    const pool = new FramePool({ pageSize: 4096 });
    const a = new AddressSpace({ size: 1 << 16, pool });
    a.setUint8(0, 1);
    a.setUint8(4096, 1);
    const b = a.fork();
    b.setUint8(0, 2); // page 0 copied: a and b each own one page, share the other
    expect(JSON.parse(JSON.stringify(a))).toEqual({
      size: 65536,
      pageSize: 4096,
      mappedBytes: 65536,
      rss: 8192,
      pss: 4096 + 2048,
      uss: 4096,
      frozen: false,
      released: false,
    });
    const out = inspect(a);
    expect(out).toBe(
      "AddressSpace {\n  size: 65536,\n  pageSize: 4096,\n  mappedBytes: 65536,\n  rss: 8192,\n  pss: 6144,\n" +
        "  uss: 4096,\n  frozen: false,\n  released: false\n}",
    );
    expect(inspect({ deep: { deeper: { a } } })).toBe("{ deep: { deeper: { a: [AddressSpace] } } }");
    b.freeze();
    expect(JSON.parse(JSON.stringify(b)).frozen).toBe(true);
    a.release();
    b.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("a released space prints and serialises without throwing, with zero memory", () => {
    const a = new AddressSpace({ size: 8192, pageSize: 4096 });
    a.setUint8(0, 1);
    a.release();
    expect(JSON.stringify(a)).toBe(
      '{"size":8192,"pageSize":4096,"mappedBytes":0,"rss":0,"pss":0,"uss":0,"frozen":false,"released":true}',
    );
    expect(inspect(a)).toContain("released: true");
  });

  it("a proxy view over a long range prints a bounded head", () => {
    const s = new AddressSpace({ size: 1 << 20, pageSize: 4096 });
    s.setFloat64(8, 2.5);
    const v = s.view(Float64Array, 0, 100_000);
    const native = new Float64Array(100_000);
    native[1] = 2.5;
    expect(inspect(v)).toBe(inspect(native).replace(/^Float64Array\(100000\)/, "Float64Array view(100000) @ 0"));
    s.release();
    expect(inspect(v)).toBe("Float64Array view(100000) @ 0 <released>");
  });
});

describe("FramePool in console.log and JSON", () => {
  it("shows and serialises its counters, never its slabs", () => {
    const pool = new FramePool({ pageSize: 4096, maxBytes: 1 << 20 });
    const s = new AddressSpace({ size: 8192, pool });
    s.setUint8(0, 1);
    const json = JSON.parse(JSON.stringify(pool));
    expect(json).toMatchObject({ pageSize: 4096, framesInUse: 1, bytesInUse: 4096, maxBytes: 1 << 20, spaces: 1 });
    const shown = inspect(pool);
    expect(shown).toMatch(/^FramePool \{/);
    expect(shown).toContain("framesInUse: 1");
    expect(shown.length).toBeLessThan(1000); // the raw object prints its slabs: megabytes of numbers
    expect(inspect({ deep: { deeper: { pool } } })).toBe("{ deep: { deeper: { pool: [FramePool] } } }");
    s.release();
    expect(JSON.parse(JSON.stringify(pool)).framesInUse).toBe(0);
  });
});
