/**
 * Model test of versions of one state against plain JSON trees, deep-copied
 * per version: random `produceWithPatches` on any live version (a branch
 * when it is not the newest), forks, releases, recipes that throw after
 * their edits (caught inside the recipe, or not), `applyPatches` of the
 * patches (forward on the base, inverse on the result, both through JSON
 * when no number is non-finite), and `diffPatches` between any two live
 * versions. The schema covers what immer.model.test.ts does not: a map of
 * records, a nullable record, optional lists, a list of lists, enum keys,
 * a list of nullable numbers and typed arrays of three kinds.
 *
 * Each command prints a replayable call.
 */
import { FramePool } from "@pagefork/core";
import {
  applyPatches,
  createState,
  diffPatches,
  type Patch,
  produceWithPatches,
  SchemaError,
  type State,
  t,
} from "@pagefork/state";
import fc from "fast-check";
import { expect, it } from "vitest";

const Rec = t.struct({ name: t.string, n: t.i16, opt: t.optional(t.list(t.string)) });
const App = t.struct({
  byKey: t.map(t.enum(["a", "b", "c", "d"]), Rec),
  maybe: t.nullable(Rec),
  grid: t.list(t.list(t.u8)),
  xs: t.list(t.nullable(t.f64)),
  f32: t.float32Array(3),
  i16: t.int16Array(3),
  b64: t.bigUint64Array(2),
  tags: t.set(t.i32),
});
type D = t.Draft<typeof App>;
type V = State<typeof App>;
interface RecJ {
  name: string;
  n: number;
  opt?: string[];
}
interface Json {
  byKey: Record<string, RecJ>;
  maybe: RecJ | null;
  grid: number[][];
  xs: (number | null)[];
  f32: number[];
  i16: number[];
  b64: string[];
  tags: number[];
}

const KEYS = ["a", "b", "c", "d"] as const;
type Edit = [kind: number, a: number, b: number];

/** One edit on the draft. */
function editDraft(d: D, [kind, a, b]: Edit): void {
  const key = KEYS[a % 4]!;
  switch (kind) {
    case 0:
      d.byKey.set(key, { name: `r${b % 5}`, n: (b % 200) - 100 });
      break;
    case 1:
      d.byKey.delete(key);
      break;
    case 2: {
      const r = d.byKey.get(key);
      if (r !== undefined) r.n = (b % 200) - 100;
      break;
    }
    case 3: {
      const r = d.byKey.get(key);
      if (r === undefined) break;
      if (b % 3 === 0) delete r.opt;
      else if (r.opt === undefined) r.opt = [`o${b % 4}`];
      else r.opt.push(`o${b % 4}`);
      break;
    }
    case 4:
      d.maybe = b % 3 === 0 ? null : { name: `m${b % 4}`, n: b % 100 };
      break;
    case 5:
      if (d.maybe !== null) d.maybe.name = `m${b % 7}`;
      break;
    case 6: {
      // Move a record from the map into `maybe` (a removed draft is moved, not copied).
      const r = d.byKey.get(key);
      if (r === undefined) break;
      d.byKey.delete(key);
      d.maybe = r;
      break;
    }
    case 7:
      if (d.grid.length === 0 || b % 3 === 0) d.grid.push([b % 256]);
      else d.grid[a % d.grid.length]!.push(b % 256);
      break;
    case 8:
      if (d.grid.length > 0) d.grid.splice(a % d.grid.length, 1 + (b % 2));
      break;
    case 9:
      if (d.grid.length > 1) d.grid.reverse();
      break;
    case 10:
      d.xs.splice(a % (d.xs.length + 1), 0, b % 4 === 0 ? null : b / 8);
      break;
    case 11:
      if (d.xs.length > 0) d.xs[a % d.xs.length] = b % 3 === 0 ? null : -b;
      break;
    case 12:
      d.f32[a % 3] = b / 4;
      d.i16[(a + 1) % 3] = (b % 60000) - 30000;
      break;
    case 13:
      d.b64[a % 2] = BigInt(b) * 1_000_000_007n;
      break;
    case 14:
      if (b % 2 === 0) d.tags.add(a % 9);
      else d.tags.delete(a % 9);
      break;
    default:
      d.i16.fill(b % 100, a % 3);
  }
}

/** The same edit on the model. */
function editModel(m: Json, [kind, a, b]: Edit): void {
  const key = KEYS[a % 4]!;
  const del = (o: Record<string, unknown>, k: string) => {
    delete o[k];
  };
  switch (kind) {
    case 0: {
      const had = key in m.byKey;
      const rec = { name: `r${b % 5}`, n: (b % 200) - 100 };
      if (had) m.byKey[key] = rec;
      else m.byKey = { ...m.byKey, [key]: rec };
      break;
    }
    case 1:
      del(m.byKey, key);
      break;
    case 2:
      if (m.byKey[key]) m.byKey[key].n = (b % 200) - 100;
      break;
    case 3: {
      const r = m.byKey[key];
      if (!r) break;
      if (b % 3 === 0) del(r as unknown as Record<string, unknown>, "opt");
      else if (r.opt === undefined) r.opt = [`o${b % 4}`];
      else r.opt.push(`o${b % 4}`);
      break;
    }
    case 4:
      m.maybe = b % 3 === 0 ? null : { name: `m${b % 4}`, n: b % 100 };
      break;
    case 5:
      if (m.maybe !== null) m.maybe.name = `m${b % 7}`;
      break;
    case 6: {
      const r = m.byKey[key];
      if (!r) break;
      del(m.byKey, key);
      m.maybe = r;
      break;
    }
    case 7:
      if (m.grid.length === 0 || b % 3 === 0) m.grid.push([b % 256]);
      else m.grid[a % m.grid.length]!.push(b % 256);
      break;
    case 8:
      if (m.grid.length > 0) m.grid.splice(a % m.grid.length, 1 + (b % 2));
      break;
    case 9:
      if (m.grid.length > 1) m.grid.reverse();
      break;
    case 10:
      m.xs.splice(a % (m.xs.length + 1), 0, b % 4 === 0 ? null : b / 8);
      break;
    case 11:
      if (m.xs.length > 0) m.xs[a % m.xs.length] = b % 3 === 0 ? null : -b;
      break;
    case 12:
      m.f32[a % 3] = Math.fround(b / 4);
      m.i16[(a + 1) % 3] = (b % 60000) - 30000;
      break;
    case 13:
      m.b64[a % 2] = String(BigInt(b) * 1_000_000_007n);
      break;
    case 14: {
      const i = m.tags.indexOf(a % 9);
      if (b % 2 === 0) {
        if (i < 0) m.tags.push(a % 9);
      } else if (i >= 0) m.tags.splice(i, 1);
      break;
    }
    default:
      for (let i = a % 3; i < 3; i++) m.i16[i] = b % 100;
  }
}

/** Comparable JSON: the map's entries in insertion order, kept as an array of pairs. */
function norm(j: unknown): unknown {
  const x = structuredClone(j) as Omit<Json, "byKey"> & { byKey: unknown };
  x.byKey = Object.entries(x.byKey as Record<string, RecJ>);
  return x;
}
const jsonOf = (v: V) => norm(v.toJSON());

interface Model {
  versions: (Json | null)[];
}
interface Real {
  pool: FramePool;
  versions: (V | null)[];
}
type Cmd = fc.Command<Model, Real>;

function live(m: Model, i: number): number {
  const ks = m.versions.flatMap((v, k) => (v === null ? [] : [k]));
  return ks.length === 0 ? -1 : ks[i % ks.length]!;
}

/** Applies patches directly and, when JSON can carry them, through JSON; both must give `want`. */
function expectPatches(base: V, patches: Patch[], want: unknown): void {
  const a = applyPatches(base, patches);
  expect(jsonOf(a)).toEqual(want);
  if (a !== base) a.release();
  const b = applyPatches(base, JSON.parse(JSON.stringify(patches, (_k, v) => (typeof v === "bigint" ? String(v) : v))));
  expect(jsonOf(b)).toEqual(want);
  if (b !== base) b.release();
}

class Produce implements Cmd {
  constructor(
    readonly v: number,
    readonly edits: Edit[],
    readonly fail: "none" | "throw" | "caught-bad",
  ) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    const base = r.versions[k]!;
    const frames = r.pool.framesInUse;
    const before = jsonOf(base);
    if (this.fail === "throw") {
      const oops = new Error("recipe failed");
      expect(() =>
        produceWithPatches(base, (d) => {
          for (const e of this.edits) editDraft(d, e);
          throw oops;
        }),
      ).toThrow(oops);
      expect(r.pool.framesInUse).toBe(frames);
      expect(jsonOf(base)).toEqual(before);
      return;
    }
    const [next, patches, inverse] = produceWithPatches(base, (d) => {
      for (const e of this.edits) {
        editDraft(d, e);
        if (this.fail === "caught-bad") {
          // Bad input mid-recipe: refused before any write, and the recipe goes on.
          expect(() => d.byKey.set("a", { name: "x", n: 40_000 })).toThrow(SchemaError);
          expect(() => d.grid.push([1, 256])).toThrow(SchemaError);
          expect(() => {
            d.maybe = { name: 5 } as never;
          }).toThrow(SchemaError);
        }
      }
    });
    const model = structuredClone(m.versions[k]!);
    for (const e of this.edits) editModel(model, e);
    const want = norm(model);
    expect(jsonOf(next)).toEqual(want);
    expect(jsonOf(base)).toEqual(before);
    expectPatches(base, patches, want);
    if (next === base) {
      expect(patches).toEqual([]);
      return;
    }
    // Inverse patches: sets and maps compared without order (an entry that
    // was deleted and set again, or added back, goes to the end, as in Immer).
    const back = applyPatches(next, inverse);
    const sorted = (j: unknown) => {
      const x = j as { tags: number[]; byKey: [string, unknown][] };
      x.tags.sort((p, q) => p - q);
      x.byKey.sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0));
      return x;
    };
    expect(sorted(jsonOf(back))).toEqual(sorted(before));
    back.release();
    r.versions.push(next);
    m.versions.push(model);
  }
  toString = () => `produce(v${this.v}, ${JSON.stringify(this.edits)}, ${this.fail})`;
}

class Fork implements Cmd {
  constructor(readonly v: number) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    r.versions.push(r.versions[k]!.fork());
    m.versions.push(structuredClone(m.versions[k]!));
  }
  toString = () => `fork(v${this.v})`;
}

class Release implements Cmd {
  constructor(readonly v: number) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const k = live(m, this.v);
    r.versions[k]!.release();
    r.versions[k] = null;
    m.versions[k] = null;
    for (let i = 0; i < m.versions.length; i++)
      if (m.versions[i] !== null) expect(jsonOf(r.versions[i]!)).toEqual(norm(m.versions[i]));
  }
  toString = () => `release(v${this.v})`;
}

class Diff implements Cmd {
  constructor(
    readonly v: number,
    readonly w: number,
  ) {}
  check = (m: Readonly<Model>) => live(m as Model, this.v) >= 0;
  run(m: Model, r: Real): void {
    const [a, b] = [live(m, this.v), live(m, this.w)];
    const patches = diffPatches(r.versions[a]!, r.versions[b]!);
    expectPatches(r.versions[a]!, patches, norm(m.versions[b]));
  }
  toString = () => `diff(v${this.v}, v${this.w})`;
}

const editArb = fc.tuple(fc.nat(15), fc.nat(1000), fc.nat(1000)) as fc.Arbitrary<Edit>;
const commands = [
  fc
    .tuple(
      fc.nat(),
      fc.array(editArb, { minLength: 1, maxLength: 5 }),
      fc.constantFrom("none", "none", "throw", "caught-bad"),
    )
    .map(([v, e, f]) => new Produce(v, e, f as "none")),
  fc.tuple(fc.nat(), fc.array(editArb, { minLength: 1, maxLength: 5 })).map(([v, e]) => new Produce(v, e, "none")),
  fc.nat().map((v) => new Fork(v)),
  fc.nat().map((v) => new Release(v)),
  fc.tuple(fc.nat(), fc.nat()).map(([v, w]) => new Diff(v, w)),
];

function initial(): Json {
  return {
    byKey: { a: { name: "first", n: 1, opt: ["x"] } },
    maybe: null,
    grid: [[1, 2]],
    xs: [null, 1.5],
    f32: [0, 0.5, 1],
    i16: [-1, 0, 1],
    b64: ["1", "18446744073709551615"],
    tags: [3],
  };
}

it("versions, patches, inverse patches and diffs match a model of JSON trees; throwing recipes change nothing; no frame leaks", () => {
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
      const pool = new FramePool({ pageSize: 256 });
      const init = initial();
      const s0 = createState(
        App,
        {
          byKey: new Map(Object.entries(init.byKey)) as never,
          maybe: null,
          grid: init.grid,
          xs: init.xs,
          f32: init.f32,
          i16: init.i16,
          b64: init.b64.map(BigInt) as never,
          tags: new Set(init.tags),
        },
        { pool },
      );
      const real: Real = { pool, versions: [s0] };
      try {
        expect(jsonOf(s0)).toEqual(norm(init));
        fc.modelRun(() => ({ model: { versions: [initial()] }, real }), cmds);
      } finally {
        for (const v of real.versions) v?.release();
      }
      expect(pool.framesInUse).toBe(0);
    }),
    { numRuns: 250 },
  );
});
