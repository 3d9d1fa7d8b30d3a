/**
 * The value and key round trip against a native Map model: random
 * set/delete/get/fork sequences whose values are drawn from every kind the
 * codec handles (undefined, null, NaN, -0, bigints of any size, Date
 * (invalid too), RegExp, boxed primitives, Errors, ArrayBuffer, every
 * TypedArray (views at an offset too), DataView, arrays with holes and
 * sparse arrays, objects with symbol keys, Map and Set (with -0, NaN and
 * object keys), shared references, very long strings, lone surrogates) and
 * keys from arbitraries.ts (-0 against 0, NaN payloads, lone surrogates).
 * The model stores `structuredClone(value)` in a native Map; every read is
 * compared with a strict structural equality (prototypes, holes, -0, NaN,
 * Map/Set order, typed array kinds, aliasing inside the value). The
 * README's documented differences from structuredClone are what the
 * comparison leaves out: a view comes back over a buffer of its own bytes
 * (byteOffset 0), an Error's stack, non-index properties of arrays (not
 * generated).
 */
import { FramePool } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { differ, keyArb } from "./arbitraries.js";

type Key = string | number | bigint | boolean | null | undefined;

const TYPED = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** Strings with lone surrogates, astral pairs, Latin-1 and wide code units. */
const str = fc.string({
  unit: fc.constantFrom("a", "é", "ÿ", "€", "😀", "\ud800", "\udc00", "\udbff", "\0"),
  maxLength: 12,
});
/** Long strings on both sides of the inline and scratch limits. */
const longStr = fc
  .tuple(fc.constantFrom("a", "é", "€", "\ud800", "😀"), fc.integer({ min: 9, max: 70_000 }))
  .map(([u, n]) => u.repeat(n).slice(0, n));

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, Number.NaN, -0, 0, true, false, Infinity, -Infinity, Number.MIN_VALUE),
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
  fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n),
  str,
  { arbitrary: longStr, weight: 1 },
  fc.oneof(fc.integer({ min: -1e15, max: 1e15 }), fc.constant(Number.NaN)).map((t) => new Date(t)),
  fc
    .tuple(fc.constantFrom("a+b", "\\d{2}", "^x$", "[\\ud800]", "(?<n>y)"), fc.subarray(["g", "i", "m", "s", "y"]))
    .map(([src, flags]) => {
      const r = new RegExp(src, flags.join(""));
      r.lastIndex = 3; // structuredClone does not keep it
      return r;
    }),
  fc.oneof(fc.double(), fc.constant(-0)).map((n) => new Number(n)),
  str.map((s) => new String(s)),
  fc.boolean().map((b) => new Boolean(b)),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((b) => Object(b) as object),
  fc.tuple(fc.constantFrom(Error, TypeError, RangeError, SyntaxError), str).map(([E, msg]) => new E(msg)),
  fc
    .tuple(fc.integer({ min: 0, max: TYPED.length - 1 }), fc.array(fc.double(), { maxLength: 12 }), fc.nat(3))
    .map(([i, xs, off]) => {
      const C = TYPED[i] as (typeof TYPED)[number];
      const big = C === BigInt64Array || C === BigUint64Array;
      const whole = new C(xs.length + off);
      xs.forEach((x, j) => {
        (whole as unknown as unknown[])[j + off] = big ? BigInt(Math.trunc(Number.isFinite(x) ? x % 1e15 : 0)) : x;
      });
      return off === 0 ? whole : whole.subarray(off); // a view at an offset
    }),
  fc
    .tuple(fc.uint8Array({ maxLength: 16 }), fc.nat(4))
    .map(([b, off]) => new DataView(b.buffer, Math.min(off, b.length))),
  fc.uint8Array({ maxLength: 16 }).map((b) => b.buffer),
);

/** Values: leaves, and containers of values (arrays with holes, objects with symbol keys, Map, Set), sometimes shared. */
const value: fc.Arbitrary<unknown> = fc
  .letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc
        .tuple(fc.array(tie("node"), { maxLength: 5 }), fc.array(fc.nat(7), { maxLength: 3 }), fc.nat(20))
        .map(([xs, holes, grow]) => {
          const a = [...xs];
          for (const h of holes) delete a[h % Math.max(1, a.length)];
          if (grow > 15) a.length += grow; // sparse tail
          return a;
        }),
      fc
        .tuple(fc.dictionary(fc.string({ maxLength: 4 }), tie("node"), { maxKeys: 4 }), fc.boolean())
        .map(([o, sym]) => {
          if (sym) (o as Record<symbol, unknown>)[Symbol("s")] = 1; // structuredClone drops symbol keys
          return o;
        }),
      fc.array(fc.tuple(fc.oneof(keyArb, tie("node")), tie("node")), { maxLength: 4 }).map((es) => new Map(es)),
      fc.array(fc.oneof(keyArb, tie("node")), { maxLength: 4 }).map((es) => new Set(es)),
      fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((xs) => ({ a: xs[0], b: xs[0], rest: xs })), // shared
    ),
  }))
  .node.filter((v) => {
    try {
      structuredClone(v);
      return true;
    } catch {
      return false;
    }
  });

type Op = { op: "set"; k: Key; v: unknown } | { op: "delete"; k: Key } | { op: "get"; k: Key } | { op: "fork" };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("set" as const), k: keyArb, v: value }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), k: keyArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("get" as const), k: keyArb }) },
  { weight: 1, arbitrary: fc.constant({ op: "fork" as const }) },
);

describe("CowMap values against a native Map of structuredClone copies", () => {
  it("every read equals the model's structuredClone, keys by SameValueZero, in order; no frame leaks", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), fc.constantFrom(256, 4096), (ops, pageSize) => {
        const pool = new FramePool({ pageSize });
        let m = new CowMap<Key, unknown>(null, { pool });
        const old: CowMap<Key, unknown>[] = [];
        const model = new Map<Key, unknown>();
        for (const o of ops) {
          if (o.op === "set") {
            m.set(o.k, o.v);
            model.set(o.k, structuredClone(o.v));
          } else if (o.op === "delete") {
            expect(m.delete(o.k)).toBe(model.delete(o.k));
          } else if (o.op === "get") {
            expect(m.has(o.k)).toBe(model.has(o.k));
            expect(differ(m.get(o.k), model.get(o.k))).toBe("");
          } else {
            old.push(m);
            m = m.fork();
          }
        }
        const keys = [...m.keys()];
        expect(keys.length).toBe(model.size);
        [...model.keys()].forEach((k, i) => {
          expect(Object.is(keys[i], k), `key ${i}`).toBe(true); // -0 comes back +0, as the native Map's
        });
        const vals = [...m.values()];
        [...model.values()].forEach((v, i) => {
          expect(differ(vals[i], v)).toBe("");
        });
        for (const x of [m, ...old]) x.release();
        expect(pool.stats().framesInUse).toBe(0);
        expect(pool.stats().pageTableNodes).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it("CowSet elements against a native Set: -0 is +0, NaN is one, lone surrogates kept", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), keyArb), { maxLength: 40 }), (ops) => {
        const pool = new FramePool({ pageSize: 256 });
        const s = new CowSet<Key>(null, { pool });
        const model = new Set<Key>();
        for (const [add, k] of ops) {
          if (add) {
            s.add(k);
            model.add(k);
          } else expect(s.delete(k)).toBe(model.delete(k));
          expect(s.has(k)).toBe(model.has(k));
        }
        const got = [...s];
        const want = [...model];
        expect(got.length).toBe(want.length);
        want.forEach((k, i) => {
          expect(Object.is(got[i], k), `element ${i}`).toBe(true);
        });
        s.release();
        expect(pool.stats().framesInUse).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
