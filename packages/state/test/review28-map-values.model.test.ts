/**
 * Map drafts whose values are texts, records or nullable numbers, and set
 * drafts, against native Map/Set of plain values: `set` (a new value, the
 * value already there, a text's own string, a value read from another key:
 * a copy, or the draft moved back after a delete), `get` then a write into
 * the value, `delete`, `clear`, `has`, `size`, iteration order. After every
 * call the draft equals the model; then patches apply both ways (ours, and
 * Immer's on the JSON, with texts replaced whole), a recipe that only re-sets present values gives the
 * base itself, the base is untouched and no frame is left.
 */
import { applyPatches, createState, produce, produceWithPatches, t } from "@pagefork/state";
import fc from "fast-check";
import { enableMapSet, enablePatches, applyPatches as immerApply } from "immer";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

enablePatches();
enableMapSet();

const S = t.struct({
  texts: t.map(t.string, t.text()),
  recs: t.map(t.string, t.struct({ x: t.u8, tags: t.set(t.string) })),
  nums: t.map(t.string, t.nullable(t.f64)),
  set: t.set(t.string),
});
type W = "texts" | "recs" | "nums" | "set";
// biome-ignore lint/suspicious/noExplicitAny: drafts and native collections driven alike
type Any = any;

const key = fc.constantFrom("a", "b", "1", "0", "");
const op = fc.oneof(
  fc.record({ k: fc.constant("set"), w: fc.constantFrom<W>("texts", "recs", "nums"), key, v: fc.nat(3) }),
  fc.record({ k: fc.constant("reset"), w: fc.constantFrom<W>("texts", "recs", "nums"), key }),
  fc.record({ k: fc.constant("copy"), w: fc.constantFrom<W>("texts", "recs", "nums"), from: key, to: key }),
  fc.record({ k: fc.constant("move"), w: fc.constantFrom<W>("texts", "recs", "nums"), from: key, to: key }),
  fc.record({ k: fc.constant("edit"), w: fc.constantFrom<W>("texts", "recs"), key, v: fc.nat(3) }),
  fc.record({ k: fc.constant("delete"), w: fc.constantFrom<W>("texts", "recs", "nums", "set"), key }),
  fc.record({ k: fc.constant("clear"), w: fc.constantFrom<W>("texts", "recs", "nums", "set") }),
  fc.record({ k: fc.constant("add"), key }),
);

function value(w: W, v: number): Any {
  return w === "texts" ? `t${v}` : w === "recs" ? { x: v, tags: new Set([`g${v}`]) } : v === 0 ? null : v / 2;
}

/** Plain data of a collection: [key, JSON of value] pairs in iteration order (sets: their elements). */
function plain(c: Any): unknown {
  if (c instanceof Set || (c && typeof c.add === "function")) return [...c];
  return [...c].map(([k, v]: [string, Any]) => [
    k,
    v !== null && typeof v === "object" && !("length" in v)
      ? { x: v.x, tags: [...v.tags] }
      : v === null
        ? null
        : String(v),
  ]);
}

/** Runs `x` on the collections of `o` (a draft, or the model of native Maps/Sets with plain values). */
function run(o: Any, x: Any, draft: boolean): unknown {
  const c = o[x.w ?? "set"];
  switch (x.k) {
    case "set":
      return c.set(x.key, value(x.w, x.v)) === c;
    case "reset":
      if (c.has(x.key)) {
        const v = c.get(x.key);
        c.set(x.key, draft && x.w === "texts" ? String(v) : v); // a text's own string
      }
      return null;
    case "copy":
      if (c.has(x.from)) {
        const v = c.get(x.from);
        c.set(x.to, draft || x.w !== "recs" ? v : { x: v.x, tags: new Set(v.tags) }); // a record is copied
      }
      return null;
    case "move":
      if (c.has(x.from)) {
        const v = c.get(x.from);
        c.delete(x.from);
        c.set(x.to, v);
      }
      return null;
    case "edit":
      if (c.has(x.key)) {
        if (x.w === "texts") {
          if (draft) c.get(x.key).insert(0, `${x.v}`);
          else c.set(x.key, `${x.v}${c.get(x.key)}`);
        } else {
          c.get(x.key).x = x.v;
          c.get(x.key).tags.add(`e${x.v}`);
        }
      }
      return null;
    case "delete":
      return c.delete(x.key);
    case "clear":
      return c.clear();
    default:
      return [o.set.add(x.key) === o.set, o.set.size, o.set.has(x.key)];
  }
}

const init = () => ({
  texts: new Map([["a", "ta"]]),
  recs: new Map([["b", { x: 1, tags: new Set(["g"]) }]]),
  nums: new Map<string, number | null>([
    ["a", 1],
    ["1", null],
  ]),
  set: new Set(["a"]),
});

describe("map drafts with text, record and nullable values; set drafts", () => {
  it("equal native Maps and Sets of plain values after every call; patches apply", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 10 }), (ops) => {
        const p = pool();
        const s0 = createState(S, init(), { pool: p });
        const json0 = s0.toJSON();
        const m: Any = init();
        const [s1, patches, inverse] = produceWithPatches(
          s0,
          (d) => {
            for (const x of ops) {
              expect(run(d, x, true), JSON.stringify(x)).toEqual(run(m, x, false));
              for (const w of ["texts", "recs", "nums", "set"] as W[])
                expect(plain((d as Any)[w]), `${JSON.stringify(x)} ${w}`).toEqual(plain(m[w]));
            }
          },
          { textPatches: "replace" },
        );
        expect(s0.toJSON()).toEqual(json0);
        const fwd = applyPatches(s0, patches);
        const back = applyPatches(s1, inverse);
        expect(fwd.toJSON()).toEqual(s1.toJSON());
        expect(back.toJSON()).toEqual(json0);
        expect(immerApply(structuredClone(json0) as object, patches as never)).toEqual(s1.toJSON());
        // re-setting every present value (texts by their string) changes nothing
        const same = produce(s1, (d) => {
          for (const [k, v] of d.texts) d.texts.set(k, String(v) as never);
          for (const [k, v] of d.recs) d.recs.set(k, v);
          for (const [k, v] of d.nums) d.nums.set(k, v);
          for (const k of d.set) d.set.add(k);
        });
        expect(same === s1).toBe(true);
        for (const s of new Set([back, fwd, s1, s0])) s.release();
        expect(p.framesInUse).toBe(0);
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  });
});
