/**
 * Differential model test: every command runs on a CowTypedArray and on a
 * native TypedArray of the same kind, with forks (model: a copy), subarray
 * views (model: the native subarray, which shares its buffer the same way)
 * and releases in the sequence. Results and contents must match exactly,
 * NaN and -0 included; errors must be of the same class. At the end every
 * frame and page-table node is back in the pool.
 *
 * A failing run prints its commands as calls (`v0.fill(1.5, -3, undefined)`),
 * which replay against `v0 = new CowXArray(n, { pool })`.
 */
import type { NativeTypedArray } from "@pagefork/array";
import { FramePool } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Pressure, pressureArb, underPressure } from "./pressure.js";
import {
  type AnyCow,
  both,
  expectContents,
  expectSame,
  expectSameElements,
  indexArb,
  KINDS,
  type Kind,
  lit,
  liveSlot,
  poolUse,
  relArb,
  type Scalar,
  valueArb,
} from "./support.js";

interface Model {
  kind: Kind;
  arrays: (NativeTypedArray | null)[]; // null: released
}
interface Real {
  pool: FramePool;
  arrays: (AnyCow | null)[];
}
type Cmd = fc.Command<Model, Real>;

/** The slot of the `v`-th live version. */
function live(m: Model, v: number): number {
  return liveSlot(m.arrays, v);
}

/** Checks every live version against its model: catches a write leaking into another version. */
function checkAll(m: Model, r: Real): void {
  m.arrays.forEach((a, k) => {
    if (a !== null) expectContents(r.arrays[k] as AnyCow, a, `v${k}`);
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the commands call methods of either element type
type Any = any;

/** A command on one live version; `act` runs on real and model alike and returns what to compare. */
abstract class On implements Cmd {
  constructor(readonly v: number) {}
  check(m: Readonly<Model>): boolean {
    return live(m as Model, this.v) >= 0;
  }
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    const res = both(
      () => this.act(r.arrays[k] as Any, m.kind, r, m),
      () => this.act(m.arrays[k] as Any, m.kind, null, m),
      this.toString(),
    );
    if (res.ok) this.compare(res.real, res.model, m, r);
    if (this.writes) checkAll(m, r);
  }
  /** True for commands that write: every version is checked afterwards. */
  get writes(): boolean {
    return false;
  }
  abstract act(a: Any, kind: Kind, r: Real | null, m: Model): unknown;
  compare(real: unknown, model: unknown, _m: Model, _r: Real): void {
    if (real !== undefined && typeof real === "object") return; // `this`-returning methods: contents are checked
    expectSame(real, model, this.toString());
  }
  abstract toString(): string;
}

class SetElement extends On {
  constructor(
    v: number,
    readonly i: number,
    readonly value: Scalar,
  ) {
    super(v);
  }
  override get writes() {
    return true;
  }
  act(a: Any, _k: Kind, r: Real | null) {
    if (r === null) a[this.i] = this.value;
    else a.set(this.i, this.value);
    return r === null ? a[this.i] : a.get(this.i);
  }
  toString = () => `v${this.v}.set(${lit(this.i)}, ${lit(this.value)})`;
}

class Fill extends On {
  constructor(
    v: number,
    readonly value: Scalar,
    readonly start: number | undefined,
    readonly end: number | undefined,
  ) {
    super(v);
  }
  override get writes() {
    return true;
  }
  // The model passes `start ?? 0` (the same per the spec): V8 11.3's native fill ignores
  // `end` when `start` is undefined (Int16Array.of(1).fill(0, undefined, 0) gives [0]).
  act = (a: Any, _k: Kind, r: Real | null) => a.fill(this.value, r === null ? (this.start ?? 0) : this.start, this.end);
  toString = () => `v${this.v}.fill(${lit(this.value)}, ${lit(this.start)}, ${lit(this.end)})`;
}

class SetArray extends On {
  constructor(
    v: number,
    readonly values: Scalar[],
    readonly offset: number | undefined,
    readonly as: "array" | "native" | "cow",
    readonly other: number,
  ) {
    super(v);
  }
  override get writes() {
    return true;
  }
  act(a: Any, kind: Kind, r: Real | null, m: Model) {
    if (this.as === "array") return a.set(this.values, this.offset);
    if (this.as === "native") {
      // A native source of another kind of the same family: converted on the way in.
      const family = KINDS.filter((k) => k.bigint === kind.bigint);
      const src = (family[this.other % family.length] as Kind).Native.from(this.values);
      return a.set(src, this.offset);
    }
    // Another live version (maybe a view of the same buffer: the ranges may overlap).
    const k = live(m, this.other);
    return a.set(r === null ? m.arrays[k] : r.arrays[k], this.offset);
  }
  toString = () =>
    this.as === "cow"
      ? `v${this.v}.set(version(${this.other}), ${lit(this.offset)})`
      : `v${this.v}.set(${this.as === "native" ? `nativeOfFamily(${this.other}, ${lit(this.values)})` : lit(this.values)}, ${lit(this.offset)})`;
}

class CopyWithin extends On {
  constructor(
    v: number,
    readonly t: number | undefined,
    readonly s: number | undefined,
    readonly e: number | undefined,
  ) {
    super(v);
  }
  override get writes() {
    return true;
  }
  act = (a: Any) => a.copyWithin(this.t, this.s, this.e);
  toString = () => `v${this.v}.copyWithin(${lit(this.t)}, ${lit(this.s)}, ${lit(this.e)})`;
}

class Reorder extends On {
  constructor(
    v: number,
    readonly op: "reverse" | "sort" | "sortDesc",
  ) {
    super(v);
  }
  override get writes() {
    return true;
  }
  act(a: Any) {
    if (this.op === "reverse") return a.reverse();
    if (this.op === "sort") return a.sort();
    return a.sort((x: Scalar, y: Scalar) => (x < y ? 1 : x > y ? -1 : 0));
  }
  toString = () =>
    this.op === "sortDesc" ? `v${this.v}.sort((x, y) => (x < y ? 1 : x > y ? -1 : 0))` : `v${this.v}.${this.op}()`;
}

/** New versions: fork (model: a copy) or subarray (model: the native view). */
class Derive implements Cmd {
  constructor(
    readonly v: number,
    readonly op: "fork" | "subarray",
    readonly b: number | undefined,
    readonly e: number | undefined,
  ) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0 && m.arrays.length < 12;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    const a = r.arrays[k] as Any;
    const n = m.arrays[k] as NativeTypedArray;
    const make = () => (this.op === "fork" ? a.fork() : a.subarray(this.b, this.e));
    const made = underPressure(make, this.toString());
    if (made.ok) {
      r.arrays.push(made.value);
      m.arrays.push(this.op === "fork" ? n.slice() : n.subarray(this.b, this.e));
    }
    checkAll(m, r);
  }
  toString = () =>
    `v${this.v}.${this.op === "fork" ? "fork()" : `subarray(${lit(this.b)}, ${lit(this.e)})`} // -> v(next)`;
}

class Release implements Cmd {
  constructor(readonly v: number) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    r.arrays[k]?.release();
    expect(r.arrays[k]?.released).toBe(true);
    r.arrays[k] = null;
    m.arrays[k] = null;
    checkAll(m, r);
  }
  toString = () => `v${this.v}.release()`;
}

/** Reads: element access, searches, join. */
class Read extends On {
  constructor(
    v: number,
    readonly op: string,
    readonly x: Scalar,
    readonly i: number | undefined,
  ) {
    super(v);
  }
  act(a: Any, _k: Kind, r: Real | null) {
    switch (this.op) {
      case "get": // get takes numbers only (a non-number index is a TypeError, tested apart)
        return r === null ? a[this.i ?? 0] : a.get(this.i ?? 0);
      case "at":
        return a.at(this.i);
      case "indexOf":
        return this.i === undefined ? a.indexOf(this.x) : a.indexOf(this.x, this.i);
      case "lastIndexOf":
        return this.i === undefined ? a.lastIndexOf(this.x) : a.lastIndexOf(this.x, this.i);
      case "includes":
        return a.includes(this.x, this.i);
      case "join":
        return this.i === undefined ? a.join() : a.join(String(this.i));
      default:
        return a.toString();
    }
  }
  toString = () =>
    `v${this.v}.${this.op}(${this.op === "get" || this.op === "at" ? lit(this.i) : `${lit(this.x)}, ${lit(this.i)}`})`;
}

/** Searches for a value the array holds (so hits are likely): first, last and a middle element. */
class SearchPresent extends On {
  constructor(
    v: number,
    readonly at: number,
  ) {
    super(v);
  }
  act(a: Any) {
    if (a.length === 0) return -2;
    const x = Array.from(a as ArrayLike<Scalar>)[this.at % a.length]; // the model's and the real's are equal
    return `${a.indexOf(x)},${a.lastIndexOf(x)},${a.includes(x)},${a.indexOf(x, -3)},${a.lastIndexOf(x, undefined)}`;
  }
  toString = () => `v${this.v}.searchFor(element ${this.at})`;
}

/** Callback methods, each with a pure callback of the kind's family. */
class Callbacks extends On {
  constructor(
    v: number,
    readonly op: string,
    readonly x: Scalar,
  ) {
    super(v);
  }
  act(a: Any, kind: Kind) {
    const big = kind.bigint;
    const x = this.x;
    const pred = (v: Scalar, i: number) =>
      (big ? (v as bigint) > (x as bigint) : (v as number) > (x as number)) || i === 7;
    switch (this.op) {
      case "find":
        return [a.find(pred), a.findIndex(pred), a.findLast(pred), a.findLastIndex(pred)];
      case "every":
        return [a.every(pred), a.some(pred)];
      case "reduce":
        return big
          ? [
              a.reduce((s: bigint, v: bigint, i: number) => s + v * BigInt(i % 3), 1n),
              a.length > 0 ? a.reduceRight((s: bigint, v: bigint) => s - v) : 0,
            ]
          : [
              a.reduce((s: number, v: number, i: number) => s + v * (i % 3), 0.5),
              a.length > 0 ? a.reduceRight((s: number, v: number) => s - v) : 0,
            ];
      case "forEach": {
        const seen: unknown[] = [];
        a.forEach((v: Scalar, i: number, arr: unknown) => {
          seen.push(i, v, arr === a);
        });
        return seen;
      }
      case "iterators":
        return [[...a.keys()], [...a.entries()].flat(), [...a.values()]];
      default:
        return [];
    }
  }
  override compare(real: unknown, model: unknown) {
    expectSameElements((real as unknown[]).flat(), (model as unknown[]).flat(), this.toString());
  }
  toString = () => `v${this.v}.${this.op}(callbacks around ${lit(this.x)})`;
}

/** Methods that return a new array: compared, then released. */
class Copying extends On {
  constructor(
    v: number,
    readonly op: string,
    readonly a1: number | undefined,
    readonly a2: number | undefined,
    readonly x: Scalar,
  ) {
    super(v);
  }
  act(a: Any, kind: Kind) {
    switch (this.op) {
      case "slice":
        return a.slice(this.a1, this.a2);
      case "with":
        return a.with(this.a1, this.x);
      case "toSorted":
        return a.toSorted();
      case "toReversed":
        return a.toReversed();
      case "map":
        return a.map(kind.bigint ? (v: bigint, i: number) => v * 3n + BigInt(i) : (v: number, i: number) => v * 3 + i);
      default:
        return a.filter(
          kind.bigint ? (v: bigint) => v > (this.x as bigint) : (v: number) => !(v <= (this.x as number)),
        );
    }
  }
  override compare(real: unknown, model: unknown, _m: Model, r: Real) {
    const out = real as AnyCow;
    expect(out.released, this.toString()).toBe(false);
    expect(out.space.pool).toBe(r.pool);
    expectContents(out, model as NativeTypedArray, this.toString());
    out.release();
  }
  toString = () => `v${this.v}.${this.op}(${lit(this.a1)}, ${lit(this.a2)}, ${lit(this.x)})`;
}

function commands(kind: Kind): fc.Arbitrary<Cmd>[] {
  const value = valueArb(kind);
  const v = fc.nat();
  return [
    fc.tuple(v, indexArb, value).map(([a, i, x]) => new SetElement(a, i, x)),
    fc.tuple(v, indexArb, value).map(([a, i, x]) => new SetElement(a, i, x)),
    fc.tuple(v, value, relArb, relArb).map(([a, x, s, e]) => new Fill(a, x, s, e)),
    fc
      .tuple(
        v,
        fc.array(value, { maxLength: 40 }),
        relArb,
        fc.constantFrom("array", "native", "cow") as fc.Arbitrary<"array" | "native" | "cow">,
        fc.nat(),
      )
      .map(([a, xs, o, as, other]) => new SetArray(a, xs, o, as, other)),
    fc.tuple(v, relArb, relArb, relArb).map(([a, t, s, e]) => new CopyWithin(a, t, s, e)),
    fc
      .tuple(v, fc.constantFrom("reverse", "sort", "sortDesc") as fc.Arbitrary<"reverse" | "sort" | "sortDesc">)
      .map(([a, op]) => new Reorder(a, op)),
    fc
      .tuple(v, fc.constantFrom("fork", "fork", "subarray") as fc.Arbitrary<"fork" | "subarray">, relArb, relArb)
      .map(([a, op, b, e]) => new Derive(a, op, b, e)),
    v.map((a) => new Release(a)),
    fc
      .tuple(
        v,
        fc.constantFrom("get", "at", "indexOf", "lastIndexOf", "includes", "join", "toString"),
        value,
        fc.option(indexArb, { nil: undefined }),
      )
      .map(([a, op, x, i]) => new Read(a, op, x, i)),
    fc.tuple(v, fc.nat()).map(([a, at]) => new SearchPresent(a, at)),
    fc
      .tuple(v, fc.constantFrom("find", "every", "reduce", "forEach", "iterators"), value)
      .map(([a, op, x]) => new Callbacks(a, op, x)),
    fc
      .tuple(v, fc.constantFrom("slice", "with", "toSorted", "toReversed", "map", "filter"), relArb, relArb, value)
      .map(([a, op, a1, a2, x]) => new Copying(a, op, a1, a2, x)),
  ];
}

/** Initial contents: zeros, or values (so a fork's first writes copy real data). */
function scenario(pageSize: number, maxLength: number) {
  return fc.constantFrom(...KINDS).chain((kind) =>
    fc.record({
      kind: fc.constant(kind),
      init: fc.oneof(
        fc.nat(maxLength).map((n) => n as number | Scalar[]),
        fc.array(valueArb(kind), { maxLength, size: "max" }), // "max": lengths across pages, not just a few elements
      ),
      cmds: fc.commands(commands(kind), { maxCommands: 40 }),
      pageSize: fc.constant(pageSize),
    }),
  );
}

describe("CowTypedArray under memory pressure", () => {
  it("a call refused for memory, or whose space the out-of-memory hook released, changes nothing", () => {
    const pageSize = 256;
    fc.assert(
      fc.property(scenario(pageSize, 600), pressureArb, ({ kind, init, cmds }, script) => {
        // Room for the initial array: its frames, or under overcommit "never" its commit charge.
        const len = typeof init === "number" ? init : init.length;
        const pages = Math.ceil(Math.max(len * kind.Native.BYTES_PER_ELEMENT, 1) / pageSize);
        const p = new Pressure(script, pageSize, typeof init !== "number" || script.overcommit === "never" ? pages : 0);
        const pool = p.pool;
        const first = typeof init === "number" ? new kind.Cow(init, { pool }) : kind.Cow.from(init, { pool });
        const model: Model = {
          kind,
          arrays: [typeof init === "number" ? new kind.Native(init) : kind.Native.from(init)],
        };
        const real: Real = { pool, arrays: [first] };
        p.start(real.arrays, model.arrays);
        try {
          fc.modelRun(() => ({ model, real }), cmds);
          checkAll(model, real);
        } finally {
          p.stop();
          for (const a of real.arrays) a?.release();
        }
        expect(poolUse(pool)).toEqual({ frames: 0, nodes: 0 });
        expect(pool.stats().committedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe("CowTypedArray against a native TypedArray of the same kind", () => {
  for (const [pageSize, maxLength, runs] of [
    [256, 600, 250],
    [1024, 1200, 60],
  ] as const) {
    it(`matches the native model under random commands, forks, views and releases (pageSize ${pageSize})`, () => {
      fc.assert(
        fc.property(scenario(pageSize, maxLength), ({ kind, init, cmds }) => {
          const pool = new FramePool({ pageSize });
          const start = poolUse(pool);
          const first = typeof init === "number" ? new kind.Cow(init, { pool }) : kind.Cow.from(init, { pool });
          const model: Model = {
            kind,
            arrays: [typeof init === "number" ? new kind.Native(init) : kind.Native.from(init)],
          };
          const real: Real = { pool, arrays: [first] };
          try {
            fc.modelRun(() => ({ model, real }), cmds);
            checkAll(model, real);
          } finally {
            for (const a of real.arrays) a?.release();
          }
          expect(poolUse(pool)).toEqual(start); // no frame or page-table node leaked
        }),
        { numRuns: runs },
      );
    });
  }
});
