import { FramePool } from "@pagefork/core";
import { CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyArb, show } from "./arbitraries.js";
import { Ballast, refusable, squeezes } from "./pressure.js";
import { hasLive, OpenIterCmd, pickVersion, StepIterCmd, type VersionsModel } from "./support/iter-model.js";
import { spec } from "./support/set-spec.js";

/**
 * Differential model test: every CowSet version against a native Set, and
 * the ES2025 set methods against a transcription of ECMA-262 24.2.4 on
 * native Sets (support/set-spec.ts; Node 20 does not ship them). The model of a fork is
 * `new Set(old)`; the other operand is a native Set or another live version.
 */
type K = string | number | bigint | boolean | null | undefined;
type Model = VersionsModel<Set<K>>;
interface Real {
  pool: FramePool;
  sets: CowSet<K>[];
  /** Holds frames of the pool, so that the sets work near its maxBytes (pressure.ts). */
  ballast: Ballast;
}

function expectSameOrder(actual: Iterable<unknown>, expected: Iterable<unknown>): void {
  const a = [...actual];
  const b = [...expected];
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Object.is(a[i], b[i]), `${show(a[i])} vs ${show(b[i])}`).toBe(true);
}

/** Runs a mutation `op` of version `k`; false when the pool refused it, which must have changed nothing (see pressure.ts). */
function refusableOp(r: Real, m: Model, k: number, op: () => void): boolean {
  return refusable(r.pool, op, () => expectSameOrder(r.sets[k] as CowSet<K>, m.versions[k] as Set<K>));
}

const pick = pickVersion;

class AddCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: K,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    if (!refusableOp(r, m, k, () => expect(r.sets[k]?.add(this.key)).toBe(r.sets[k]))) return;
    m.versions[k]?.add(this.key);
    expect(r.sets[k]?.size).toBe(m.versions[k]?.size);
  }
  toString = () => `add(v${this.v}, ${show(this.key)})`;
}

class DeleteCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: K,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const had = m.versions[k]?.has(this.key);
    if (!refusableOp(r, m, k, () => expect(r.sets[k]?.delete(this.key)).toBe(had))) return;
    m.versions[k]?.delete(this.key);
  }
  toString = () => `delete(v${this.v}, ${show(this.key)})`;
}

class HasCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: K,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    expect(r.sets[k]?.has(this.key)).toBe(m.versions[k]?.has(this.key));
  }
  toString = () => `has(v${this.v}, ${show(this.key)})`;
}

class ForkCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    r.sets.push((r.sets[k] as CowSet<K>).fork());
    m.versions.push(new Set(m.versions[k] as Set<K>));
  }
  toString = () => `fork(v${this.v})`;
}

class ReleaseCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    r.sets[k]?.release();
    m.versions[k] = null;
  }
  toString = () => `release(v${this.v})`;
}

class ClearCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    if (!refusableOp(r, m, k, () => r.sets[k]?.clear())) return;
    m.versions[k]?.clear();
  }
  toString = () => `clear(v${this.v})`;
}

class ChurnCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly n: number,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const rs = r.sets[k] as CowSet<K>;
    const ms = m.versions[k] as Set<K>;
    for (let i = 0; i < this.n; i++) {
      if (!refusableOp(r, m, k, () => rs.add(`churn-${i}`))) break;
      ms.add(`churn-${i}`);
    }
    for (let i = 0; i < this.n; i += 1 + (i % 2)) {
      if (!refusableOp(r, m, k, () => rs.delete(`churn-${i}`))) break;
      ms.delete(`churn-${i}`);
    }
    expectSameOrder(rs, ms);
  }
  toString = () => `churn(v${this.v}, ${this.n})`;
}

type Method = "union" | "intersection" | "difference" | "symmetricDifference";
type Predicate = "isSubsetOf" | "isSupersetOf" | "isDisjointFrom";
const SPEC = spec as unknown as Record<Method | Predicate, (o: Set<K>, other: unknown) => Set<K> | boolean>;

/** A set method with `other` a native Set of `elements` or (when `version` picks one) another live CowSet. */
class AlgebraCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly method: Method | Predicate,
    readonly elements: K[],
    readonly version: number | null,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const o = m.versions[k] as Set<K>;
    const self = r.sets[k] as CowSet<K>;
    let otherReal: Set<K> | CowSet<K>;
    let otherModel: Set<K>;
    if (this.version === null) {
      otherModel = new Set(this.elements);
      otherReal = new Set(this.elements);
    } else {
      const j = pick(m, this.version);
      otherModel = m.versions[j] as Set<K>;
      otherReal = r.sets[j] as CowSet<K>;
    }
    const expected = SPEC[this.method](o, otherModel);
    const out: { actual: boolean | CowSet<K> } = { actual: false };
    const call = () => {
      out.actual = (self[this.method] as (x: Set<K> | CowSet<K>) => boolean | CowSet<K>)(otherReal);
    };
    // refused: the half-built result was released, the receiver is unchanged
    if (!refusableOp(r, m, k, call)) return;
    const actual = out.actual;
    if (typeof expected === "boolean") expect(actual).toBe(expected);
    else {
      const result = actual as CowSet<K>;
      expect(result).toBeInstanceOf(CowSet);
      expectSameOrder(result, expected);
      r.sets.push(result);
      m.versions.push(expected);
    }
    expectSameOrder(self, o); // the receiver is unchanged
  }
  toString = () =>
    `${this.method}(v${this.v}, ${this.version === null ? `new Set([${this.elements.map(show).join(", ")}])` : `v${this.version}`})`;
}

/** `new CowSet(values, { pool })` (or `CowSet.from`), a new version whose model is `new Set(values)`. */
class NewCmd implements fc.Command<Model, Real> {
  constructor(
    readonly values: K[],
    readonly from: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    let made: CowSet<K> | null = null;
    const build = () => {
      made = this.from ? CowSet.from(this.values, { pool: r.pool }) : new CowSet(this.values, { pool: r.pool });
    };
    if (!refusable(r.pool, build, () => {}) || made === null) return; // refused: the half-built set was released
    r.sets.push(made);
    m.versions.push(new Set(this.values));
    expectSameOrder(made, this.values.length === 0 ? [] : new Set(this.values));
  }
  toString = () => `${this.from ? "from" : "new"}([${this.values.map(show).join(", ")}])`;
}
const commands = [
  fc.tuple(fc.array(keyArb, { maxLength: 12 }), fc.boolean()).map(([v, from]) => new NewCmd(v, from)),
  fc.tuple(fc.nat(), keyArb).map(([v, k]) => new AddCmd(v, k)),
  fc.tuple(fc.nat(), keyArb).map(([v, k]) => new AddCmd(v, k)),
  fc.tuple(fc.nat(), keyArb).map(([v, k]) => new DeleteCmd(v, k)),
  fc.tuple(fc.nat(), keyArb).map(([v, k]) => new HasCmd(v, k)),
  fc.nat().map((v) => new ForkCmd(v)),
  fc.nat().map((v) => new ReleaseCmd(v)),
  fc.nat().map((v) => new ClearCmd(v)),
  fc.tuple(fc.nat(), fc.integer({ min: 20, max: 300 })).map(([v, n]) => new ChurnCmd(v, n)),
  fc
    .tuple(fc.nat(), fc.constantFrom("values", "keys", "entries") as fc.Arbitrary<"values" | "keys" | "entries">)
    .map(([v, kind]) => new OpenIterCmd<Set<K>, Real>(v, kind, (r, k) => r.sets[k] as CowSet<K>)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 6 })).map(([i, s]) => new StepIterCmd<Set<K>, Real>(i, s)),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom<Method | Predicate>(
        "union",
        "intersection",
        "difference",
        "symmetricDifference",
        "isSubsetOf",
        "isSupersetOf",
        "isDisjointFrom",
      ),
      fc.array(keyArb, { maxLength: 8 }),
      fc.option(fc.nat(), { nil: null }),
    )
    .map(([v, method, els, ver]) => new AlgebraCmd(v, method, els, ver)),
];

describe("CowSet against a native Set", () => {
  /** Runs `cmds` from one empty set in `pool`; with `leave`, first squeezes the pool to that many free frames. */
  const run = (cmds: Iterable<fc.Command<Model, Real>>, pool: FramePool, leave?: number): void => {
    const real: Real = { pool, sets: [new CowSet(null, { pool })], ballast: new Ballast(pool) };
    const model: Model = { versions: [new Set()], iters: [] };
    if (leave !== undefined) real.ballast.squeeze(leave);
    fc.modelRun(() => ({ model, real }), cmds);
    model.versions.forEach((ms, i) => {
      if (ms !== null) expectSameOrder(real.sets[i] as CowSet<K>, ms);
    });
    for (const s of real.sets) s.release();
    real.ballast.release();
    // Frame-leak check: every frame and page-table node is back.
    expect(pool.stats().framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  };

  for (const pageSize of [256, 1024]) {
    it(`matches the model, set methods included (pageSize ${pageSize})`, () => {
      fc.assert(
        fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => run(cmds, new FramePool({ pageSize }))),
        { numRuns: 600 },
      );
    });
  }

  it("matches the model when the pool's maxBytes refuses writes: a refused call changes nothing", () => {
    const squeeze = squeezes<Model>();
    fc.assert(
      fc.property(
        fc.commands([...commands, squeeze, squeeze, squeeze], { maxCommands: 60, size: "medium" }),
        fc.integer({ min: 8, max: 400 }), // the pool's budget, in 256-byte frames
        fc.integer({ min: 0, max: 24 }), // frames left free at the start
        (cmds, frames, leave) => run(cmds, new FramePool({ pageSize: 256, maxBytes: frames * 256 }), leave),
      ),
      { numRuns: 500 },
    );
  });
});
