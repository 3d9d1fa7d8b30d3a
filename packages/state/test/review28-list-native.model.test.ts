/**
 * List drafts against native Arrays: random sequences of Array calls with
 * odd arguments (negative, fractional, NaN, Infinity, string and missing
 * indices; `splice`, `copyWithin`, `fill`, `at`, `with`, `toSpliced`,
 * `length` assignment, index assignment at and past the end, `reverse`,
 * `sort` with odd comparators: inconsistent, NaN, string results, throwing)
 * run on a native array and on the draft in one recipe that catches what
 * they throw. The draft must return what the native call returns, throw the
 * same error class (a call that would leave holes is refused with a
 * SchemaError: a list cannot have holes), and hold what the native array
 * holds after every call. Then: patches applied to the base give the result
 * (ours, and Immer's applyPatches on the base's JSON), inverse patches give
 * the base, the base is untouched, and no frame is left. The same calls in
 * a recipe that then throws change nothing and keep no frame.
 */
import { applyPatches, createState, produceWithPatches, SchemaError, t } from "@pagefork/state";
import fc from "fast-check";
import { enablePatches, applyPatches as immerApply } from "immer";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

enablePatches();

const S = t.struct({
  l: t.list(t.string),
  r: t.list(t.struct({ id: t.string, v: t.u8 })),
  f: t.list(t.nullable(t.f64)),
});
type Which = "l" | "r" | "f";
// biome-ignore lint/suspicious/noExplicitAny: native arrays and drafts driven by the same calls
type Any = any;

const arg = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -8, max: 8 }) },
  fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, -1.5, "2", "-1", "x"),
);
const val = fc.nat(4);
const cmp = fc.constantFrom("none", "asc", "desc", "zero", "one", "nan", "string", "inconsistent", "throws");
const op = fc.oneof(
  fc.record({ k: fc.constant("push"), xs: fc.array(val, { maxLength: 3 }) }),
  fc.record({ k: fc.constant("pop") }),
  fc.record({ k: fc.constant("shift") }),
  fc.record({ k: fc.constant("unshift"), xs: fc.array(val, { maxLength: 3 }) }),
  fc.record({ k: fc.constant("splice"), n: fc.nat(2), a: arg, b: arg, xs: fc.array(val, { maxLength: 3 }) }),
  fc.record({ k: fc.constant("copyWithin"), t: arg, a: arg, b: arg }),
  fc.record({ k: fc.constant("fill"), v: val, a: arg, b: arg }),
  fc.record({ k: fc.constant("at"), a: arg }),
  fc.record({ k: fc.constant("with"), a: arg, v: val }),
  fc.record({ k: fc.constant("toSpliced"), a: arg, b: arg, xs: fc.array(val, { maxLength: 2 }) }),
  fc.record({ k: fc.constant("index"), i: fc.integer({ min: 0, max: 9 }), v: val }),
  fc.record({ k: fc.constant("length"), n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ k: fc.constant("reverse") }),
  fc.record({ k: fc.constant("sort"), c: cmp }),
  fc.record({ k: fc.constant("move"), i: fc.nat(6), j: fc.nat(6) }),
  fc.record({ k: fc.constant("write"), i: fc.nat(6), v: val }),
  fc.record({ k: fc.constant("reads"), v: val }),
);

function item(w: Which, v: number): unknown {
  return w === "l" ? `s${v}` : w === "r" ? { id: `s${v}`, v } : v === 0 ? null : v / 2;
}

/** A comparator of kind `c` on elements of list `w` (records compare by id). */
function comparator(w: Which, c: string): ((a: Any, b: Any) => unknown) | undefined {
  const key = (x: Any) => (w === "r" ? x.id : x);
  let calls = 0;
  switch (c) {
    case "none":
      return undefined;
    case "asc":
      return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
    case "desc":
      return (a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0);
    case "zero":
      return () => 0;
    case "one":
      return () => 1;
    case "nan":
      return () => Number.NaN;
    case "string":
      return (a, b) => (key(a) < key(b) ? "-1" : "1");
    case "inconsistent":
      return () => (calls++ % 3) - 1;
    default:
      return () => {
        if (calls++ === 2) throw new RangeError("comparator");
        return -1;
      };
  }
}

/** JSON-comparable form of a return value (drafts and records by their JSON). */
function plain(x: unknown): unknown {
  return x === undefined ? "undefined" : JSON.parse(JSON.stringify(x) ?? "null");
}

/** Runs `x` on `a`: [what it returned, as plain data; the error's class name or ""]. */
function run(a: Any, w: Which, x: Any, draft: boolean): [unknown, string] {
  try {
    switch (x.k) {
      case "push":
        return [a.push(...x.xs.map((v: number) => item(w, v))), ""];
      case "pop":
        return [plain(a.pop()), ""];
      case "shift":
        return [plain(a.shift()), ""];
      case "unshift":
        return [a.unshift(...x.xs.map((v: number) => item(w, v))), ""];
      case "splice": {
        const items = x.xs.map((v: number) => item(w, v));
        const args = [x.a, x.b, ...items].slice(0, x.n === 0 ? 1 : x.n === 1 ? 2 : 2 + items.length);
        return [plain(a.splice(...args)), ""];
      }
      case "copyWithin":
        a.copyWithin(x.t, x.a, x.b);
        return [null, ""];
      case "fill":
        // a native fill of a record puts one object in many slots: give each its own copy after
        a.fill(item(w, x.v), x.a, x.b);
        return [null, ""];
      case "at":
        return [plain(a.at(x.a)), ""];
      case "with":
        return [plain(a.with(x.a, item(w, x.v))), ""];
      case "toSpliced":
        return [plain(a.toSpliced(x.a, x.b, ...x.xs.map((v: number) => item(w, v)))), ""];
      case "index":
        if (!draft && x.i > a.length) return [null, "SchemaError"]; // native would leave holes
        a[x.i] = item(w, x.v);
        return [null, ""];
      case "length":
        if (!draft && x.n > a.length) return [null, "SchemaError"]; // native would grow holes
        a.length = x.n;
        return [null, ""];
      case "reverse":
        a.reverse();
        return [null, ""];
      case "sort":
        a.sort(comparator(w, x.c));
        return [null, ""];
      case "move":
        if (x.i < a.length && x.j <= a.length - 1) a.splice(x.j, 0, ...a.splice(x.i, 1));
        return [null, ""];
      case "write":
        if (w === "r" && x.i < a.length) a[x.i].v = x.v;
        return [null, ""];
      default:
        return [
          plain([
            a.indexOf(item(w, x.v)),
            a.includes(item(w, x.v)),
            a.join("|"),
            a.slice(-2),
            Object.keys(a),
            a.length,
            a.findLastIndex((e: Any) => JSON.stringify(e) === JSON.stringify(item(w, x.v))),
            [...a.entries()],
          ]),
          "",
        ];
    }
  } catch (e) {
    return [null, e instanceof SchemaError ? "SchemaError" : (e as Error).constructor.name];
  }
}

describe("list drafts against native arrays", () => {
  it("every call returns, throws and leaves what the native call does; patches apply", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Which>("l", "r", "f"),
        fc.array(val, { maxLength: 6 }),
        fc.array(op, { minLength: 1, maxLength: 12 }),
        (w, init, ops) => {
          const p = pool();
          const data = {
            l: init.map((v) => item("l", v)),
            r: init.map((v) => item("r", v)),
            f: init.map((v) => item("f", v)),
          };
          const s0 = createState(S, structuredClone(data) as never, { pool: p });
          const json0 = s0.toJSON();
          const frames = p.framesInUse;
          const edits = (d: Any) => {
            const copy: Any[] = JSON.parse(JSON.stringify(data[w]));
            for (const x of ops) {
              run(copy, w, x, false);
              run(d[w], w, x, true);
            }
          };
          // the same calls, then a throw: the produce fails and changes nothing
          expect(() =>
            produceWithPatches(s0, (d) => {
              edits(d);
              throw new URIError("recipe");
            }),
          ).toThrow(URIError);
          expect(s0.toJSON()).toEqual(json0);
          expect(p.framesInUse).toBe(frames);
          let native: Any[] = structuredClone(data[w]);
          const [s1, patches, inverse] = produceWithPatches(s0, (d) => {
            for (const x of ops) {
              const want = run(native, w, x, false);
              const got = run(d[w], w, x, true);
              expect(got, JSON.stringify(x)).toEqual(want);
              native = JSON.parse(JSON.stringify(native)); // no object in two slots (a fill of a record; structuredClone keeps the sharing)
              expect(plain(d[w]), JSON.stringify(x)).toEqual(plain(native));
            }
          });
          expect((s1.toJSON() as Any)[w]).toEqual(plain(native));
          expect(s0.toJSON()).toEqual(json0);
          const fwd = applyPatches(s0, patches);
          const back = applyPatches(s1, inverse);
          expect(fwd.toJSON()).toEqual(s1.toJSON());
          expect(back.toJSON()).toEqual(json0);
          expect(immerApply(structuredClone(json0) as object, patches as never)).toEqual(s1.toJSON());
          expect(immerApply(structuredClone(s1.toJSON()) as object, inverse as never)).toEqual(json0);
          for (const s of new Set([back, fwd, s1, s0])) s.release();
          expect(p.framesInUse).toBe(0);
        },
      ),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  });
});
