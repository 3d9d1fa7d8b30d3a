/**
 * Typed-array drafts against native typed arrays: random sequences of index
 * writes (in and out of range), `set` (fitting or not), `fill`, `copyWithin`,
 * `sort` (default order, a comparator, a comparator that throws and is
 * caught) and `reverse`, each run on a native copy and on the draft, inside
 * one recipe that catches what they throw. The draft must throw the same
 * error class, end equal to the native array, and its patches and inverse
 * patches must apply; with every version released no frame is left.
 */
import { applyPatches, createState, produce, produceWithPatches, type State, t } from "@pagefork/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pool } from "./support.js";

const S = t.struct({ u: t.uint8Array(600), f: t.float32Array(70), b: t.bigInt64Array(40) });
type Field = "u" | "f" | "b";
// biome-ignore lint/suspicious/noExplicitAny: native arrays and drafts driven by the same ops
type Any = any;

const field = fc.constantFrom<Field>("u", "f", "b");
const idx = fc.integer({ min: -5, max: 610 });
const num = fc.oneof(fc.integer({ min: -300, max: 300 }), fc.constantFrom(-0, Number.NaN, 0.5));
const op = fc.oneof(
  fc.record({ k: fc.constant("at"), f: field, i: idx, v: num }),
  fc.record({ k: fc.constant("set"), f: field, off: idx, v: fc.array(num, { maxLength: 80 }) }),
  fc.record({ k: fc.constant("fill"), f: field, v: num, a: fc.option(idx), b: fc.option(idx) }),
  fc.record({ k: fc.constant("copyWithin"), f: field, t: idx, a: idx, b: fc.option(idx) }),
  fc.record({ k: fc.constant("sort"), f: field, how: fc.constantFrom("default", "desc", "throws") }),
  fc.record({ k: fc.constant("reverse"), f: field }),
);

function value(f: Field, v: number): number | bigint {
  return f === "b" ? BigInt(Number.isFinite(v) ? Math.trunc(v) : 0) : v;
}

/** Runs `x` on `a` (a native typed array or a draft); the error's class name, or "". */
function run(a: Any, x: Any): string {
  try {
    switch (x.k) {
      case "at":
        a[x.i] = value(x.f, x.v);
        break;
      case "set":
        a.set(
          x.v.map((v: number) => value(x.f, v)),
          x.off,
        );
        break;
      case "fill":
        // start 0, not undefined: Node 20's V8 fills the whole array for
        // `fill(v, undefined, 0)` (the spec, and the draft, fill nothing)
        a.fill(value(x.f, x.v), x.a ?? 0, x.b ?? undefined);
        break;
      case "copyWithin":
        a.copyWithin(x.t, x.a, x.b ?? undefined);
        break;
      case "sort":
        if (x.how === "default") a.sort();
        else if (x.how === "desc") a.sort((p: Any, q: Any) => (p < q ? 1 : p > q ? -1 : 0));
        else
          a.sort(() => {
            throw new SyntaxError("comparator");
          });
        break;
      case "reverse":
        a.reverse();
        break;
    }
    return "";
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

function json(model: Record<Field, Any>): unknown {
  return { u: [...model.u], f: [...model.f], b: [...model.b].map(String) };
}

describe("typed-array drafts vs native typed arrays", () => {
  it("random method sequences, errors caught inside the recipe", () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 8 }), { maxLength: 6 }), (steps) => {
        const p = pool();
        const model: Record<Field, Any> = {
          u: new Uint8Array(600).map((_, i) => i * 7),
          f: new Float32Array(70).map((_, i) => i - 30),
          b: new BigInt64Array(40).map((_, i) => BigInt(i * 3 - 50)),
        };
        let s: State<typeof S> = createState(S, model as never, { pool: p });
        const kept = [s];
        for (const ops of steps) {
          const before = JSON.stringify(s.toJSON());
          const want = ops.map((x) => run(model[x.f as Field], x));
          let got: string[] = [];
          const [n, fwd, inv] = produceWithPatches(s, (d) => {
            got = ops.map((x) => run((d as Any)[x.f], x));
          });
          expect(got).toEqual(want);
          expect(n.toJSON()).toEqual(json(model));
          expect(JSON.stringify(s.toJSON())).toBe(before);
          const a = applyPatches(s, fwd); // not through JSON: it writes -0 as 0 and NaN as null
          expect(a.toJSON()).toEqual(n.toJSON());
          const b = applyPatches(n, inv);
          expect(b.toJSON()).toEqual(s.toJSON());
          for (const x of [a, b]) if (x !== s && x !== n) x.release();
          if (n !== s) kept.push(n);
          s = n;
        }
        for (const k of kept) k.release();
        expect(p.framesInUse).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it("a comparator that throws changes nothing and the recipe goes on", () => {
    const p = pool();
    const s0 = createState(
      S,
      { u: new Uint8Array(600).fill(1), f: new Float32Array(70), b: new BigInt64Array(40) },
      { pool: p },
    );
    const s1 = produceWithPatches(s0, (d) => {
      d.u[0] = 5;
      expect(() =>
        d.u.sort(() => {
          throw new SyntaxError("comparator");
        }),
      ).toThrow(SyntaxError);
      d.u[1] = 6;
    })[0];
    expect(s1.root.u.slice(0, 3)).toEqual(new Uint8Array([5, 6, 1]));
    s1.release();
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});

describe("typed-array draft keys as native", () => {
  it("a numeric key that is no index is ignored after converting the value; an out-of-range one converts too", () => {
    const p = pool();
    const s0 = createState(
      S,
      { u: new Uint8Array(600), f: new Float32Array(70), b: new BigInt64Array(40) },
      { pool: p },
    );
    const s1 = produce(s0, (d) => {
      const u = d.u as Any;
      for (const k of ["-1", "1.5", "-0", "NaN", "Infinity", "1e+21"]) u[k] = 7;
      expect(() => {
        (d.b as Any)["-1"] = 1; // a number into a BigInt kind: TypeError, as natively
      }).toThrow(TypeError);
      expect(() => {
        (d.b as Any)[100] = 1;
      }).toThrow(TypeError);
      expect(() => {
        u.foo = 1;
      }).toThrow(TypeError);
    });
    expect(s1).toBe(s0);
    s0.release();
    expect(p.framesInUse).toBe(0);
  });
});
