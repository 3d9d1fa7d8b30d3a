import { FramePool } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { expectSame, keyArb, show, valueArb } from "./arbitraries.js";
import { Ballast, refusable, squeezes } from "./pressure.js";
import {
  hasLive,
  type IterKind,
  OpenIterCmd,
  pickVersion,
  StepIterCmd,
  type VersionsModel,
} from "./support/iter-model.js";

/**
 * Differential model test: every CowMap version against a native Map. The
 * model of a fork is `new Map(old)`; the model of an iterator is the native
 * Map's own iterator, so iteration while mutating is checked against V8's
 * OrderedHashMap itself.
 */
type K = string | number | bigint | boolean | null | undefined;
type Model = VersionsModel<Map<K, unknown>>;
interface Real {
  pool: FramePool;
  maps: CowMap<K, unknown>[];
  /** Holds frames of the pool, so that the maps work near its maxBytes (pressure.ts). */
  ballast: Ballast;
}

const realMap = (r: Real, k: number) => r.maps[k] as CowMap<K, unknown>;

function expectEntries(real: CowMap<K, unknown>, model: Map<K, unknown>): void {
  expect(real.size).toBe(model.size);
  const r = [...real];
  const m = [...model];
  expect(r.length).toBe(m.length);
  for (let i = 0; i < m.length; i++) {
    expectSame(r[i]?.[0], m[i]?.[0]);
    expectSame(r[i]?.[1], m[i]?.[1]);
  }
}

/** Runs a mutation `op` of version `k`; false when the pool refused it, which must have changed nothing (see pressure.ts). */
function refusableOp(r: Real, m: Model, k: number, op: () => void): boolean {
  return refusable(r.pool, op, () => expectEntries(r.maps[k] as CowMap<K, unknown>, m.versions[k] as Map<K, unknown>));
}

const pick = pickVersion;

class SetCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: K,
    readonly value: unknown,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    if (!refusableOp(r, m, k, () => expect(r.maps[k]?.set(this.key, this.value)).toBe(r.maps[k]))) return;
    m.versions[k]?.set(this.key, this.value);
    expectSame(r.maps[k]?.get(this.key), m.versions[k]?.get(this.key));
    expect(r.maps[k]?.size).toBe(m.versions[k]?.size);
  }
  toString = () => `set(v${this.v}, ${show(this.key)}, ${show(this.value)})`;
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
    if (!refusableOp(r, m, k, () => expect(r.maps[k]?.delete(this.key)).toBe(had))) return;
    m.versions[k]?.delete(this.key);
    expect(r.maps[k]?.has(this.key)).toBe(false);
  }
  toString = () => `delete(v${this.v}, ${show(this.key)})`;
}

class ReadCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: K,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    expect(r.maps[k]?.has(this.key)).toBe(m.versions[k]?.has(this.key));
    expectSame(r.maps[k]?.get(this.key), m.versions[k]?.get(this.key));
  }
  toString = () => `read(v${this.v}, ${show(this.key)})`;
}

class ForkCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    r.maps.push((r.maps[k] as CowMap<K, unknown>).fork());
    m.versions.push(new Map(m.versions[k] as Map<K, unknown>));
  }
  toString = () => `fork(v${this.v})`;
}

class ReleaseCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    r.maps[k]?.release();
    m.versions[k] = null;
    m.versions.forEach((mv, i) => {
      if (mv !== null) expectEntries(r.maps[i] as CowMap<K, unknown>, mv);
    });
  }
  toString = () => `release(v${this.v})`;
}

class ClearCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    if (!refusableOp(r, m, k, () => r.maps[k]?.clear())) return;
    m.versions[k]?.clear();
    expect(r.maps[k]?.size).toBe(0);
  }
  toString = () => `clear(v${this.v})`;
}

/** Inserts `n` fresh keys then deletes every other one, or all: grows, shrinks and compacts the table. */
class ChurnCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly n: number,
    readonly all: boolean,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const rm = r.maps[k] as CowMap<K, unknown>;
    const mm = m.versions[k] as Map<K, unknown>;
    for (let i = 0; i < this.n; i++) {
      const value = i % 3 === 0 ? { i, s: "blob".repeat(i % 7) } : i * 0.5;
      if (!refusableOp(r, m, k, () => rm.set(`churn-${i}`, value))) break;
      mm.set(`churn-${i}`, value);
    }
    for (let i = 0; i < this.n; i += this.all ? 1 : 2) {
      if (!refusableOp(r, m, k, () => rm.delete(`churn-${i}`))) break;
      mm.delete(`churn-${i}`);
    }
    expectEntries(rm, mm);
  }
  toString = () => `churn(v${this.v}, ${this.n}, ${this.all})`;
}

/** forEach whose callback mutates the map it walks: deletes a key, re-sets one, adds one, as chosen by `plan`. */
class ForEachMutateCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly plan: [number, K, unknown][],
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    // The real walk records which mutations the pool's maxBytes refused (each
    // refused one must change nothing); the model walk skips those.
    const done: boolean[] = [];
    const walk = (map: Map<K, unknown> | CowMap<K, unknown>, real: boolean): unknown[][] => {
      const seen: unknown[][] = [];
      let n = 0;
      let j = 0;
      const mutate = (f: () => void): void => {
        if (!real) {
          if (done[j++]) f();
          return;
        }
        done.push(refusable(r.pool, f, () => {}));
      };
      map.forEach((value, key) => {
        seen.push([key, value]);
        const step = this.plan[n++ % Math.max(1, this.plan.length)];
        if (step === undefined || n > 40) return;
        const [op, pk, pv] = step;
        if (op === 0) mutate(() => map.delete(pk));
        else if (op === 1) mutate(() => map.set(pk, pv));
        else if (op === 2) {
          mutate(() => map.delete(key as K));
          mutate(() => map.set(key as K, pv));
        }
      });
      return seen;
    };
    const a = walk(r.maps[k] as CowMap<K, unknown>, true);
    const b = walk(m.versions[k] as Map<K, unknown>, false);
    expect(a.length).toBe(b.length);
    for (let i = 0; i < b.length; i++) {
      expectSame(a[i]?.[0], b[i]?.[0]);
      expectSame(a[i]?.[1], b[i]?.[1]);
    }
    expectEntries(r.maps[k] as CowMap<K, unknown>, m.versions[k] as Map<K, unknown>);
  }
  toString = () =>
    `forEachMutate(v${this.v}, [${this.plan.map(([o, key, v]) => `[${o}, ${show(key)}, ${show(v)}]`).join(", ")}])`;
}

/** `new CowMap(entries, { pool })` (or `CowMap.from`), a new version whose model is `new Map(entries)`. */
class NewCmd implements fc.Command<Model, Real> {
  constructor(
    readonly entries: [K, unknown][],
    readonly from: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    let made: CowMap<K, unknown> | null = null;
    const build = () => {
      made = this.from ? CowMap.from(this.entries, { pool: r.pool }) : new CowMap(this.entries, { pool: r.pool });
    };
    if (!refusable(r.pool, build, () => {}) || made === null) return; // refused: the half-built map was released
    r.maps.push(made);
    m.versions.push(new Map(this.entries));
    expectEntries(made, m.versions[m.versions.length - 1] as Map<K, unknown>);
  }
  toString = () =>
    `${this.from ? "from" : "new"}([${this.entries.map(([k, v]) => `[${show(k)}, ${show(v)}]`).join(", ")}])`;
}

const commands = [
  fc
    .tuple(fc.array(fc.tuple(keyArb, valueArb), { maxLength: 12 }), fc.boolean())
    .map(([e, from]) => new NewCmd(e, from)),
  fc.tuple(fc.nat(), keyArb, valueArb).map(([v, k, x]) => new SetCmd(v, k, x)),
  fc.tuple(fc.nat(), keyArb, valueArb).map(([v, k, x]) => new SetCmd(v, k, x)),
  fc.tuple(fc.nat(), keyArb, valueArb).map(([v, k, x]) => new SetCmd(v, k, x)),
  fc.tuple(fc.nat(), keyArb).map(([v, k]) => new DeleteCmd(v, k)),
  fc.tuple(fc.nat(), keyArb).map(([v, k]) => new DeleteCmd(v, k)),
  fc.tuple(fc.nat(), keyArb).map(([v, k]) => new ReadCmd(v, k)),
  fc.nat().map((v) => new ForkCmd(v)),
  fc.nat().map((v) => new ReleaseCmd(v)),
  fc.nat().map((v) => new ClearCmd(v)),
  fc.tuple(fc.nat(), fc.integer({ min: 20, max: 300 }), fc.boolean()).map(([v, n, a]) => new ChurnCmd(v, n, a)),
  fc
    .tuple(fc.nat(), fc.constantFrom<IterKind>("keys", "values", "entries"))
    .map(([v, k]) => new OpenIterCmd<Map<K, unknown>, Real>(v, k, realMap)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 6 })).map(([i, s]) => new StepIterCmd<Map<K, unknown>, Real>(i, s)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 6 })).map(([i, s]) => new StepIterCmd<Map<K, unknown>, Real>(i, s)),
  fc
    .tuple(fc.nat(), fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), keyArb, valueArb), { maxLength: 6 }))
    .map(([v, plan]) => new ForEachMutateCmd(v, plan)),
];

describe("CowMap against a native Map", () => {
  /** Runs `cmds` from one empty map in `pool`; with `leave`, first squeezes the pool to that many free frames. */
  const run = (cmds: Iterable<fc.Command<Model, Real>>, pool: FramePool, leave?: number): void => {
    const real: Real = { pool, maps: [new CowMap(null, { pool })], ballast: new Ballast(pool) };
    const model: Model = { versions: [new Map()], iters: [] };
    if (leave !== undefined) real.ballast.squeeze(leave);
    fc.modelRun(() => ({ model, real }), cmds);
    model.versions.forEach((mv, i) => {
      if (mv !== null) expectEntries(real.maps[i] as CowMap<K, unknown>, mv);
    });
    for (const m of real.maps) m.release();
    real.ballast.release();
    // Frame-leak check: every frame and page-table node is back.
    expect(pool.stats().framesInUse).toBe(0);
    expect(pool.stats().pageTableNodes).toBe(0);
  };

  for (const pageSize of [256, 1024]) {
    // Async only to give the event loop a turn per run (test/support/turn.ts): this file's
    // three tests took 73 s in a row at load ~25 on 2 cores; vitest's worker RPC times out at 60 s.
    it(`matches the model under random sets, deletes, forks, clears, churn and live iterators (pageSize ${pageSize})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 80 }), async (cmds) => {
          await eventLoopTurns();
          return run(cmds, new FramePool({ pageSize }));
        }),
        { numRuns: 800 },
      );
    });
  }

  it("matches the model when the pool's maxBytes refuses writes: a refused call changes nothing", async () => {
    const squeeze = squeezes<Model>();
    await fc.assert(
      fc.asyncProperty(
        fc.commands([...commands, squeeze, squeeze, squeeze], { maxCommands: 80, size: "medium" }),
        fc.integer({ min: 8, max: 400 }), // the pool's budget, in 256-byte frames
        fc.integer({ min: 0, max: 24 }), // frames left free at the start
        async (cmds, frames, leave) => {
          await eventLoopTurns();
          return run(cmds, new FramePool({ pageSize: 256, maxBytes: frames * 256 }), leave);
        },
      ),
      { numRuns: 500 },
    );
  });
});
