/**
 * A fast-check command model of CowVector against a native length-tracking
 * Float64Array over a resizable ArrayBuffer (the native object whose length
 * changes as a vector's does), where the arguments of fill, sort, set,
 * copyWithin, at, with, slice, indexOf, lastIndexOf and includes run user
 * code while they are converted: a valueOf (or a sort comparator, or an
 * array-like's `length` getter) that pops, pushes, resizes the vector or
 * shrinks it to fit. Every version (the forks, each with its own native
 * copy) must match its model after every command, and once every version is
 * released the pool holds no frame. Standalone vectors, and vectors embedded
 * in a heap (the heap checked after every command).
 */
import { CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Resizable, ResizableBuffer } from "../../../test/support/shrinking.js";

const MAX = 96;

/** What an argument's conversion does to the array it is converted for. */
type Effect =
  | { readonly kind: "none" }
  | { readonly kind: "pop" | "push"; readonly n: number }
  | { readonly kind: "resize"; readonly n: number }
  | { readonly kind: "fit" };

const effectArb: fc.Arbitrary<Effect> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Effect>({ kind: "none" }) },
  fc.record({ kind: fc.constantFrom("pop" as const, "push" as const), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant("resize" as const), n: fc.integer({ min: 0, max: MAX }) }),
  fc.constant<Effect>({ kind: "fit" }),
);

function showEffect(e: Effect): string {
  return e.kind === "none" || e.kind === "fit" ? e.kind : `${e.kind} ${e.n}`;
}

/** The same edits on either side: a CowVector, or the native model. */
interface Side {
  readonly length: number;
  pop(): void;
  push(x: number): void;
  resize(n: number): void;
  fit(): void;
}

function apply(side: Side, e: Effect): void {
  if (e.kind === "pop") for (let i = 0; i < e.n && side.length > 0; i++) side.pop();
  else if (e.kind === "push") for (let i = 0; i < e.n && side.length < MAX; i++) side.push(1000 + i);
  else if (e.kind === "resize") side.resize(e.n);
  else if (e.kind === "fit") side.fit();
}

/** A native length-tracking Float64Array over a resizable buffer of MAX elements. */
class NativeVec implements Side {
  readonly rab: Resizable;
  readonly a: Float64Array;
  constructor(values: ArrayLike<number>) {
    this.rab = new ResizableBuffer(values.length * 8, { maxByteLength: MAX * 8 });
    this.a = new Float64Array(this.rab);
    this.a.set(values);
  }
  get length(): number {
    return this.a.length;
  }
  pop(): void {
    this.rab.resize((this.a.length - 1) * 8);
  }
  push(x: number): void {
    const n = this.a.length;
    this.rab.resize((n + 1) * 8);
    this.a[n] = x;
  }
  resize(n: number): void {
    this.rab.resize(n * 8);
  }
  fit(): void {}
}

function cowSide(v: CowVector): Side {
  return {
    get length() {
      return v.length;
    },
    pop: () => void v.pop(),
    push: (x) => void v.push(x),
    resize: (n) => v.resize(n),
    fit: () => v.shrinkToFit(),
  };
}

/** A value whose first conversion (valueOf) applies `e` to `side`. */
function evil(value: number, side: Side, e: Effect): number {
  if (e.kind === "none") return value;
  let fired = false;
  return {
    valueOf() {
      if (!fired) {
        fired = true;
        apply(side, e);
      }
      return value;
    },
  } as unknown as number;
}

interface Version {
  readonly v: CowVector;
  readonly m: NativeVec;
}

interface Real {
  readonly pool: FramePool;
  readonly versions: Version[];
  /** Embedded: the heap the vectors live in (checked after each command); null standalone. */
  readonly heap: Heap | null;
}

type Model = Record<string, never>;

/** Runs `f`, returning its result (arrays copied out) or the error's class name. */
function outcome(self: unknown, f: () => unknown): unknown {
  try {
    const r = f();
    if (r === self) return "this";
    if (r instanceof CowVector) {
      const out = [...r];
      r.free();
      return out;
    }
    if (r instanceof Float64Array) return [...r];
    return r;
  } catch (e) {
    return `threw ${(e as Error).constructor.name}`;
  }
}

function checkAll(r: Real, what: string): void {
  for (const [i, { v, m }] of r.versions.entries())
    expect([...v], `${what}: version ${i}`).toEqual(Array.from(m.a, (x) => x));
  if (r.heap !== null) expect(() => r.heap?.check(), what).not.toThrow();
}

type Op = (t: CowVector | Float64Array, side: Side) => unknown;

/** An operation with one converted argument doing `effect`. */
class OpCommand implements fc.Command<Model, Real> {
  constructor(
    readonly at: number,
    readonly name: string,
    readonly op: (arg: (x: number) => number) => Op,
    readonly effect: Effect,
  ) {}
  check(): boolean {
    return true;
  }
  run(_: Model, r: Real): void {
    const { v, m } = r.versions[this.at % r.versions.length] as Version;
    const vs = cowSide(v);
    const got = outcome(v, () => this.op((x) => evil(x, vs, this.effect))(v, vs));
    const want = outcome(m.a, () => this.op((x) => evil(x, m, this.effect))(m.a, m));
    expect(got, this.toString()).toEqual(want);
    checkAll(r, this.toString());
  }
  toString(): string {
    return `${this.name} on version ${this.at} (conversion: ${showEffect(this.effect)})`;
  }
}

class ForkCommand implements fc.Command<Model, Real> {
  constructor(readonly at: number) {}
  check(): boolean {
    return true;
  }
  run(_: Model, r: Real): void {
    if (r.heap !== null || r.versions.length >= 4) return; // embedded vectors fork with their space (not modelled here)
    const { v, m } = r.versions[this.at % r.versions.length] as Version;
    r.versions.push({ v: v.fork(), m: new NativeVec(m.a) });
    checkAll(r, this.toString());
  }
  toString(): string {
    return `fork version ${this.at}`;
  }
}

class EditCommand implements fc.Command<Model, Real> {
  constructor(
    readonly at: number,
    readonly effect: Effect,
  ) {}
  check(): boolean {
    return true;
  }
  run(_: Model, r: Real): void {
    const { v, m } = r.versions[this.at % r.versions.length] as Version;
    apply(cowSide(v), this.effect);
    apply(m, this.effect);
    checkAll(r, this.toString());
  }
  toString(): string {
    return `edit version ${this.at}: ${showEffect(this.effect)}`;
  }
}

const idx = fc.integer({ min: -MAX - 4, max: MAX + 4 });
const val = fc.integer({ min: -5, max: 5 });
const ver = fc.nat(7);

const ops: fc.Arbitrary<fc.Command<Model, Real>>[] = [
  fc
    .tuple(ver, val, idx, idx, fc.nat(2), effectArb)
    .map(
      ([at, x, s, e, which, eff]) =>
        new OpCommand(
          at,
          `fill(${x}, ${s}, ${e}) converting arg ${which}`,
          (ev) => (t) => t.fill(which === 0 ? ev(x) : x, which === 1 ? ev(s) : s, which === 2 ? ev(e) : e),
          eff,
        ),
    ),
  fc.tuple(ver, fc.nat(60), effectArb).map(
    ([at, k, eff]) =>
      new OpCommand(
        at,
        `sort(desc) editing at comparison ${k}`,
        (ev) => (t) => {
          let n = 0;
          return t.sort((a, b) => (n++ === k ? ev(b - a) : b - a));
        },
        eff,
      ),
  ),
  fc.tuple(ver, fc.nat(MAX), fc.nat(MAX), fc.nat(MAX), effectArb).map(
    ([at, n, k, off, eff]) =>
      new OpCommand(
        at,
        `set(${n} values, ${off}) editing at value ${k}`,
        (ev) => (t) =>
          t.set(
            Array.from({ length: n }, (_, i) => (i === k ? ev(i + 0.5) : i + 0.5)),
            off,
          ),
        eff,
      ),
  ),
  fc.tuple(ver, fc.nat(MAX), fc.nat(MAX), effectArb).map(
    ([at, n, off, eff]) =>
      new OpCommand(
        at,
        `set({ length: ${n} }, ${off}) editing in its length getter`,
        (ev) => (t) =>
          t.set(
            {
              get length() {
                return ev(n);
              },
            } as ArrayLike<number>,
            off,
          ),
        eff,
      ),
  ),
  fc
    .tuple(ver, idx, idx, idx, fc.nat(2), effectArb)
    .map(
      ([at, a, b, c, which, eff]) =>
        new OpCommand(
          at,
          `copyWithin(${a}, ${b}, ${c}) converting arg ${which}`,
          (ev) => (t) => t.copyWithin(which === 0 ? ev(a) : a, which === 1 ? ev(b) : b, which === 2 ? ev(c) : c),
          eff,
        ),
    ),
  fc.tuple(ver, idx, effectArb).map(([at, i, eff]) => new OpCommand(at, `at(${i})`, (ev) => (t) => t.at(ev(i)), eff)),
  fc
    .tuple(ver, idx, val, fc.boolean(), effectArb)
    .map(
      ([at, i, x, first, eff]) =>
        new OpCommand(
          at,
          `with(${i}, ${x}) converting ${first ? "index" : "value"}`,
          (ev) => (t) => t.with(first ? ev(i) : i, first ? x : ev(x)),
          eff,
        ),
    ),
  fc
    .tuple(ver, idx, idx, fc.boolean(), effectArb)
    .map(
      ([at, s, e, first, eff]) =>
        new OpCommand(
          at,
          `slice(${s}, ${e}) converting ${first ? "start" : "end"}`,
          (ev) => (t) => t.slice(first ? ev(s) : s, first ? e : ev(e)),
          eff,
        ),
    ),
  fc
    .tuple(ver, fc.constantFrom("indexOf", "lastIndexOf", "includes"), val, idx, effectArb)
    .map(
      ([at, name, x, from, eff]) =>
        new OpCommand(
          at,
          `${name}(${x}, ${from})`,
          (ev) => (t) => (t as unknown as Record<string, (a: number, b: number) => unknown>)[name]?.(x, ev(from)),
          eff,
        ),
    ),
];

function commands(): fc.Arbitrary<fc.Command<Model, Real>>[] {
  return [
    ...ops,
    fc.tuple(ver, effectArb).map(([at, e]) => new EditCommand(at, e)),
    ver.map((at) => new ForkCommand(at)),
  ];
}

const initArb = fc.array(fc.integer({ min: -3, max: 50 }), { maxLength: 70 });

describe("CowVector methods whose argument conversions edit the vector, against a native length-tracking Float64Array", () => {
  it("standalone: every version matches its model; no frame is left", () => {
    fc.assert(
      fc.property(initArb, fc.commands(commands(), { maxCommands: 30 }), (init, cmds) => {
        const pool = new FramePool({ pageSize: 256 });
        const r: Real = {
          pool,
          versions: [{ v: CowVector.from(Float64Array, init, { pool, maxLength: MAX }), m: new NativeVec(init) }],
          heap: null,
        };
        try {
          fc.modelRun(() => ({ model: {}, real: r }), cmds);
        } finally {
          for (const { v } of r.versions) v.release();
        }
        expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
      }),
      { numRuns: 150 },
    );
  });

  it("embedded in a heap: every call matches, the heap stays intact; no frame is left", () => {
    fc.assert(
      fc.property(initArb, fc.commands(commands(), { maxCommands: 30 }), (init, cmds) => {
        const pool = new FramePool({ pageSize: 256 });
        const space = new AddressSpace({ size: 1 << 16, pool });
        const heap = Heap.create(space, { base: 256 });
        const v = CowVector.create(heap, Float64Array);
        const r: Real = { pool, versions: [{ v, m: new NativeVec(init) }], heap };
        try {
          v.extend(init);
          fc.modelRun(() => ({ model: {}, real: r }), cmds);
        } finally {
          space.release();
        }
        expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
      }),
      { numRuns: 150 },
    );
  });
});
