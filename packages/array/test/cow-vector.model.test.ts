/**
 * Differential model test: CowVector against a plain Array of its element
 * values (each value converted as the native kind stores it), with forks
 * (model: a copy) and releases in the sequence. Insert and removal positions
 * include invalid ones: the model emulates the documented contract (a
 * RangeError, nothing changed). At the end every frame is back in the pool.
 */
import { CowVector } from "@pagefork/array";
import { FramePool, type SpanArrayConstructor } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Pressure, pressureArb, underPressure } from "./pressure.js";
import {
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

type Vec = CowVector<SpanArrayConstructor>;
interface Model {
  kind: Kind;
  maxLength: number;
  vs: (Scalar[] | null)[];
}
interface Real {
  pool: FramePool;
  vs: (Vec | null)[];
}
type Cmd = fc.Command<Model, Real>;

/** The slot of the `v`-th live version. */
function live(m: Model, v: number): number {
  return liveSlot(m.vs, v);
}

function checkAll(m: Model, r: Real): void {
  m.vs.forEach((a, k) => {
    if (a === null) return;
    const v = r.vs[k] as Vec;
    expectContents(v, a, `v${k}`);
    expect(v.capacity).toBeGreaterThanOrEqual(a.length);
  });
}

/** The value `x` becomes in the kind (the native store's conversion). */
function conv(kind: Kind, x: Scalar): Scalar {
  return kind.Native.of(x)[0];
}

/** The documented contract of strict positions: an integer in [0, max], else RangeError. */
function strict(i: unknown, max: number): number {
  if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i > max)
    throw new RangeError(`bad position ${String(i)}`);
  return i;
}

/** A position: a raw argument (maybe invalid), or `{ mod }`, resolved to `mod % (length + 1)` when run. */
type Pos = number | undefined | { mod: number };
function resolve(p: Pos, len: number): number | undefined {
  return typeof p === "object" ? p.mod % (len + 1) : p;
}

class Op implements Cmd {
  i: number | undefined;
  j: number | undefined;
  constructor(
    readonly v: number,
    readonly op: string,
    readonly pi: Pos,
    readonly pj: Pos,
    readonly xs: Scalar[],
  ) {
    this.i = undefined;
    this.j = undefined;
  }
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    const vec = r.vs[k] as Vec;
    const arr = m.vs[k] as Scalar[];
    const kind = m.kind;
    const xs = this.xs;
    const cx = () => xs.map((x) => conv(kind, x));
    const room = (n: number) => {
      if (n > m.maxLength) throw new RangeError("past maxLength");
    };
    this.i = resolve(this.pi, arr.length);
    this.j = resolve(this.pj, arr.length);
    const { i, j } = this;
    const res = both(
      (): unknown => {
        switch (this.op) {
          case "push":
            return vec.push(...xs);
          case "extend":
            return vec.extend(kind.Native.from(xs));
          case "pop":
            return vec.pop();
          case "insert":
            return vec.insert(i as number, ...xs);
          case "removeRange":
            return vec.removeRange(i as number, j as number);
          case "swapRemove":
            return vec.swapRemove(i as number);
          case "splice":
            return j === undefined ? vec.splice(i) : vec.splice(i, j, ...xs);
          case "resize":
            return vec.resize(i as number);
          case "set":
            return vec.set(i ?? 0, xs[0]);
          case "setArray":
            return vec.set(xs, i);
          case "fill":
            return vec.fill(xs[0], i, j);
          case "copyWithin":
            return vec.copyWithin(i ?? 0, j ?? 0);
          case "sort":
            return vec.sort();
          case "reserve":
            return vec.reserve(i as number);
          default:
            return vec.shrinkToFit();
        }
      },
      (): unknown => {
        switch (this.op) {
          case "push":
          case "extend":
            room(arr.length + xs.length);
            return arr.push(...cx());
          case "pop":
            return arr.pop();
          case "insert": {
            const p = strict(i, arr.length);
            room(arr.length + xs.length);
            arr.splice(p, 0, ...cx());
            return undefined;
          }
          case "removeRange": {
            const a = strict(i, arr.length);
            const b = strict(j, arr.length);
            if (b < a) throw new RangeError("end < start");
            arr.splice(a, b - a);
            return undefined;
          }
          case "swapRemove": {
            const p = strict(i, arr.length - 1);
            const out = arr[p];
            arr[p] = arr[arr.length - 1] as Scalar;
            arr.pop();
            return out;
          }
          case "splice": {
            if (j === undefined) return arr.splice(i as number);
            const at = i === undefined ? 0 : i;
            const start = at < 0 ? Math.max(arr.length + Math.trunc(at), 0) : Math.min(Math.trunc(at) || 0, arr.length);
            const del = Math.min(Math.max(Math.trunc(j) || 0, 0), arr.length - start);
            room(arr.length - del + xs.length);
            return arr.splice(i as number, j, ...cx());
          }
          case "resize": {
            const n = strict(i, m.maxLength);
            while (arr.length < n) arr.push(kind.bigint ? 0n : 0);
            arr.length = n;
            return undefined;
          }
          case "set": {
            const t = new kind.Native(arr); // element-set semantics: ignored out of range, converted
            t[i ?? 0] = xs[0];
            arr.splice(0, arr.length, ...t);
            return undefined;
          }
          case "setArray":
          case "fill":
          case "copyWithin":
          case "sort": {
            const t = new kind.Native(arr);
            if (this.op === "setArray") t.set(xs, i);
            else if (this.op === "fill") t.fill(xs[0], i ?? 0, j);
            else if (this.op === "copyWithin") t.copyWithin(i ?? 0, j ?? 0);
            else t.sort();
            arr.splice(0, arr.length, ...t);
            return undefined;
          }
          case "reserve":
            strict(i, m.maxLength);
            return undefined;
          default:
            return undefined;
        }
      },
      this.toString(),
    );
    if (res.ok) {
      if (Array.isArray(res.model)) expectSameElements(res.real as Scalar[], res.model, this.toString());
      else if (!(res.real instanceof CowVector)) expectSame(res.real, res.model, this.toString()); // `this`-returning methods: contents are checked
    }
    checkAll(m, r);
  }
  toString = () => `v${this.v}.${this.op}(${lit(this.i)}, ${lit(this.j)}, ...${lit(this.xs)})`;
}

class Fork implements Cmd {
  constructor(readonly v: number) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0 && m.vs.length < 10;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    const fork = () => (r.vs[k] as Vec).fork();
    const made = underPressure(fork, this.toString());
    if (made.ok) {
      r.vs.push(made.value);
      m.vs.push([...(m.vs[k] as Scalar[])]);
    }
    checkAll(m, r);
  }
  toString = () => `v${this.v}.fork()`;
}

class Release implements Cmd {
  constructor(readonly v: number) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    r.vs[k]?.release();
    r.vs[k] = null;
    m.vs[k] = null;
    checkAll(m, r);
  }
  toString = () => `v${this.v}.release()`;
}

class Read implements Cmd {
  constructor(
    readonly v: number,
    readonly a: number | undefined,
    readonly b: number | undefined,
  ) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    const vec = r.vs[k] as Vec;
    const arr = m.vs[k] as Scalar[];
    const t = new m.kind.Native(arr);
    const slice = () => vec.slice(this.a, this.b);
    const made = underPressure(slice, this.toString());
    if (made.ok) {
      expect(made.value).toBeInstanceOf(CowVector);
      expectContents(made.value, t.slice(this.a, this.b), `${this.toString()} slice`);
      made.value.release();
    }
    if (vec.released) return; // the out-of-memory hook released it
    expectSame(vec.join(), t.join(), "join");
    expectSame(vec.at(this.a ?? 0), t.at(this.a ?? 0), "at");
    if (arr.length > 0) {
      expectSame(
        vec.reduce((x: Scalar, y: Scalar) => (x > y ? x : y)),
        t.reduce((x: Scalar, y: Scalar) => (x > y ? x : y)),
        "reduce",
      );
      const x = arr[(this.a ?? 0) >>> (0 % arr.length)] ?? arr[0];
      expectSame(vec.indexOf(x), t.indexOf(x), "indexOf");
      expectSame(vec.lastIndexOf(x), t.lastIndexOf(x), "lastIndexOf");
    }
  }
  toString = () => `v${this.v}.read(${lit(this.a)}, ${lit(this.b)})`;
}

function commands(kind: Kind): fc.Arbitrary<Cmd>[] {
  const value = valueArb(kind);
  const v = fc.nat();
  const xs = fc.array(value, { maxLength: 300 });
  const few = fc.array(value, { maxLength: 4 });
  // Mostly valid positions (a fraction of the length when run), sometimes anything.
  const pos: fc.Arbitrary<Pos> = fc.oneof(
    { weight: 4, arbitrary: fc.nat().map((mod) => ({ mod })) },
    { weight: 1, arbitrary: indexArb },
  );
  const op = (name: string, i: fc.Arbitrary<Pos>, j: fc.Arbitrary<Pos>, items: fc.Arbitrary<Scalar[]>) =>
    fc.tuple(v, i, j, items).map(([a, x, y, z]) => new Op(a, name, x, y, z));
  const none = fc.constant(undefined);
  return [
    op("push", none, none, few),
    op("push", none, none, few),
    op("extend", none, none, xs),
    op("pop", none, none, fc.constant([])),
    op("insert", pos, none, few),
    op("insert", pos, none, xs),
    op("removeRange", pos, pos, fc.constant([])),
    op("swapRemove", pos, none, fc.constant([])),
    op("splice", relArb, fc.option(fc.integer({ min: -3, max: 400 }), { nil: undefined }), few),
    op("resize", fc.oneof(fc.nat(1500), indexArb), none, fc.constant([])),
    op(
      "set",
      indexArb,
      none,
      few.filter((a) => a.length > 0),
    ),
    op("setArray", relArb, none, xs),
    op(
      "fill",
      relArb,
      relArb,
      few.filter((a) => a.length > 0),
    ),
    op("copyWithin", relArb, relArb, fc.constant([])),
    op("sort", none, none, fc.constant([])),
    op("reserve", fc.oneof(fc.nat(3000), indexArb), none, fc.constant([])),
    op("shrinkToFit", none, none, fc.constant([])),
    v.map((a) => new Fork(a)),
    v.map((a) => new Release(a)),
    fc.tuple(v, relArb, relArb).map(([a, x, y]) => new Read(a, x, y)),
  ];
}

const VECTOR_KINDS = KINDS.filter((k) => ["Float64", "Int16", "Uint8Clamped", "BigInt64"].includes(k.name));

describe("CowVector under memory pressure", () => {
  it("a call refused for memory, or whose space the out-of-memory hook released, changes nothing", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VECTOR_KINDS).chain((kind) =>
          fc.record({
            kind: fc.constant(kind),
            init: fc.array(valueArb(kind), { maxLength: 600 }),
            cmds: fc.commands(commands(kind), { maxCommands: 40 }),
          }),
        ),
        pressureArb,
        ({ kind, init, cmds }, script) => {
          // Room for the initial elements' frames, and under overcommit "never" for the capacity's charge.
          const pages = Math.ceil((init.length * kind.Native.BYTES_PER_ELEMENT) / 256);
          const p = new Pressure(script, 256, script.overcommit === "never" ? 2 * pages + 2 : pages);
          const pool = p.pool;
          // Under overcommit "never" the default maxLength is the commit limit's room.
          const first = CowVector.from(
            kind.Native,
            init,
            script.overcommit === "never" ? { pool } : { pool, maxLength: 2000 },
          );
          const real: Real = { pool, vs: [first] };
          const model: Model = { kind, maxLength: first.maxLength, vs: [init.map((x) => conv(kind, x))] };
          p.start(real.vs, model.vs);
          try {
            fc.modelRun(() => ({ model, real }), cmds);
          } finally {
            p.stop();
            for (const v of real.vs) v?.release();
          }
          expect(poolUse(pool)).toEqual({ frames: 0, nodes: 0 });
          expect(pool.stats().committedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("CowVector against a plain Array", () => {
  it("matches the model under random pushes, inserts, removals, forks and releases", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VECTOR_KINDS).chain((kind) =>
          fc.record({
            kind: fc.constant(kind),
            maxLength: fc.constantFrom(2000, 1 << 20),
            pageSize: fc.constantFrom(256, 1024),
            cmds: fc.commands(commands(kind), { maxCommands: 40 }),
          }),
        ),
        ({ kind, maxLength, pageSize, cmds }) => {
          const pool = new FramePool({ pageSize });
          const real: Real = { pool, vs: [new CowVector(kind.Native, { pool, maxLength })] };
          const model: Model = { kind, maxLength, vs: [[]] };
          try {
            fc.modelRun(() => ({ model, real }), cmds);
          } finally {
            for (const v of real.vs) v?.release();
          }
          expect(poolUse(pool)).toEqual({ frames: 0, nodes: 0 });
        },
      ),
      { numRuns: 150 },
    );
  });
});
