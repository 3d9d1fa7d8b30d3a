/**
 * A map inside a patch value must keep its iteration order. A JSON object
 * lists integer-like keys first, ascending ("2", "1" come back as "1", "2";
 * any number key alike), so a map sent as an object in a patch value built a
 * map of another order when applied, directly or after a JSON round trip.
 * Map drafts' own `set`/`delete`/`clear` were fixed first (review26-patch-order);
 * these are the other places a map travels inside a value:
 * - a struct field that holds a map (or a record / list holding one) assigned whole;
 * - list elements holding maps: index assignment, push/unshift/splice/pop/shift,
 *   `length` truncation, sort/reverse (per-index replaces);
 * - `diffPatches`, which reports a changed map or list as one `replace`;
 * - the root `replace` of a recipe that returns a new value;
 * - maps nested in records, lists and maps inside those values.
 * Each case applies the forward patches to the base and the inverse patches to
 * the result (directly and through JSON), and `diffPatches` both ways, and
 * compares the full iteration order; Immer's own `applyPatches` must still take
 * the patches on `toJSON()`. A fast-check property does the same for random
 * states and recipes, against native Maps and arrays edited the same way.
 */
import { applyPatches, createState, diffPatches, type Patch, produceWithPatches, type State, t } from "@pagefork/state";
import fc from "fast-check";
import { enableMapSet, enablePatches, applyPatches as immerApply } from "immer";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { pool } from "./support.js";

enableMapSet();
enablePatches();

const Rec = t.struct({ id: t.u32, tags: t.map(t.string, t.u32) });
const S = t.struct({
  m: t.map(t.string, t.u32),
  om: t.optional(t.map(t.u32, t.string)),
  nm: t.nullable(t.map(t.string, t.u32)),
  list: t.list(t.map(t.string, t.u32)),
  recs: t.list(Rec),
  deep: t.map(t.string, t.list(t.map(t.i32, t.string))),
});
type D = t.Draft<typeof S>;
type In = t.Input<typeof S>;

/** Plain data of the shape createState takes, which native Map/array code edits like a draft. */
interface Plain {
  m: Map<string, number>;
  om?: Map<number, string>;
  nm: Map<string, number> | null;
  list: Map<string, number>[];
  recs: { id: number; tags: Map<string, number> }[];
  deep: Map<string, Map<number, string>[]>;
}

/**
 * A value (view, draft or plain data) in a form whose equality includes
 * every map's iteration order; struct fields sorted (their order is the
 * schema's, not data).
 */
function ordered(x: unknown): unknown {
  if (x instanceof Map) return { map: [...x].map(([k, v]) => [k, ordered(v)]) };
  if (Array.isArray(x)) return x.map(ordered);
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    return Object.keys(o)
      .sort()
      .map((k) => [k, ordered(o[k])]);
  }
  return x;
}

/** As `ordered`, with every map's entries sorted by key: entries compared, order not. */
function unordered(x: unknown): unknown {
  if (x instanceof Map)
    return {
      map: [...x]
        .map(([k, v]) => [k, unordered(v)] as [unknown, unknown])
        .sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)),
    };
  if (Array.isArray(x)) return x.map(unordered);
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    return Object.keys(o)
      .sort()
      .map((k) => [k, unordered(o[k])]);
  }
  return x;
}

const trip = (ps: Patch[]) => JSON.parse(JSON.stringify(ps)) as Patch[];

/** `ps` applied to `base` (directly or after JSON) gives `want`'s full order; Immer takes them on the JSON. */
function takes(base: State<typeof S>, ps: Patch[], want: State<typeof S>, immer = true): void {
  for (const q of [ps, trip(ps)]) {
    const got = applyPatches(base, q);
    expect(ordered(got.root)).toEqual(ordered(want.root));
    if (got !== base) got.release();
  }
  if (immer) expect(immerApply(base.toJSON() as object, ps as never)).toEqual(want.toJSON());
}

function initial(): Plain {
  return {
    m: new Map([
      ["2", 1],
      ["1", 2],
      ["b", 3],
    ]),
    om: new Map([
      [10, "x"],
      [3, "y"],
    ]),
    nm: new Map([
      ["5", 1],
      ["4", 2],
    ]),
    list: [
      new Map([
        ["9", 1],
        ["3", 2],
      ]),
      new Map([["a", 1]]),
      new Map([
        ["0", 5],
        ["z", 6],
        ["-1", 7],
      ]),
    ],
    recs: [
      {
        id: 1,
        tags: new Map([
          ["7", 1],
          ["x", 2],
          ["6", 3],
        ]),
      },
      { id: 2, tags: new Map() },
    ],
    deep: new Map([
      ["j", []], // "k" last: an undone delete re-adds an entry last (as Immer's inverse does)
      [
        "k",
        [
          new Map([
            [3, "c"],
            [-1, "m"],
            [1, "a"],
          ]),
        ],
      ],
    ]),
  };
}

const pairs = <K, V>(...es: [K, V][]) => new Map(es);

type Case = [string, (d: D) => unknown, ((d: D) => void)?];
const cases: Case[] = [
  [
    "a map field assigned whole",
    (d) => {
      d.m = pairs(["20", 1], ["10", 2], ["c", 3]);
    },
  ],
  [
    "a map field assigned an in-order map (from an out-of-order one)",
    (d) => {
      d.m = pairs(["a", 1], ["b", 2]);
    },
  ],
  ["an optional map field removed", (d) => void delete d.om],
  [
    "an optional map field added",
    (d) => {
      d.om = pairs([8, "p"], [2, "q"], [4294967295, "r"], [4294967294, "s"]);
    },
    (d) => void delete d.om,
  ],
  [
    "a nullable map field nulled",
    (d) => {
      d.nm = null;
    },
  ],
  [
    "a nullable map field set from null",
    (d) => {
      d.nm = pairs(["3", 1], ["1", 2]);
    },
    (d) => {
      d.nm = null;
    },
  ],
  ["a map pushed onto a list", (d) => void d.list.push(pairs(["8", 1], ["2", 2]))],
  ["a map unshifted onto a list", (d) => void d.list.unshift(pairs(["8", 1], ["2", 2]), pairs(["x", 1], ["1", 0]))],
  ["maps spliced out of a list", (d) => void d.list.splice(0, 2)],
  ["a map spliced over another", (d) => void d.list.splice(0, 1, pairs(["4", 0], ["1", 1]))],
  [
    "a list element assigned",
    (d) => {
      d.list[2] = pairs(["6", 0], ["5", 1]);
    },
  ],
  [
    "a list of maps popped and shifted",
    (d) => {
      d.list.pop();
      d.list.shift();
    },
  ],
  [
    "a list of maps truncated",
    (d) => {
      d.list.length = 0;
    },
  ],
  ["a list of maps reversed", (d) => void d.list.reverse()],
  ["a list of maps sorted", (d) => void d.list.sort((a, b) => a.size - b.size)],
  [
    "a list of maps assigned whole",
    (d) => {
      d.list = [pairs(["2", 1], ["1", 1]), pairs(["q", 1], ["3", 3])];
    },
  ],
  [
    "a record holding a map assigned",
    (d) => {
      d.recs[1] = { id: 9, tags: pairs(["3", 1], ["1", 2]) };
    },
  ],
  ["a record holding a map pushed", (d) => void d.recs.push({ id: 9, tags: pairs(["3", 1], ["1", 2]) })],
  ["a record holding a map shifted", (d) => void d.recs.shift()],
  [
    "a record's map assigned",
    (d) => {
      (d.recs[1] as { tags: Map<string, number> }).tags = pairs(["5", 1], ["4", 1]);
    },
  ],
  ["a list of records reversed", (d) => void d.recs.reverse()],
  ["a list of maps set in a map", (d) => void d.deep.set("n", [pairs([5, "e"], [2, "b"]), pairs([-7, "x"], [0, "y"])])],
  ["a map pushed onto a list in a map", (d) => void d.deep.get("j")?.push(pairs([2, "x"], [0, "y"]))],
  ["a list of maps deleted from a map", (d) => void d.deep.delete("k")],
  ["a map entry in a list in a map replaced", (d) => void d.deep.get("k")?.[0]?.set(3, "C")],
  [
    "the root replaced by the recipe's return value",
    () =>
      ({
        m: pairs(["3", 1], ["2", 2]),
        nm: null,
        list: [pairs(["1", 1], ["0", 0])],
        recs: [{ id: 5, tags: pairs(["b", 1], ["9", 1]) }],
        deep: pairs(["z", [pairs([9, "n"], [8, "e"])]], ["1", []]),
      }) satisfies In,
  ],
  [
    "keys __proto__ and integer-like",
    (d) => {
      d.m = pairs(["__proto__", 1], ["1", 2]);
    },
  ],
];

describe("a map inside a patch value keeps its iteration order", () => {
  it.each(cases)("%s", (name, recipe, prep) => {
    const p = pool();
    const s00 = createState(S, initial() as In, { pool: p });
    const s0 = prep === undefined ? s00.fork() : produceWithPatches(s00, prep)[0];
    if (s0 !== s00) s00.release();
    const [s1, patches, inverse] = produceWithPatches(s0, recipe as (d: D) => In | undefined);
    expect(s1).not.toBe(s0);
    // Immer sets a prototype for a key "__proto__" of a plain object: not comparable there
    const immer = !name.includes("__proto__");
    takes(s0, patches, s1, immer);
    takes(s1, inverse, s0, immer);
    takes(s0, diffPatches(s0, s1), s1, immer);
    takes(s1, diffPatches(s1, s0), s0, immer);
    s1.release();
    s0.release();
    expect(p.framesInUse).toBe(0);
  });

  it("sends an out-of-order map as {} and one add per entry, an in-order one as an object", () => {
    const p = pool();
    const s0 = createState(S, initial() as In, { pool: p });
    const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
      d.m = pairs(["2", 1], ["1", 2]);
      d.nm = pairs(["a", 1], ["1", 2]); // "1" after "a": not in an object's order
      d.list.push(pairs(["1", 1], ["2", 2], ["b", 3])); // in an object's order: one patch
    });
    expect(patches).toEqual([
      { op: "replace", path: ["m"], value: {} },
      { op: "add", path: ["m", "2"], value: 1 },
      { op: "add", path: ["m", "1"], value: 2 },
      { op: "replace", path: ["nm"], value: {} },
      { op: "add", path: ["nm", "a"], value: 1 },
      { op: "add", path: ["nm", "1"], value: 2 },
      { op: "add", path: ["list", 3], value: { 1: 1, 2: 2, b: 3 } },
    ]);
    expect(inverse).toEqual([
      { op: "remove", path: ["list", 3] },
      { op: "replace", path: ["nm"], value: {} },
      { op: "add", path: ["nm", "5"], value: 1 },
      { op: "add", path: ["nm", "4"], value: 2 },
      { op: "replace", path: ["m"], value: {} },
      { op: "add", path: ["m", "2"], value: 1 },
      { op: "add", path: ["m", "1"], value: 2 },
      { op: "add", path: ["m", "b"], value: 3 },
    ]);
    s1.release();
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});

// ------------------------------------------------------------------ the property

const strKey = fc.constantFrom("0", "1", "2", "7", "10", "a", "b", "-1", "01", "1.5", "4294967294", "4294967295");
const u32Key = fc.constantFrom(0, 1, 2, 7, 10, 4294967294, 4294967295);
const i32Key = fc.constantFrom(0, 1, 2, 9, -1, -5);
const val = fc.nat(9);
const word = fc.constantFrom("a", "b", "");
const mapOf = <K, V>(k: fc.Arbitrary<K>, v: fc.Arbitrary<V>) =>
  fc.uniqueArray(fc.tuple(k, v), { selector: (e) => e[0], maxLength: 5 }).map((es) => es);
const smap = mapOf(strKey, val);
const umap = mapOf(u32Key, word);
const imap = mapOf(i32Key, word);
const recArb = fc.record({ id: fc.nat(9), tags: smap });

/** Entries and plain records as data; each use builds fresh Maps. */
type Entries<K, V> = [K, V][];
const mk = <K, V>(es: Entries<K, V>) => new Map(es);
type RecData = { id: number; tags: Entries<string, number> };
const mkRec = (r: RecData) => ({ id: r.id, tags: mk(r.tags) });

const plainArb = fc
  .record({
    m: smap,
    om: fc.option(umap, { nil: undefined }),
    nm: fc.option(smap, { nil: null }),
    list: fc.array(smap, { maxLength: 3 }),
    recs: fc.array(recArb, { maxLength: 3 }),
    deep: mapOf(strKey, fc.array(imap, { maxLength: 2 })),
  })
  .map((x) => x);
type PlainData = typeof plainArb extends fc.Arbitrary<infer T> ? T : never;
function mkPlain(x: PlainData): Plain {
  const out: Plain = {
    m: mk(x.m),
    nm: x.nm === null ? null : mk(x.nm),
    list: x.list.map(mk),
    recs: x.recs.map(mkRec),
    deep: new Map(x.deep.map(([k, l]) => [k, l.map(mk)])),
  };
  if (x.om !== undefined) out.om = mk(x.om);
  return out;
}

/** One edit, run alike on a draft and on plain data. `deletes`: it removes a map entry (an undo re-adds it last). */
interface Edit {
  readonly show: string;
  readonly deletes?: boolean;
  run(d: Plain): void;
}
const at = (n: number, i: number) => (n === 0 ? -1 : i % n);

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  smap.map((es) => ({
    show: `m = ${JSON.stringify(es)}`,
    run: (d: Plain) => {
      d.m = mk(es);
    },
  })),
  fc.tuple(strKey, val).map(([k, v]) => ({ show: `m.set(${k}, ${v})`, run: (d: Plain) => void d.m.set(k, v) })),
  strKey.map((k) => ({ show: `m.delete(${k})`, deletes: true, run: (d: Plain) => void d.m.delete(k) })),
  fc.option(umap, { nil: undefined }).map((es) => ({
    show: `om = ${JSON.stringify(es)}`,
    run: (d: Plain) => {
      if (es === undefined) delete d.om;
      else d.om = mk(es);
    },
  })),
  fc.option(smap, { nil: null }).map((es) => ({
    show: `nm = ${JSON.stringify(es)}`,
    run: (d: Plain) => {
      d.nm = es === null ? null : mk(es);
    },
  })),
  fc.tuple(fc.nat(), fc.nat(2), fc.array(smap, { maxLength: 2 })).map(([i, n, ms]) => ({
    show: `list.splice(${i}, ${n}, ${JSON.stringify(ms)})`,
    run: (d: Plain) => void d.list.splice(i % (d.list.length + 1), n, ...ms.map(mk)),
  })),
  fc.tuple(fc.nat(), smap).map(([i, es]) => ({
    show: `list[${i}] = ${JSON.stringify(es)}`,
    run: (d: Plain) => {
      const j = at(d.list.length, i);
      if (j >= 0) d.list[j] = mk(es);
    },
  })),
  fc.tuple(fc.nat(), strKey, val).map(([i, k, v]) => ({
    show: `list[${i}].set(${k}, ${v})`,
    run: (d: Plain) => void d.list[at(d.list.length, i)]?.set(k, v),
  })),
  fc.constantFrom<Edit>(
    { show: "list.reverse()", run: (d: Plain) => void d.list.reverse() },
    { show: "list.sort(by size)", run: (d: Plain) => void d.list.sort((a, b) => a.size - b.size) },
    { show: "list.pop()", run: (d: Plain) => void d.list.pop() },
    { show: "recs.shift()", run: (d: Plain) => void d.recs.shift() },
    { show: "recs.reverse()", run: (d: Plain) => void d.recs.reverse() },
    {
      show: "list.length = 0",
      run: (d: Plain) => {
        d.list.length = 0;
      },
    },
  ),
  fc.array(smap, { maxLength: 3 }).map((ms) => ({
    show: `list = ${JSON.stringify(ms)}`,
    run: (d: Plain) => {
      d.list = ms.map(mk);
    },
  })),
  recArb.map((r) => ({ show: `recs.push(${JSON.stringify(r)})`, run: (d: Plain) => void d.recs.push(mkRec(r)) })),
  fc.tuple(fc.nat(), recArb).map(([i, r]) => ({
    show: `recs[${i}] = ${JSON.stringify(r)}`,
    run: (d: Plain) => {
      const j = at(d.recs.length, i);
      if (j >= 0) d.recs[j] = mkRec(r);
    },
  })),
  fc.tuple(fc.nat(), smap).map(([i, es]) => ({
    show: `recs[${i}].tags = ${JSON.stringify(es)}`,
    run: (d: Plain) => {
      const r = d.recs[at(d.recs.length, i)];
      if (r !== undefined) r.tags = mk(es);
    },
  })),
  fc.tuple(fc.nat(), strKey).map(([i, k]) => ({
    show: `recs[${i}].tags.delete(${k})`,
    deletes: true,
    run: (d: Plain) => void d.recs[at(d.recs.length, i)]?.tags.delete(k),
  })),
  fc.tuple(strKey, fc.array(imap, { maxLength: 2 })).map(([k, l]) => ({
    show: `deep.set(${k}, ${JSON.stringify(l)})`,
    run: (d: Plain) => void d.deep.set(k, l.map(mk)),
  })),
  fc.tuple(strKey, imap).map(([k, es]) => ({
    show: `deep.get(${k})?.push(${JSON.stringify(es)})`,
    run: (d: Plain) => void d.deep.get(k)?.push(mk(es)),
  })),
  fc.tuple(strKey, i32Key, word).map(([k, k2, v]) => ({
    show: `deep.get(${k})?.[0]?.set(${k2}, ${v})`,
    run: (d: Plain) => void d.deep.get(k)?.[0]?.set(k2, v),
  })),
  strKey.map((k) => ({ show: `deep.delete(${k})`, deletes: true, run: (d: Plain) => void d.deep.delete(k) })),
);

/** A step: edits on the draft, or (the root replace) a whole new value returned. */
const stepArb = fc.oneof(
  { weight: 5, arbitrary: fc.array(editArb, { minLength: 1, maxLength: 4 }).map((edits) => ({ edits, whole: null })) },
  { weight: 1, arbitrary: plainArb.map((whole) => ({ edits: [] as Edit[], whole })) },
);

describe("property: patches and diffs of maps in values keep every map's order", () => {
  // Async only to give the event loop a turn per run (test/support/turn.ts): 17.5 s at load
  // ~13 on 2 cores; a synchronous test of 60 s ends vitest's run with an RPC timeout.
  it("applying produceWithPatches' patches, or diffPatches(a, b), to a gives b, in order", async () => {
    await fc.assert(
      fc.asyncProperty(plainArb, fc.array(stepArb, { minLength: 1, maxLength: 4 }), async (init, steps) => {
        await eventLoopTurns();
        const p = pool();
        const versions: State<typeof S>[] = [createState(S, mkPlain(init) as In, { pool: p })];
        let model = mkPlain(init);
        try {
          for (const step of steps) {
            const a = versions[versions.length - 1] as State<typeof S>;
            const next = structuredClone(model);
            for (const e of step.edits) e.run(next);
            const whole = step.whole === null ? null : mkPlain(step.whole);
            const [b, patches, inverse] = produceWithPatches(a, (d) => {
              if (whole !== null) return whole as In;
              for (const e of step.edits) e.run(d as unknown as Plain);
              return undefined;
            });
            model = whole ?? next;
            expect(ordered(b.root)).toEqual(ordered(model)); // the recipe did what native code does
            takes(a, patches, b);
            takes(a, diffPatches(a, b), b);
            takes(b, diffPatches(b, a), a);
            if (step.edits.some((e) => e.deletes)) {
              // an undone delete re-adds the entry last (as Immer's inverse does): entries agree
              for (const q of [inverse, trip(inverse)]) {
                const back = applyPatches(b, q);
                expect(unordered(back.root)).toEqual(unordered(a.root));
                if (back !== b) back.release();
              }
            } else takes(b, inverse, a);
            if (b !== a) versions.push(b);
          }
        } finally {
          for (const v of versions) v.release();
        }
        expect(p.framesInUse).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
