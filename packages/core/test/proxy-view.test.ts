/**
 * Proxy views against native typed arrays.
 *
 * The model test runs, for every one of the eleven kinds, random command
 * sequences on views of several spaces of one pool (forks among them) and the
 * same calls on a native typed array of the same kind per space (the model of
 * a fork is a copy). Every call (index reads and writes with canonical
 * numeric keys, every method, with good and bad arguments) must return the
 * same value or throw the same error class as on the native array, and leave
 * the same contents. A frozen version must refuse every write with
 * ProtectionFault and change nothing. At the end every space is released and
 * the pool must hold no frame (the leak check).
 *
 * Replaying a counterexample: commands print as calls on `v0..vN` (views) and
 * `m0..mN` (native models), with the named callbacks of `CALLBACKS` below.
 */
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddressSpace,
  AlignmentFault,
  FramePool,
  InvalidArgumentError,
  ProtectionFault,
  ReleasedError,
  SegmentationFault,
} from "../src/index.js";
import type { ProxyView, ViewArrayConstructor } from "../src/proxy-view.js";
import { bytes, expectRefused, lit } from "./support/helpers.js";

const KINDS: ViewArrayConstructor[] = [
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
];
const PS = 256;
const SIZE = 8 * PS;

type Native = InstanceType<ViewArrayConstructor>;
type AnyView = ProxyView<Native>;
type Dyn = Record<string | symbol, unknown>;

/** A native array of kind `T` over `buffer`. */
const make = (T: ViewArrayConstructor, buffer: ArrayBufferLike) =>
  new (T as unknown as new (b: ArrayBufferLike) => Native)(buffer);

const isBig = (T: ViewArrayConstructor) => T === BigInt64Array || T === BigUint64Array;

// ---- callbacks, named so that a failing command prints a replayable call ----
const CALLBACKS: Record<string, unknown> = {
  positive: (x: number) => x > 0,
  odd: (_x: unknown, i: number) => i % 2 === 1,
  double: (x: number) => x + x,
  sum: (a: number, x: number) => a + x,
  desc: (a: number, b: number) => (a < b ? 1 : a > b ? -1 : 0),
  // Writes ahead of the iteration: the next step must see the new value (live reads).
  carry: (x: number, i: number, a: number[]) => {
    if (i + 1 < a.length) a[i + 1] = (a[i + 1] as number) + x;
  },
  throws: () => {
    throw new SyntaxError("callback threw");
  },
  notCallable: 5,
};

/** An argument: a plain value, a named callback, a model element, or an object whose valueOf returns a value. */
type Arg =
  | { t: "v"; v: unknown }
  | { t: "cb"; name: string }
  | { t: "elem"; k: number }
  | { t: "valueOf"; v: unknown }
  | { t: "array"; items: Arg[] }
  | { t: "typed"; T: ViewArrayConstructor; seed: number; n: number }
  | { t: "view"; slot: number };

function showArg(a: Arg): string {
  switch (a.t) {
    case "v":
      return lit(a.v);
    case "cb":
      return `CALLBACKS.${a.name}`;
    case "elem":
      return `m[${a.k}]`;
    case "valueOf":
      return `{ valueOf: () => ${lit(a.v)} }`;
    case "array":
      return `[${a.items.map(showArg).join(", ")}]`;
    case "typed":
      return `new ${a.T.name}(bytes(${a.seed}, ${a.n * a.T.BYTES_PER_ELEMENT}).buffer)`;
    case "view":
      return `v${a.slot}`;
  }
}

interface Version {
  space: AddressSpace;
  view: AnyView;
  model: Native;
  frozen: boolean;
}
interface Real {
  pool: FramePool;
  T: ViewArrayConstructor;
  length: number;
  byteOffset: number;
  versions: (Version | null)[];
}
type Model = Record<string, never>;

function pick(r: Real, i: number): number {
  const live = r.versions.flatMap((v, k) => (v === null ? [] : [k]));
  return live.length === 0 ? -1 : (live[i % live.length] as number);
}

/** The argument's value for the view side (`forView`) or the model side. */
function resolve(a: Arg, r: Real, model: Native, forView: boolean): unknown {
  switch (a.t) {
    case "v":
      return a.v;
    case "cb":
      return CALLBACKS[a.name];
    case "elem":
      return model[a.k % model.length];
    case "valueOf": {
      const v = a.v;
      return { valueOf: () => v };
    }
    case "array":
      return a.items.map((x) => resolve(x, r, model, forView));
    case "typed":
      return make(a.T, bytes(a.seed, a.n * a.T.BYTES_PER_ELEMENT).buffer);
    case "view": {
      const k = pick(r, a.slot);
      const v = r.versions[k] as Version;
      return forView ? v.view : v.model;
    }
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

/** A comparable form of a call's result: arrays and views by tag and values, `this` as "this". */
function normalize(x: unknown, self: unknown): unknown {
  if (x === self) return "this";
  if (typeof x === "object" && x !== null) {
    // Iterators (native "Array Iterator", ours generators): their values only.
    if (typeof (x as { next?: unknown }).next === "function") return Array.from(x as Iterable<unknown>);
    // Typed arrays and views (subarray): their tag and values.
    return { tag: Object.prototype.toString.call(x), values: Array.from(x as Iterable<unknown>) };
  }
  return x;
}

function run(fn: () => unknown, self: unknown): Outcome {
  try {
    return { ok: true, value: normalize(fn(), self) };
  } catch (e) {
    return { ok: false, error: (e as Error).constructor.name };
  }
}

/** After every command: every live version's view reads exactly as its model, through three paths. */
function checkAll(r: Real): void {
  for (const v of r.versions) {
    if (v === null) continue;
    const want = Array.from(v.model as ArrayLike<unknown>);
    expect([...v.view]).toEqual(want);
    expect(v.view.length).toBe(r.length);
    const raw = new r.T(r.length);
    v.space.read(r.byteOffset, raw);
    expect(Array.from(raw as ArrayLike<unknown>)).toEqual(want);
  }
}

/** Applies `op` to a version's view and model; compares outcomes, or the refusal of a frozen version. */
function differential(r: Real, k: number, op: (target: Dyn, side: "view" | "model") => unknown): void {
  const v = r.versions[k] as Version;
  const m = v.model;
  if (!v.frozen) {
    const before = m.slice();
    const got = run(() => op(v.view as unknown as Dyn, "view"), v.view);
    const want = run(() => op(m as unknown as Dyn, "model"), m);
    expect(got).toEqual(want);
    // A native `set` that throws midway has written a prefix; the view's call changes nothing.
    if (!want.ok) m.set(before as never);
    return;
  }
  // Frozen: a native copy says what the call would do; the view must either
  // refuse with ProtectionFault or give the same result without a change.
  const copy = m.slice();
  const want = run(() => op(copy as unknown as Dyn, "model"), copy);
  const got = run(() => op(v.view as unknown as Dyn, "view"), v.view);
  if (!want.ok) expect(got).toEqual(want);
  else if (!got.ok) expect(got.error).toBe("ProtectionFault");
  else {
    expect(got).toEqual({ ok: true, value: want.value === "this" ? "this" : want.value });
    expect(Array.from(copy as ArrayLike<unknown>)).toEqual(Array.from(m as ArrayLike<unknown>));
  }
}

class Call implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly method: string,
    readonly args: Arg[],
  ) {}
  check = () => true;
  run(_m: Model, r: Real): void {
    const k = pick(r, this.v);
    const model = (r.versions[k] as Version).model;
    differential(r, k, (target, side) => {
      const args = this.args.map((a) => resolve(a, r, model, side === "view"));
      // V8 11.3 (Node 20) fills everything for `fill(v, undefined, end)`; the spec gives start 0.
      if (side === "model" && this.method === "fill" && args.length > 2 && args[1] === undefined) args[1] = 0;
      // V8 11.3 (Node 20) converts `with`'s value before its index; the spec (ECMA-262
      // 23.2.3.36) and the view convert the index first (ToNumber: a bigint or symbol throws
      // TypeError): with(1n, "abc") on BigInt64 is a TypeError, not V8's SyntaxError.
      if (side === "model" && this.method === "with") {
        const i = +(args[0] as number);
        args[0] = Number.isNaN(i) ? 0 : i;
      }
      return (target[this.method] as (...a: unknown[]) => unknown)(...args);
    });
    checkAll(r);
  }
  toString = () => `v${this.v}.${this.method}(${this.args.map(showArg).join(", ")})`;
}

class Assign implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: string,
    readonly value: Arg,
  ) {}
  check = () => true;
  run(_m: Model, r: Real): void {
    const k = pick(r, this.v);
    const model = (r.versions[k] as Version).model;
    differential(r, k, (target, side) => {
      target[this.key] = resolve(this.value, r, model, side === "view");
    });
    checkAll(r);
  }
  toString = () => `v${this.v}[${JSON.stringify(this.key)}] = ${showArg(this.value)}`;
}

class Read implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: string,
  ) {}
  check = () => true;
  run(_m: Model, r: Real): void {
    const k = pick(r, this.v);
    const key = this.key;
    differential(r, k, (t) => [t[key], key in t, Object.getOwnPropertyDescriptor(t, key)?.value]);
    const v = r.versions[k] as Version;
    expect(Object.keys(v.view)).toEqual(Object.keys(v.model));
    if (!isBig(r.T)) expect(JSON.stringify(v.view)).toBe(JSON.stringify(v.model));
  }
  toString = () => `[v${this.v}[${JSON.stringify(this.key)}], ${JSON.stringify(this.key)} in v${this.v}]`;
}

class Fork implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = () => true;
  run(_m: Model, r: Real): void {
    const src = r.versions[pick(r, this.v)] as Version;
    const space = src.space.fork();
    r.versions.push({
      space,
      view: space.view(r.T, r.byteOffset, r.length),
      model: src.model.slice(),
      frozen: false,
    });
    checkAll(r);
  }
  toString = () => `v${this.v}.fork()`;
}

class Freeze implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = () => true;
  run(_m: Model, r: Real): void {
    const v = r.versions[pick(r, this.v)] as Version;
    v.space.freeze();
    v.frozen = true;
  }
  toString = () => `v${this.v}.space.freeze()`;
}

class Release implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = (_m: Readonly<Model>) => true;
  run(_m: Model, r: Real): void {
    const k = pick(r, this.v);
    const live = r.versions.filter((x) => x !== null).length;
    if (live < 2) return; // keep one version to work on
    const v = r.versions[k] as Version;
    v.space.release();
    r.versions[k] = null;
    expect(() => v.view[0]).toThrow(ReleasedError);
    expect(() => {
      (v.view as unknown as Dyn)[0] = isBig(r.T) ? 1n : 1;
    }).toThrow(ReleasedError);
    expect(() => v.view.join()).toThrow(ReleasedError);
    expect(v.view.length).toBe(r.length);
    checkAll(r);
  }
  toString = () => `v${this.v}.space.release()`;
}

// ---- argument arbitraries ----

function valueArb(T: ViewArrayConstructor): fc.Arbitrary<Arg> {
  const prim: fc.Arbitrary<unknown> = isBig(T)
    ? fc.oneof(
        { weight: 6, arbitrary: fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(true, "123", "0x1f", "abc", 5, undefined, null, 1.5) },
      )
    : fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: -(2 ** 33), max: 2 ** 33 }) },
        { weight: 3, arbitrary: fc.double() },
        {
          weight: 2,
          arbitrary: fc.constantFrom<unknown>(0.5, 1.5, 2.5, 254.5, 255.5, -0.5, 256, 300, -1, -0, 65535.5, 2 ** 31),
        },
        { weight: 1, arbitrary: fc.constantFrom<unknown>("12", "0x10", "", " 7 ", "abc", true, null, undefined, 1n) },
      );
  return fc.oneof(
    { weight: 8, arbitrary: prim.map((v): Arg => ({ t: "v", v })) },
    { weight: 1, arbitrary: prim.map((v): Arg => ({ t: "valueOf", v })) },
    { weight: 1, arbitrary: fc.nat().map((k): Arg => ({ t: "elem", k })) },
  );
}

function indexArb(len: number): fc.Arbitrary<Arg> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -len - 3, max: len + 3 }).map((v): Arg => ({ t: "v", v })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<unknown>(undefined, 1.5, -1.5, Number.NaN, Infinity, -Infinity, "2", null, 1n)
        .map((v): Arg => ({ t: "v", v })),
    },
  );
}

/** Canonical numeric keys: integer indices (in and out of range) and numeric strings that are no index. */
function keyArb(len: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.nat(len + 3).map(String) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("-0", "1.5", "-1", "NaN", "Infinity", "-Infinity", "1e+21", "4294967295", "0.5"),
    },
  );
}

function commandsFor(T: ViewArrayConstructor, len: number) {
  const val = valueArb(T);
  const idx = indexArb(len);
  const opt = (a: fc.Arbitrary<Arg>, max: number) => fc.array(a, { maxLength: max });
  const cb = (...names: string[]) => fc.constantFrom(...names).map((name): Arg => ({ t: "cb", name }));
  const v = fc.nat();
  const call = (method: string, args: fc.Arbitrary<Arg[]>, weight = 1) => ({
    weight,
    arbitrary: fc.tuple(v, args).map(([k, a]) => new Call(k, method, a)),
  });
  const arrayItem = valueArb(T);
  const source = fc.oneof(
    { weight: 3, arbitrary: fc.array(arrayItem, { maxLength: len + 2 }).map((items): Arg => ({ t: "array", items })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...KINDS), fc.nat(), fc.nat(len + 2))
        .map(([S, seed, n]): Arg => ({ t: "typed", T: S, seed, n })),
    },
    { weight: 1, arbitrary: fc.nat().map((slot): Arg => ({ t: "view", slot })) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 5, "12").map((x): Arg => ({ t: "v", v: x })) },
  );
  const cmds: fc.WeightedArbitrary<fc.Command<Model, Real>>[] = [
    { weight: 6, arbitrary: fc.tuple(v, keyArb(len), val).map(([k, key, x]) => new Assign(k, key, x)) },
    { weight: 2, arbitrary: fc.tuple(v, keyArb(len)).map(([k, key]) => new Read(k, key)) },
    { weight: 2, arbitrary: v.map((k) => new Fork(k)) },
    { weight: 1, arbitrary: v.map((k) => new Release(k)) },
    { weight: 1, arbitrary: v.map((k) => new Freeze(k)) },
    call(
      "fill",
      fc.tuple(val, opt(idx, 2)).map(([x, r]) => [x, ...r]),
      3,
    ),
    call(
      "set",
      fc.tuple(source, opt(idx, 1)).map(([s, r]) => [s, ...r]),
      3,
    ),
    call("copyWithin", opt(idx, 3), 2),
    call("reverse", fc.constant([])),
    call("sort", opt(cb("desc", "throws", "notCallable"), 1), 2),
    call("at", opt(idx, 1)),
    call(
      "indexOf",
      fc.tuple(val, opt(idx, 1)).map(([x, r]) => [x, ...r]),
    ),
    call(
      "lastIndexOf",
      fc.tuple(val, opt(idx, 1)).map(([x, r]) => [x, ...r]),
    ),
    call(
      "includes",
      fc.tuple(val, opt(idx, 1)).map(([x, r]) => [x, ...r]),
    ),
    call("slice", opt(idx, 2)),
    call("subarray", opt(idx, 2)),
    call("toSorted", opt(cb("desc", "throws", "notCallable"), 1)),
    call("toReversed", fc.constant([])),
    call(
      "with",
      fc.tuple(idx, val).map(([i, x]) => [i, x]),
    ),
    call(
      "join",
      opt(
        fc.constantFrom<unknown>(",", "-", "", undefined, 7).map((x): Arg => ({ t: "v", v: x })),
        1,
      ),
    ),
    call("toString", fc.constant([])),
    call("toLocaleString", fc.constant([])),
    ...["keys", "values", "entries"].map((m) => call(m, fc.constant([]))),
    ...["find", "findIndex", "findLast", "findLastIndex", "every", "some", "filter"].map((m) =>
      call(
        m,
        cb("positive", "odd", "throws", "notCallable").map((a) => [a]),
      ),
    ),
    call(
      "forEach",
      cb("carry", "throws", "notCallable").map((a) => [a]),
    ),
    call(
      "map",
      cb("double", "odd", "throws").map((a) => [a]),
    ),
    call(
      "reduce",
      fc.tuple(cb("sum", "throws"), opt(val, 1)).map(([f, r]) => [f, ...r]),
    ),
    call(
      "reduceRight",
      fc.tuple(cb("sum", "throws"), opt(val, 1)).map(([f, r]) => [f, ...r]),
    ),
  ];
  return fc.commands([fc.oneof(...cmds)], { maxCommands: 50 });
}

describe("proxy view: differential model test against native typed arrays", () => {
  for (const T of KINDS) {
    it(`${T.name}`, () => {
      const w = T.BYTES_PER_ELEMENT;
      // About 3.3 pages of elements, starting 2 elements before a page boundary.
      const len = Math.ceil((3.3 * PS) / w);
      const byteOffset = PS - 2 * w;
      fc.assert(
        fc.property(fc.nat(), commandsFor(T, len), (seed, cmds) => {
          const pool = new FramePool({ pageSize: PS });
          const space = new AddressSpace({ size: SIZE, pool });
          const view = space.view(T, byteOffset, len);
          const init = make(T, bytes(seed, len * w).buffer);
          view.set(init as never);
          const real: Real = {
            pool,
            T,
            length: len,
            byteOffset,
            versions: [{ space, view, model: init.slice(), frozen: false }],
          };
          fc.modelRun(() => ({ model: {}, real }), cmds);
          for (const v of real.versions) v?.space.release();
          expect(pool.framesInUse).toBe(0);
        }),
        { numRuns: 100 },
      );
    }, 60_000);
  }
});

describe("proxy view: fork isolation and copy-on-write", () => {
  it("a view of a fork does not see the parent's writes, nor the parent the fork's", () => {
    const pool = new FramePool({ pageSize: PS });
    const a = new AddressSpace({ size: SIZE, pool });
    const va = a.view(Float64Array, 0, 64);
    va.fill(1.5);
    const b = a.fork();
    const vb = b.view(Float64Array, 0, 64);
    va[3] = 7;
    vb[40] = -2;
    expect([va[3], va[40], vb[3], vb[40]]).toEqual([7, 1.5, 1.5, -2]);
    // One element written through each view: one page copied on each side
    // (then the other side's frame of that page is unshared too).
    expect([a.stats().copyFaults, b.stats().copyFaults]).toEqual([1, 1]);
    expect(pool.framesInUse).toBe(4);
    expect([a.stats().uss, b.stats().uss]).toEqual([2 * PS, 2 * PS]);
    a.release();
    b.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("subarray is a view of the same space: writes show through both", () => {
    const s = new AddressSpace({ size: SIZE, pageSize: PS });
    const v = s.view(Int32Array, 8, 100);
    const sub = v.subarray(10, -10);
    expect([sub.length, sub.byteOffset, sub.byteLength]).toEqual([80, 48, 320]);
    sub[0] = 5;
    expect(v[10]).toBe(5);
    expect(s.getInt32(48)).toBe(5);
    expect(v.subarray(50, 10).length).toBe(0);
    s.release();
  });

  it("works past 2^32 bytes", () => {
    const s = new AddressSpace({ size: 2 ** 34 });
    const v = s.view(BigUint64Array, 2 ** 33 - 16, 4);
    v[3] = 2n ** 64n - 1n;
    expect(s.getBigUint64(2 ** 33 + 8)).toBe(2n ** 64n - 1n);
    expect(v.includes(2n ** 64n - 1n)).toBe(true);
    s.release();
  });
});

describe("proxy view: bad input is refused and changes nothing", () => {
  function fixture() {
    const pool = new FramePool({ pageSize: PS });
    const s = new AddressSpace({ size: SIZE, pool });
    s.write(0, bytes(3, SIZE));
    const t = s.fork();
    return { pool, s, t, all: [s, t] };
  }

  it("space.view refuses bad arguments with typed errors", () => {
    const { pool, s, all } = fixture();
    const bad: [unknown, unknown, unknown, abstract new (...a: never[]) => Error][] = [
      [Array, 0, 1, InvalidArgumentError],
      [DataView, 0, 1, InvalidArgumentError],
      ["Float64Array", 0, 1, InvalidArgumentError],
      [null, 0, 1, InvalidArgumentError],
      [Float64Array, -8, 1, InvalidArgumentError],
      [Float64Array, 1.5, 1, InvalidArgumentError],
      [Float64Array, "8", 1, InvalidArgumentError],
      [Float64Array, Number.NaN, 1, InvalidArgumentError],
      [Float64Array, 0, -1, InvalidArgumentError],
      [Float64Array, 0, 1.5, InvalidArgumentError],
      [Float64Array, 0, "2", InvalidArgumentError],
      [Float64Array, 4, 1, AlignmentFault],
      [Int16Array, 1, 1, AlignmentFault],
      [Float64Array, 0, SIZE / 8 + 1, SegmentationFault],
      [Float64Array, SIZE, 1, SegmentationFault],
      [Uint8Array, SIZE + 1, undefined, SegmentationFault],
    ];
    for (const [T, off, len, E] of bad)
      expectRefused(
        pool,
        all,
        E,
        () => s.view(T as never, off as number, len as number),
        `${lit(T)} ${lit(off)} ${lit(len)}`,
      );
    s.unmap(2 * PS, PS); // (the witnesses read whole spaces: s, with its hole, is watched through the pool)
    expectRefused(pool, [all[1]!], SegmentationFault, () => s.view(Uint8Array, PS, 2 * PS), "hole");
    s.release();
    expectRefused(pool, all, ReleasedError, () => s.view(Uint8Array), "released");
  });

  it("defaults to the rest of the space", () => {
    const s = new AddressSpace({ size: SIZE, pageSize: PS });
    expect(s.view(Float64Array).length).toBe(SIZE / 8);
    expect(s.view(Uint16Array, 6).length).toBe((SIZE - 6) / 2);
    expect(s.view(Uint8Array, SIZE).length).toBe(0);
  });

  it("writes to a frozen space or a read-only mapping throw ProtectionFault and change nothing", () => {
    const { pool, s, t, all } = fixture();
    t.protect(PS, PS, "read-only");
    const v = t.view(Uint16Array, PS - 4, 10); // 2 elements read-write, 8 read-only
    expectRefused(pool, all, ProtectionFault, () => {
      v[2] = 1;
    });
    expectRefused(pool, all, ProtectionFault, () => v.fill(9));
    expectRefused(pool, all, ProtectionFault, () => v.set([1, 2, 3]));
    expectRefused(pool, all, ProtectionFault, () => v.copyWithin(0, 5));
    expectRefused(pool, all, ProtectionFault, () => v.reverse());
    expectRefused(pool, all, ProtectionFault, () => v.sort());
    v[0] = 1; // the read-write part still works
    expect(v[0]).toBe(1);
    s.freeze();
    const f = s.view(Float32Array, 0, 8);
    expectRefused(pool, all, ProtectionFault, () => {
      f[0] = 1;
    });
    expectRefused(pool, all, ProtectionFault, () => Object.defineProperty(f, "0", { value: 1 }));
  });

  it("conversion errors and overflowing sources change nothing", () => {
    const { pool, s, all } = fixture();
    const v = s.view(Int32Array, 0, 16);
    const throwing = {
      valueOf() {
        throw new SyntaxError("no");
      },
    };
    expectRefused(pool, all, SyntaxError, () => v.set([1, 2, throwing as never]));
    expectRefused(pool, all, SyntaxError, () => v.fill(throwing as never));
    expectRefused(pool, all, TypeError, () => {
      v[0] = 1n as never;
    });
    expectRefused(pool, all, RangeError, () => v.set(new Int32Array(10), 7));
    expectRefused(pool, all, RangeError, () => v.set([1], -1));
    expectRefused(pool, all, TypeError, () => v.set(new BigInt64Array(1) as never));
    expectRefused(pool, all, TypeError, () => v.set(null as never));
    expectRefused(pool, all, TypeError, () => v.sort(5 as never));
    expectRefused(pool, all, SyntaxError, () =>
      v.sort(() => {
        throw new SyntaxError("cmp");
      }),
    );
  });

  it("the pool limit refuses a fill with OutOfMemoryError and changes nothing", () => {
    const pool = new FramePool({ pageSize: PS, maxBytes: 4 * PS });
    const s = new AddressSpace({ size: SIZE, pool });
    s.setUint8(0, 1);
    const v = s.view(Uint8Array);
    let caught: unknown;
    const before = pool.stats();
    try {
      v.fill(7);
    } catch (e) {
      caught = e;
    }
    expect((caught as Error).name).toBe("OutOfMemoryError");
    expect(pool.stats()).toEqual(before);
    expect(v[0]).toBe(1);
  });
});

describe("proxy view: object protocol", () => {
  const s = new AddressSpace({ size: SIZE, pageSize: PS });
  const v = s.view(Float64Array, 16, 3);
  v.set([1, 2.5, -0]);
  const n = new Float64Array([1, 2.5, -0]);

  it("keys, descriptors, spread, JSON, for-in and destructuring as native", () => {
    expect(Object.keys(v)).toEqual(Object.keys(n));
    expect(Object.getOwnPropertyDescriptor(v, "1")).toEqual(Object.getOwnPropertyDescriptor(n, "1"));
    expect(Object.getOwnPropertyDescriptor(v, "3")).toBe(undefined);
    expect(Object.getOwnPropertyDescriptor(v, "length")).toBe(undefined);
    expect(JSON.stringify(v)).toBe(JSON.stringify(n));
    expect([...v]).toEqual([...n]);
    expect(Array.from(v)).toEqual(Array.from(n));
    const keys: string[] = [];
    for (const k in v) keys.push(k);
    expect(keys).toEqual(["0", "1", "2"]);
    const [a, b] = v;
    expect([a, b]).toEqual([1, 2.5]);
    expect(Object.hasOwn(v, "0")).toBe(true);
    expect(Object.hasOwn(v, "5")).toBe(false);
    expect(["length" in v, "map" in v, "buffer" in v, Symbol.iterator in v, 0 in v, 3 in v]).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  it("identity: tag and constructor of the kind, but no native typed array", () => {
    expect(Object.prototype.toString.call(v)).toBe("[object Float64Array]");
    expect(v.constructor).toBe(Float64Array);
    expect(v.BYTES_PER_ELEMENT).toBe(8);
    expect([v.byteOffset, v.byteLength]).toEqual([16, 24]);
    expect(v instanceof Float64Array).toBe(false);
    expect(ArrayBuffer.isView(v)).toBe(false);
    expect((v as unknown as Dyn).buffer).toBe(undefined);
    expect(String(v)).toBe("1,2.5,0");
    expect(`${v}`).toBe(n.toString());
    expect(inspect(v)).toBe("Float64Array view(3) @ 16 [ 1, 2.5, -0 ]");
  });

  it("defineProperty and delete follow the native rules for indices and refuse other keys", () => {
    Object.defineProperty(v, "0", { value: 4, writable: true, enumerable: true, configurable: true });
    expect(v[0]).toBe(4);
    Object.defineProperty(v, "0", { value: 1 });
    expect(v[0]).toBe(1);
    for (const desc of [{ value: 1, configurable: false }, { value: 1, writable: false }, { get: () => 1 }]) {
      expect(() => Object.defineProperty(v, "0", desc)).toThrow(TypeError);
      expect(() => Object.defineProperty(n, "0", desc)).toThrow(TypeError);
    }
    expect(() => Object.defineProperty(v, "5", { value: 1 })).toThrow(TypeError);
    expect(() => Object.defineProperty(v, "foo", { value: 1 })).toThrow(TypeError);
    expect(() => {
      delete (v as unknown as Dyn)[0];
    }).toThrow(TypeError);
    expect(delete (v as unknown as Dyn)[7]).toBe(true);
    expect(delete (v as unknown as Dyn).foo).toBe(true);
    expect(v[0]).toBe(1);
  });

  it("refuses new properties, prototype changes and freezing", () => {
    expect(() => {
      (v as unknown as Dyn).foo = 1;
    }).toThrow(TypeError);
    expect(() => {
      (v as unknown as Dyn).length = 1;
    }).toThrow(TypeError);
    expect(() => Object.setPrototypeOf(v, null)).toThrow(TypeError);
    expect(() => Object.preventExtensions(v)).toThrow(TypeError);
    expect(() => Object.freeze(v)).toThrow(TypeError);
    expect(Object.isExtensible(v)).toBe(true);
    expect(v.length).toBe(3);
  });

  it("methods called on something else than a view throw TypeError", () => {
    const proto = Object.getPrototypeOf(v) as Dyn;
    expect(() => (proto.at as (i: number) => unknown).call(n, 0)).toThrow(TypeError);
    expect(() => (proto.fill as (x: number) => unknown).call({}, 0)).toThrow(TypeError);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });
});
