/**
 * Argument conversion and error order against the native TypedArray methods:
 * each method runs on a native array and on a COW array of the same kind and
 * contents with the same arguments, built fresh for each side from one
 * description. Arguments include every type the conversions treat apart
 * (numbers in and out of range, NaN, infinities, bigints, strings, symbols,
 * null, undefined, objects whose `valueOf` logs its call, or throws its own
 * error). The two sides must throw the same error class (checked first: a
 * RangeError where native checks a range before a type, and so on), make the
 * same `valueOf` calls in the same order, and return the same result.
 *
 * The documented differences are left out: `set(number, ...)` is the COW
 * element form, and a throwing `set(arrayLike)` writes nothing (natively the
 * elements converted before the failing one are written), so contents are
 * compared only after calls that returned.
 */
import { FramePool } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AnyCow, expectSameElements, KINDS, type Kind, lit, type Scalar } from "./support.js";

/** The error a "throwing" argument throws: neither a TypeError nor a RangeError, so its position shows. */
class Boom extends Error {}

/** One argument, described so that each side gets its own fresh copy. */
type Arg =
  | { t: "value"; v: unknown }
  | { t: "symbol" }
  | { t: "tracer"; id: number; inner: number | bigint | string }
  | { t: "thrower"; id: number }
  | { t: "fn" };

/** A `set` source, described likewise. */
type Src =
  | { t: "array"; items: Arg[] }
  | { t: "native"; kind: number; items: number[] }
  | { t: "cow"; kind: number; items: number[] }
  | { t: "value"; v: unknown }
  | { t: "lengthOnly"; length: Arg };

const argArb: fc.Arbitrary<Arg> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .oneof(
        fc.integer({ min: -9, max: 12 }),
        fc.constantFrom(-0, 0.5, -1.5, 2.7, Number.NaN, Infinity, -Infinity, 2 ** 32, 2 ** 53, -(2 ** 53), 1e21),
        fc.constantFrom(0n, 1n, -1n, 2n ** 64n),
        fc.constantFrom("2", "-1", "x", "", " 3 ", "1n", "0x10"),
        fc.constantFrom(undefined, null, true, false),
      )
      .map((v) => ({ t: "value" as const, v })),
  },
  { weight: 1, arbitrary: fc.constant({ t: "symbol" as const }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(99), fc.oneof(fc.integer({ min: -5, max: 9 }), fc.constantFrom(1n, "3", Number.NaN)))
      .map(([id, inner]) => ({ t: "tracer" as const, id, inner })),
  },
  { weight: 1, arbitrary: fc.nat(99).map((id) => ({ t: "thrower" as const, id })) },
);

const srcArb: fc.Arbitrary<Src> = fc.oneof(
  { weight: 3, arbitrary: fc.array(argArb, { maxLength: 6 }).map((items) => ({ t: "array" as const, items })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(KINDS.length - 1), fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 7 }))
      .map(([kind, items]) => ({ t: "native" as const, kind, items })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(KINDS.length - 1), fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 7 }))
      .map(([kind, items]) => ({ t: "cow" as const, kind, items })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, undefined, "123", "ab", true).map((v) => ({ t: "value" as const, v })),
  },
  { weight: 1, arbitrary: argArb.map((length) => ({ t: "lengthOnly" as const, length })) },
);

/** Builds arguments for one side, logging the `valueOf` calls of its tracers. */
class Side {
  readonly log: string[] = [];
  readonly made: AnyCow[] = [];
  constructor(
    readonly pool: FramePool | null,
    readonly kind: Kind,
  ) {}
  arg(a: Arg): unknown {
    const log = this.log;
    switch (a.t) {
      case "value":
        return a.v;
      case "symbol":
        return Symbol("s");
      case "tracer":
        return {
          valueOf() {
            log.push(`t${a.id}`);
            return a.inner;
          },
        };
      case "fn":
        return (x: unknown) => x; // a callback, comparator or reducer that returns its first argument
      default:
        return {
          valueOf() {
            log.push(`b${a.id}`);
            throw new Boom(`b${a.id}`);
          },
        };
    }
  }
  typed(kind: Kind, items: number[], cow: boolean): unknown {
    const values = kind.bigint ? items.map((x) => BigInt(x)) : items;
    if (!cow || this.pool === null) return kind.Native.from(values);
    const c = kind.Cow.from(values, { pool: this.pool });
    this.made.push(c);
    return c;
  }
  src(s: Src): unknown {
    switch (s.t) {
      case "array":
        return s.items.map((a) => this.arg(a));
      case "native":
        return this.typed(KINDS[s.kind] as Kind, s.items, false);
      case "cow":
        return this.typed(KINDS[s.kind] as Kind, s.items, true);
      case "value":
        return s.v;
      default:
        return { length: this.arg(s.length), 0: this.kind.bigint ? 5n : 5 };
    }
  }
}

/** What a call did: its error's class, or its result, plus the conversions it made. */
interface Outcome {
  error: string | null;
  result: unknown;
  contents: Scalar[];
  log: string[];
}

function errorClass(e: unknown): string {
  if (e instanceof Boom) return "Boom";
  if (e instanceof TypeError) return "TypeError";
  if (e instanceof RangeError) return "RangeError";
  if (e instanceof SyntaxError) return "SyntaxError";
  return `other: ${String(e)}`;
}

/** A comparable form of a result: typed arrays (native or COW) as their elements. */
function plain(r: unknown, made: AnyCow[]): unknown {
  if (r !== null && typeof r === "object") {
    const cow = typeof (r as AnyCow).toTypedArray === "function";
    if (cow) made.push(r as AnyCow);
    if (cow || ArrayBuffer.isView(r)) {
      // A huge array (the constructor with a length of 2 ** 32: V8 makes one lazily) by its length and ends only.
      const a = r as ArrayLike<Scalar> & { length: number; at(i: number): Scalar | undefined };
      if (a.length > 4096) return [`length ${a.length}`, a.at(0), a.at(-1)];
      return Array.from((cow ? (r as AnyCow).toTypedArray() : r) as ArrayLike<Scalar>);
    }
  }
  return r;
}

type Call = (a: unknown, side: Side) => unknown;

function run(kind: Kind, init: number[], call: Call, pool: FramePool | null): Outcome {
  const side = new Side(pool, kind);
  const values = kind.bigint ? init.map((x) => BigInt(x)) : init;
  const target = pool === null ? kind.Native.from(values) : kind.Cow.from(values, { pool });
  const out: Outcome = { error: null, result: undefined, contents: [], log: side.log };
  try {
    out.result = plain(call(target, side), side.made);
  } catch (e) {
    out.error = errorClass(e);
  }
  out.contents = Array.from(
    (pool === null ? target : (target as AnyCow).toTypedArray()) as ArrayLike<Scalar>,
  ) as Scalar[];
  if (pool !== null) {
    for (const c of side.made) if (c !== target) c.release();
    (target as AnyCow).release();
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: methods of either element type
type Any = any;

/** The methods, each as a call taking the argument descriptions. */
const methods: [string, fc.Arbitrary<{ call: Call; show: string }>][] = [
  [
    "set(source, offset)",
    fc.tuple(srcArb, fc.option(argArb, { nil: undefined })).map(([s, o]) => ({
      call: (a: Any, side: Side) => (o === undefined ? a.set(side.src(s)) : a.set(side.src(s), side.arg(o))),
      show: `set(${JSON.stringify(s, show)}, ${JSON.stringify(o, show)})`,
    })),
  ],
  ...(
    [
      ["subarray", 2],
      ["slice", 2],
      ["fill", 3],
      ["copyWithin", 3],
      ["with", 2],
      ["at", 1],
      ["indexOf", 2],
      ["lastIndexOf", 2],
      ["includes", 2],
      ["join", 1],
    ] as const
  ).map(
    ([name, arity]) =>
      [
        name,
        fc.array(argArb, { minLength: 0, maxLength: arity }).map((args) => ({
          call: (a: Any, side: Side) =>
            name === "with" && side.pool === null
              ? nativeWith(
                  a,
                  args.length > 0 ? side.arg(args[0] as Arg) : undefined,
                  args.length > 1 ? side.arg(args[1] as Arg) : undefined,
                )
              : a[name](
                  ...args.map((x, i) =>
                    // V8 11.3's native fill ignores `end` after an undefined `start` (the spec reads it as 0)
                    name === "fill" && i === 1 && side.pool === null && x.t === "value" && x.v === undefined
                      ? 0
                      : side.arg(x),
                  ),
                ),
          show: `${name}(${args.map((x) => JSON.stringify(x, show)).join(", ")})`,
        })),
      ] as [string, fc.Arbitrary<{ call: Call; show: string }>],
  ),
];

/**
 * `a.with(index, value)` in the specification's order (ECMA-262 23.2.3.36:
 * ToIntegerOrInfinity(index), then ToNumber or ToBigInt of value): V8 11.3
 * (Node 20) converts `value` first.
 */
function nativeWith(a: Any, index: unknown, value: unknown): unknown {
  const i = +(index as number); // ToNumber: a symbol or bigint throws TypeError, an object calls valueOf
  return a.with(Number.isNaN(i) ? 0 : i, value);
}

const fnOrArgArb: fc.Arbitrary<Arg> = fc.oneof(argArb, fc.constant({ t: "fn" as const }));

/** Methods taking a callback or comparator: a non-callable one is a TypeError before anything else. */
for (const name of [
  "sort",
  "toSorted",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "every",
  "some",
  "forEach",
  "map",
  "filter",
  "reduce",
  "reduceRight",
]) {
  methods.push([
    name,
    fc.array(fnOrArgArb, { maxLength: 1 }).map((args) => ({
      call: (a: Any, side: Side) => a[name](...args.map((x) => side.arg(x))),
      show: `${name}(${args.map((x) => JSON.stringify(x, show)).join(", ")})`,
    })),
  ]);
}

/**
 * The constructor with one argument: a length (ToIndex) or a source. Lengths
 * past 2 ** 30 are left out: V8 refuses a BigInt64Array of 2 ** 32 elements
 * (32 GiB), a COW array makes it (its pages cost nothing until written).
 */
const notHuge = (a: Arg) => !(a.t === "value" && typeof a.v === "number" && a.v > 2 ** 30);
methods.push([
  "constructor",
  fc.option(argArb.filter(notHuge), { nil: undefined }).map((x) => ({
    call: (_a: Any, side: Side) => {
      const arg = x === undefined ? undefined : side.arg(x);
      return side.pool === null ? new side.kind.Native(arg) : new side.kind.Cow(arg, { pool: side.pool });
    },
    show: `new (${JSON.stringify(x, show)})`,
  })),
]);

/** JSON replacer that keeps bigints, NaN and -0 readable. */
function show(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return lit(v);
  if (v === undefined) return "undefined";
  return v;
}

describe("argument conversion and error order match the native TypedArray methods (C7)", () => {
  it("set of a typed source checks the offset before the content type", () => {
    const n = (() => {
      try {
        new BigInt64Array(4).set(new Float64Array(1) as unknown as BigInt64Array, 4);
      } catch (e) {
        return errorClass(e);
      }
    })();
    expect(n).toBe("RangeError");
    for (const k of KINDS) {
      const other = KINDS.find((o) => o.bigint !== k.bigint) as Kind;
      const a = new k.Cow(4);
      expect(() => a.set(new other.Native(1), 4)).toThrow(RangeError);
      expect(() => a.set(other.Cow.of(other.bigint ? 1n : 1), 4)).toThrow(RangeError);
      expect(() => a.set(new other.Native(1), 3)).toThrow(TypeError);
      a.release();
    }
  });

  for (const [name, arb] of methods) {
    it(`${name}: same error class, conversions and result as native`, () => {
      const pool = new FramePool({ pageSize: 256 });
      fc.assert(
        fc.property(
          fc.constantFrom(...KINDS),
          fc.array(fc.integer({ min: -100, max: 100 }), { maxLength: 9 }),
          arb,
          (kind, init, { call, show: text }) => {
            const native = run(kind, init, call, null);
            const cow = run(kind, init, call, pool);
            const what = `${kind.name}Array.from(${lit(init)}).${text}`;
            expect(cow.error, `${what}: error`).toBe(native.error);
            expect(cow.log, `${what}: valueOf calls`).toEqual(native.log);
            if (native.error === null) {
              if (Array.isArray(native.result))
                expectSameElements(cow.result as Scalar[], native.result as Scalar[], `${what}: result`);
              else expect(Object.is(cow.result, native.result), `${what}: result ${lit(cow.result)}`).toBe(true);
              expectSameElements(cow.contents, native.contents, `${what}: contents`);
            }
          },
        ),
        { numRuns: 250 },
      );
      expect(pool.framesInUse).toBe(0);
    });
  }
});
