/**
 * Struct drafts against plain objects under reflection: after random field
 * assignments, deletes of optional fields, `Object.assign`, and refused
 * writes (an unknown key, a wrong type, a delete of a required field: a
 * SchemaError that changes nothing), the draft must answer `Object.keys`,
 * `Reflect.ownKeys`, `Object.entries`, `in`, `Object.hasOwn`,
 * `getOwnPropertyDescriptor`, spread and `JSON.stringify` as the plain object
 * holding the same fields does; `defineProperty` is refused with a TypeError
 * (as Immer's drafts do) and changes nothing. Patches apply both ways (ours
 * and Immer's on the JSON), the base is untouched, no frame is left.
 */
import { applyPatches, createState, produceWithPatches, SchemaError, t } from "@pagefork/state";
import fc from "fast-check";
import { enablePatches, applyPatches as immerApply } from "immer";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

enablePatches();

const S = t.struct({
  a: t.u8,
  b: t.optional(t.string),
  c: t.nullable(t.f64),
  d: t.optional(t.struct({ x: t.u8 })),
  e: t.text(),
  f: t.optional(t.list(t.u8)),
});
// biome-ignore lint/suspicious/noExplicitAny: a draft and a plain object driven alike
type Any = any;

const field = fc.constantFrom("a", "b", "c", "d", "e", "f");
const value = (k: string, v: number): unknown =>
  ({ a: v, b: `s${v}`, c: v % 2 === 0 ? null : v / 4, d: { x: v }, e: `t${v}`, f: [v, v] })[k];
const op = fc.oneof(
  fc.record({ k: fc.constant("assign"), f: field, v: fc.nat(3) }),
  fc.record({ k: fc.constant("delete"), f: field }),
  fc.record({ k: fc.constant("objectAssign"), f: field, g: field, v: fc.nat(3) }),
  fc.record({ k: fc.constant("unknown"), f: fc.constantFrom("zz", "toString", "__proto__", "constructor", "0") }),
  fc.record({ k: fc.constant("deleteUnknown"), f: fc.constantFrom("zz", "toString", "0") }),
  fc.record({ k: fc.constant("wrong"), f: field }),
  fc.record({ k: fc.constant("define"), f: field, v: fc.nat(3) }),
  fc.record({ k: fc.constant("inner"), v: fc.nat(3) }),
);

const OPTIONAL = new Set(["b", "d", "f"]);

/** Applies `x` to the plain model `m` (what the draft should then hold); the error class a draft throws, or "". */
function model(m: Any, x: Any): string {
  switch (x.k) {
    case "assign":
      m[x.f] = value(x.f, x.v);
      return "";
    case "delete":
      if (!OPTIONAL.has(x.f)) return "SchemaError";
      delete m[x.f];
      return "";
    case "objectAssign":
      Object.assign(m, { [x.f]: value(x.f, x.v), [x.g]: value(x.g, x.v + 1) });
      return "";
    case "unknown":
    case "wrong":
      return "SchemaError";
    case "deleteUnknown":
      return "";
    case "define":
      return "TypeError";
    default:
      if (m.d !== undefined) m.d.x = x.v;
      return "";
  }
}

function onDraft(d: Any, x: Any): string {
  try {
    switch (x.k) {
      case "assign":
        d[x.f] = value(x.f, x.v);
        break;
      case "delete":
        if (!delete d[x.f]) return "false";
        break;
      case "objectAssign":
        Object.assign(d, { [x.f]: value(x.f, x.v), [x.g]: value(x.g, x.v + 1) });
        break;
      case "unknown":
        d[x.f] = 1;
        break;
      case "deleteUnknown":
        if (!delete d[x.f]) return "false";
        break;
      case "wrong":
        d[x.f] = x.f === "a" || x.f === "c" ? "no" : 7;
        break;
      case "define":
        Object.defineProperty(d, x.f, { value: value(x.f, x.v), writable: true, enumerable: true, configurable: true });
        break;
      default:
        if (d.d !== undefined) d.d.x = x.v;
    }
    return "";
  } catch (e) {
    return e instanceof SchemaError ? "SchemaError" : (e as Error).constructor.name;
  }
}

/** What reflection tells of `o`, as plain data. */
function reflect(o: Any): unknown {
  const own = Reflect.ownKeys(o);
  return {
    keys: Object.keys(o),
    own,
    entries: JSON.parse(JSON.stringify(Object.entries(o))),
    in: ["a", "b", "c", "d", "e", "f", "zz", "toString"].map((k) => k in o),
    hasOwn: ["a", "b", "d", "zz", "toString"].map((k) => Object.hasOwn(o, k)),
    desc: own.map((k) => {
      const dsc = Object.getOwnPropertyDescriptor(o, k) as PropertyDescriptor;
      return [dsc.writable, dsc.enumerable, dsc.configurable, JSON.stringify(dsc.value)];
    }),
    missing: Object.getOwnPropertyDescriptor(o, "zz"),
    spread: JSON.stringify({ ...o }),
    json: JSON.stringify(o),
    proto: Object.getPrototypeOf(o) === Object.prototype,
    str: String(o),
  };
}

/** The plain object's JSON as the state writes it (texts as strings): field order is the schema's. */
function ordered(m: Any): Any {
  const out: Any = {};
  for (const k of ["a", "b", "c", "d", "e", "f"]) if (k in m) out[k] = m[k];
  return out;
}

describe("struct drafts under reflection", () => {
  it("answer as the plain object with the same fields", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 10 }), (ops) => {
        const p = pool();
        const init = { a: 1, b: "s", c: null, e: "t" };
        const s0 = createState(S, init, { pool: p });
        const json0 = s0.toJSON();
        const m: Any = structuredClone(init);
        const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
          for (const x of ops) {
            const want = model(m, x);
            expect(onDraft(d, x), JSON.stringify(x)).toBe(want);
            expect(reflect(d), JSON.stringify(x)).toEqual(reflect(ordered(m)));
          }
        });
        expect(s1.toJSON()).toEqual(ordered(m));
        expect(s0.toJSON()).toEqual(json0);
        const fwd = applyPatches(s0, patches);
        const back = applyPatches(s1, inverse);
        expect(fwd.toJSON()).toEqual(s1.toJSON());
        expect(back.toJSON()).toEqual(json0);
        expect(immerApply(structuredClone(json0) as object, patches as never)).toEqual(s1.toJSON());
        expect(immerApply(structuredClone(s1.toJSON()) as object, inverse as never)).toEqual(json0);
        for (const s of new Set([back, fwd, s1, s0])) s.release();
        expect(p.framesInUse).toBe(0);
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  });
});
