/**
 * Model test of a state's map and set views (read-only) and drafts (inside
 * `produce`) against native Map and Set (Node 20): every read a native Map
 * or Set has (size, get, has, keys, values, entries, forEach, the iterator,
 * including NaN and -0 keys, keys of another type), writes (set, delete,
 * clear, add) with their return values, iterators that live across the
 * draft's own writes (a native iterator sees later additions and skips
 * deleted entries), recipes that throw after their edits, forks, releases,
 * patches (forward ones applied to the base, through JSON when every key is
 * finite, give the result in the same iteration order; inverse ones applied
 * to the result give the base's entries) and, after every version is
 * released, a pool with no frame in use.
 *
 * Each command prints a replayable call.
 */
import { applyPatches, createState, type Patch, produce, produceWithPatches, type State, t } from "@pagefork/state";
import fc from "fast-check";
import { expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { pool } from "./support.js";

const S = t.struct({
  nums: t.map(t.f64, t.i32),
  strs: t.map(t.string, t.i32),
  tags: t.set(t.f64),
});
type V = State<typeof S>;
type D = t.Draft<typeof S>;

interface Model {
  nums: Map<number, number>;
  strs: Map<string, number>;
  tags: Set<number>;
}
const cloneModel = (m: Model): Model => ({ nums: new Map(m.nums), strs: new Map(m.strs), tags: new Set(m.tags) });

// Keys that collide only under SameValueZero, integer-like strings (JSON objects put them first), and ordinary ones.
const NUM_KEYS = [0, -0, Number.NaN, 1, 2, -1, 1.5, Number.POSITIVE_INFINITY, 1e21, 3] as const;
const STR_KEYS = ["2", "1", "b", "a", "10", "01", "-0", ""] as const;

type Edit =
  | { k: "numSet"; key: number; v: number }
  | { k: "numDel"; key: number }
  | { k: "numClear" }
  | { k: "strSet"; key: number; v: number }
  | { k: "strDel"; key: number }
  | { k: "tagAdd"; key: number }
  | { k: "tagDel"; key: number }
  | { k: "tagClear" }
  /** Starts an iterator, takes `steps` values, runs `edit`, then drains it: on both sides. */
  | { k: "iterMut"; which: 0 | 1 | 2 | 3; steps: number; edits: Edit[] };

// Clears are rare, so that maps and sets grow to several entries before one empties them.
const flat: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ k: fc.constant("numSet" as const), key: fc.nat(9), v: fc.integer({ min: -5, max: 5 }) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("numDel" as const), key: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.constant({ k: "numClear" as const }) },
  {
    weight: 4,
    arbitrary: fc.record({ k: fc.constant("strSet" as const), key: fc.nat(7), v: fc.integer({ min: -5, max: 5 }) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("strDel" as const), key: fc.nat(7) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant("tagAdd" as const), key: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("tagDel" as const), key: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.constant({ k: "tagClear" as const }) },
);
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 6, arbitrary: flat },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("iterMut" as const),
      which: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
      steps: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      edits: fc.array(flat, { maxLength: 4 }),
    }),
  },
);

type MapLike<K, V> = Pick<Map<K, V>, "set" | "delete" | "clear" | "size" | "entries" | "keys" | "values">;
type SetLike = Pick<Set<number>, "add" | "delete" | "clear" | "size" | "values">;

/** One edit on `d` (a draft or the native model): the return values must agree, so they are returned. */
function edit(
  d: { nums: MapLike<number, number>; strs: MapLike<string, number>; tags: SetLike },
  e: Edit,
  log: unknown[],
): void {
  editOnly(d, e, log);
  log.push(d.nums.size, d.strs.size, d.tags.size);
}

function editOnly(
  d: { nums: MapLike<number, number>; strs: MapLike<string, number>; tags: SetLike },
  e: Edit,
  log: unknown[],
): void {
  switch (e.k) {
    case "numSet":
      log.push(d.nums.set(NUM_KEYS[e.key] as number, e.v) === d.nums);
      break;
    case "numDel":
      log.push(d.nums.delete(NUM_KEYS[e.key] as number));
      break;
    case "numClear":
      log.push(d.nums.clear());
      break;
    case "strSet":
      log.push(d.strs.set(STR_KEYS[e.key] as string, e.v) === d.strs);
      break;
    case "strDel":
      log.push(d.strs.delete(STR_KEYS[e.key] as string));
      break;
    case "tagAdd":
      log.push((d.tags.add(NUM_KEYS[e.key] as number) as unknown) === d.tags);
      break;
    case "tagDel":
      log.push(d.tags.delete(NUM_KEYS[e.key] as number));
      break;
    case "tagClear":
      log.push(d.tags.clear());
      break;
    case "iterMut": {
      const it: Iterator<unknown> =
        e.which === 0
          ? d.nums.entries()
          : e.which === 1
            ? d.nums.keys()
            : e.which === 2
              ? d.strs.values()
              : d.tags.values();
      for (let i = 0; i < e.steps; i++) log.push(it.next());
      for (const x of e.edits) edit(d, x, log);
      for (let r = it.next(); ; r = it.next()) {
        log.push(r);
        if (r.done) break;
      }
      log.push(it.next()); // done stays done
      break;
    }
  }
}

/** Every read of a map or set view (or draft) against its native model. */
function sameMap<K>(real: ReadonlyMap<K, number>, model: ReadonlyMap<K, number>, probes: readonly K[]): void {
  expect(real).toBeInstanceOf(Map);
  expect(real.size).toBe(model.size);
  expect([...real]).toEqual([...model]);
  expect([...real.keys()]).toEqual([...model.keys()]);
  expect([...real.values()]).toEqual([...model.values()]);
  expect([...real.entries()]).toEqual([...model.entries()]);
  // Object.is on every key: -0 is stored as +0
  expect([...real.keys()].map((k) => Object.is(k, -0))).toEqual([...model.keys()].map((k) => Object.is(k, -0)));
  const seen: unknown[] = [];
  const thisArg = {};
  real.forEach(function (this: unknown, v, k, m) {
    seen.push([k, v, m === real, this === thisArg]);
  }, thisArg);
  expect(seen).toEqual([...model].map(([k, v]) => [k, v, true, true]));
  for (const p of probes) {
    expect(real.has(p)).toBe(model.has(p));
    expect(real.get(p)).toBe(model.get(p));
  }
  // keys of another type are simply not there
  expect(real.has("1" as K)).toBe(model.has("1" as K));
  expect(real.get({} as K)).toBeUndefined();
  expect(real.has(undefined as K)).toBe(false);
}

function sameSet(real: ReadonlySet<number>, model: ReadonlySet<number>): void {
  expect(real).toBeInstanceOf(Set);
  expect(real.size).toBe(model.size);
  expect([...real]).toEqual([...model]);
  expect([...real.keys()]).toEqual([...model.keys()]);
  expect([...real.entries()]).toEqual([...model.entries()]);
  const seen: unknown[] = [];
  real.forEach((v, k, s) => {
    seen.push([v, k, s === real]);
  });
  expect(seen).toEqual([...model].map((v) => [v, v, true]));
  for (const p of NUM_KEYS) expect(real.has(p)).toBe(model.has(p));
  expect(real.has("1" as never)).toBe(false);
}

function sameAll(
  real: { nums: ReadonlyMap<number, number>; strs: ReadonlyMap<string, number>; tags: ReadonlySet<number> },
  m: Model,
): void {
  sameMap(real.nums, m.nums, NUM_KEYS);
  sameMap(real.strs, m.strs, STR_KEYS);
  sameSet(real.tags, m.tags);
}

/** Entries of a model's maps as sorted lists (for comparisons that ignore a map's order), its set as is. */
function sorted(m: Model): unknown {
  const byKey = (a: [unknown, unknown], b: [unknown, unknown]) =>
    String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0;
  return {
    nums: [...m.nums].sort(byKey),
    strs: [...m.strs].sort(byKey),
    tags: [...m.tags], // a set's inverse add goes back to its index: order kept
  };
}
/** True when no number in `x` (deeply) is NaN or infinite. */
function allFinite(x: unknown): boolean {
  if (typeof x === "number") return Number.isFinite(x);
  if (x !== null && typeof x === "object") return Object.values(x).every(allFinite);
  return true;
}
const modelOf = (v: V): Model => ({
  nums: new Map(v.root.nums),
  strs: new Map(v.root.strs),
  tags: new Set(v.root.tags),
});

interface Real {
  versions: (V | null)[];
}
interface M {
  versions: (Model | null)[];
}
type Cmd = fc.Command<M, Real>;

function live(m: M, i: number): number {
  const n = m.versions.length;
  for (let j = 0; j < n; j++) if (m.versions[(i + j) % n] !== null) return (i + j) % n;
  return -1;
}

class ProduceCmd implements Cmd {
  constructor(
    readonly at: number,
    readonly edits: Edit[],
    readonly throws: boolean,
    readonly withPatches: boolean,
  ) {}
  check = (m: Readonly<M>) => live(m as M, this.at) >= 0;
  run(m: M, r: Real): void {
    const i = live(m, this.at);
    const base = r.versions[i] as V;
    const before = m.versions[i] as Model;
    const next = cloneModel(before);
    const nativeLog: unknown[] = [];
    for (const e of this.edits) edit(next, e, nativeLog);
    const draftLog: unknown[] = [];
    const recipe = (d: D) => {
      for (const e of this.edits) edit(d as never, e, draftLog);
      sameAll(d as never, next); // the draft reads what it holds, as a native Map would
      if (this.throws) throw new Error("recipe failed");
    };
    if (this.throws) {
      expect(() => produce(base, recipe)).toThrow("recipe failed");
      expect(draftLog).toEqual(nativeLog);
      sameAll(base.root, before); // nothing changed
      return;
    }
    let out: V;
    if (this.withPatches) {
      const [res, patches, inverse] = produceWithPatches(base, recipe);
      out = res;
      // through JSON unless a key is NaN or infinite (JSON makes those null)
      const trip = (ps: Patch[]) => (allFinite(ps) ? (JSON.parse(JSON.stringify(ps)) as Patch[]) : ps);
      const again = applyPatches(base, trip(patches));
      sameAll(again.root, next); // same entries, same iteration order
      if (again !== base) again.release(); // no change gives the base itself
      const back = applyPatches(res, trip(inverse));
      // inverse patches re-add a deleted map entry at the end (as Immer's do): entries agree, a map's order may not
      expect(sorted(modelOf(back))).toEqual(sorted(before));
      if (back !== res) back.release();
    } else out = produce(base, recipe);
    expect(draftLog).toEqual(nativeLog);
    sameAll(base.root, before); // the base never changes
    sameAll(out.root, next);
    if (out !== base) {
      r.versions.push(out);
      m.versions.push(next);
    }
  }
  toString = () =>
    `produce(${this.at}, ${JSON.stringify(this.edits)}, throws=${this.throws}, patches=${this.withPatches})`;
}

class ForkCmd implements Cmd {
  constructor(readonly at: number) {}
  check = (m: Readonly<M>) => live(m as M, this.at) >= 0;
  run(m: M, r: Real): void {
    const i = live(m, this.at);
    const f = (r.versions[i] as V).fork();
    sameAll(f.root, m.versions[i] as Model);
    r.versions.push(f);
    m.versions.push(cloneModel(m.versions[i] as Model));
  }
  toString = () => `fork(${this.at})`;
}

class ReleaseCmd implements Cmd {
  constructor(readonly at: number) {}
  check = (m: Readonly<M>) => live(m as M, this.at) >= 0;
  run(m: M, r: Real): void {
    const i = live(m, this.at);
    (r.versions[i] as V).release();
    r.versions[i] = null;
    m.versions[i] = null;
    // every other live version still reads its own entries
    for (let j = 0; j < m.versions.length; j++)
      if (m.versions[j] !== null) sameAll((r.versions[j] as V).root, m.versions[j] as Model);
  }
  toString = () => `release(${this.at})`;
}

class ViewCmd implements Cmd {
  constructor(readonly at: number) {}
  check = (m: Readonly<M>) => live(m as M, this.at) >= 0;
  run(m: M, r: Real): void {
    const i = live(m, this.at);
    const v = (r.versions[i] as V).root;
    sameAll(v, m.versions[i] as Model);
    // read-only: every write throws and changes nothing
    expect(() => (v.nums as unknown as Map<number, number>).set(1, 1)).toThrow();
    expect(() => (v.nums as unknown as Map<number, number>).delete(1)).toThrow();
    expect(() => (v.strs as unknown as Map<string, number>).clear()).toThrow();
    expect(() => (v.tags as unknown as Set<number>).add(1)).toThrow();
    expect(() => (v.tags as unknown as Set<number>).delete(1)).toThrow();
    sameAll(v, m.versions[i] as Model);
  }
  toString = () => `view(${this.at})`;
}

// Async only to give the event loop a turn per run (test/support/turn.ts): at load ~25 on
// 2 cores its 100 runs took 37 s, near the 60 s after which vitest's worker RPC times out.
it("map and set views and drafts behave as native Map and Set across produce, patches, fork and release", async () => {
  const produceArb = fc
    .tuple(fc.nat(7), fc.array(editArb, { maxLength: 16 }), fc.boolean(), fc.boolean())
    .map(([a, e, th, wp]) => new ProduceCmd(a, e, th && e.length % 4 === 3, wp));
  const cmds = fc.commands(
    [
      // produce three times as often as the others, so that versions grow before a release
      produceArb,
      produceArb,
      produceArb,
      fc.nat(7).map((a) => new ForkCmd(a)),
      fc.nat(7).map((a) => new ReleaseCmd(a)),
      fc.nat(7).map((a) => new ViewCmd(a)),
    ],
    { maxCommands: 25, size: "max" },
  );
  await fc.assert(
    fc.asyncProperty(cmds, async (cs) => {
      await eventLoopTurns();
      const p = pool();
      const v0 = createState(
        S,
        { nums: new Map<number, number>(), strs: new Map<string, number>(), tags: new Set<number>() },
        { pool: p },
      );
      const r: Real = { versions: [v0] };
      const m: M = { versions: [{ nums: new Map(), strs: new Map(), tags: new Set() }] };
      try {
        fc.modelRun(() => ({ model: m, real: r }), cs);
      } finally {
        for (const v of r.versions) v?.release();
      }
      expect(p.framesInUse).toBe(0);
    }),
    { numRuns: Number(process.env.RUNS ?? 100) },
  );
});
