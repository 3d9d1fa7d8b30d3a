/**
 * Input whose reads change (a getter or a Proxy giving another value on each
 * read) passes `check` and fails when it is written (see review27's
 * unstable-input test): the SchemaError must name the path of the value that
 * changed, as every other SchemaError does, not the root. Through
 * createState, and through a draft's field assignment, list push and index
 * assignment, and map set (the path then starts at the draft's own path).
 */
import { createState, produce, SchemaError, t } from "@pagefork/state";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const Rec = t.struct({ x: t.string });
const S = t.struct({
  n: t.u8,
  l: t.list(t.u8),
  g: t.uint8Array(2),
  m: t.map(t.string, t.u8),
  k: t.map(t.u8, t.u8),
  s: t.set(t.u8),
  e: t.enum(["a", "b"]),
  doc: t.text(),
  r: t.nullable(Rec),
  deep: t.struct({ rs: t.list(Rec), byId: t.map(t.string, Rec) }),
});
type In = t.Input<typeof S>;

function base(): Record<string, unknown> {
  return {
    n: 1,
    l: [1],
    g: [0, 0],
    m: { a: 1 },
    k: new Map([[1, 1]]),
    s: [1],
    e: "a",
    doc: "d",
    r: null,
    deep: { rs: [{ x: "a" }], byId: { a: { x: "a" } } },
  };
}

/** `o` with field `k` a getter giving `first` on its first read and `then` after. */
function flipping<O extends object>(o: O, k: string, first: unknown, then: unknown): O {
  let reads = 0;
  Object.defineProperty(o, k, { enumerable: true, get: () => (reads++ === 0 ? first : then) });
  return o;
}

/** An array Proxy whose length reads 1 at first, then 3. */
function growing(): unknown[] {
  let reads = 0;
  return new Proxy([1], {
    get: (target, prop, recv) => (prop === "length" ? (reads++ < 1 ? 1 : 3) : Reflect.get(target, prop, recv)),
  });
}

function schemaError(f: () => unknown): SchemaError {
  try {
    f();
  } catch (e) {
    if (e instanceof SchemaError) return e;
    throw e;
  }
  throw new Error("no SchemaError");
}

const cases: [string, () => In, readonly unknown[]][] = [
  ["a u8 field read as 1, then 300", () => flipping(base(), "n", 1, 300) as In, ["n"]],
  ["a list read as [1], then a string", () => flipping(base(), "l", [1], "zz") as In, ["l"]],
  ["a list read as [1], then [null]", () => flipping(base(), "l", [1], [null]) as In, ["l", 0]],
  ["a list whose length grows", () => ({ ...base(), l: growing() }) as unknown as In, ["l", 1]],
  ["a typed array read with 2 elements, then 3", () => flipping(base(), "g", [0, 0], [0, 0, 0]) as In, ["g"]],
  ["a typed array read as numbers, then strings", () => flipping(base(), "g", [0, 0], ["x", "y"]) as In, ["g", 0]],
  ["a map value read as 1, then -1", () => flipping(base(), "m", { a: 1 }, { a: -1 }) as In, ["m", "a"]],
  [
    "a map key read as valid, then not",
    () => flipping(base(), "k", new Map([[1, 1]]), new Map([[-5, 1]])) as In,
    ["k", -5],
  ],
  ["a set element read as 1, then 999", () => flipping(base(), "s", [1], [999]) as In, ["s", 999]],
  ["an enum read as a, then c", () => flipping(base(), "e", "a", "c") as In, ["e"]],
  ["a text read as a string, then a number", () => flipping(base(), "doc", "d", 5) as In, ["doc"]],
  ["a nullable record read as null, then a number", () => flipping(base(), "r", null, 5) as In, ["r"]],
  [
    "a string field read as a string, then an object",
    () => flipping(base(), "r", { x: "a" }, { x: { length: 5 } }) as In,
    ["r", "x"],
  ],
  [
    "a record in a list in a record",
    () => ({ ...base(), deep: { rs: [{ x: "a" }, flipping({}, "x", "b", 1)], byId: {} } }) as unknown as In,
    ["deep", "rs", 1, "x"],
  ],
  [
    "a record in a map in a record",
    () => ({ ...base(), deep: { rs: [], byId: { q: flipping({}, "x", "b", 1) } } }) as unknown as In,
    ["deep", "byId", "q", "x"],
  ],
];

describe("a SchemaError for input whose reads change names its path", () => {
  for (const [what, input, path] of cases)
    it(`createState: ${what}: path ${JSON.stringify(path)}`, () => {
      const p = pool();
      const e = schemaError(() => createState(S, input(), { pool: p }));
      expect(e.path).toEqual(path);
      expect(e.message.startsWith("state")).toBe(true);
      expect(p.framesInUse).toBe(0);
    });

  /** A record whose `x` reads "a", then 7. */
  const unstable = () => flipping({}, "x", "a", 7) as { x: string };
  const writes: [string, (d: t.Draft<typeof S>) => void, readonly unknown[]][] = [
    ["a field", (d) => void Object.assign(d, { r: unstable() }), ["r", "x"]],
    ["a list push", (d) => void d.deep.rs.push(unstable()), ["deep", "rs", 1, "x"]],
    ["a list index", (d) => void d.deep.rs.splice(0, 1, unstable()), ["deep", "rs", 0, "x"]],
    ["a map set", (d) => void d.deep.byId.set("z", unstable()), ["deep", "byId", "z", "x"]],
    [
      "a record in a record",
      (d) => void Object.assign(d, { deep: { rs: [unstable()], byId: {} } }),
      ["deep", "rs", 0, "x"],
    ],
  ];
  for (const [what, recipe, path] of writes)
    it(`produce: ${what}: path ${JSON.stringify(path)}, nothing changed`, () => {
      const p = pool();
      const s0 = createState(S, base() as In, { pool: p });
      const json = JSON.stringify(s0);
      const frames = p.framesInUse;
      const e = schemaError(() => produce(s0, recipe));
      expect(e.path).toEqual(path);
      expect(JSON.stringify(s0)).toBe(json);
      expect(p.framesInUse).toBe(frames);
      s0.release();
      expect(p.framesInUse).toBe(0);
    });
});
