/**
 * Model test of createStore: random commits (recipes, versions made
 * elsewhere, forks of held steps), undo, redo, goTo, transactions (some
 * throwing) and refused setStates, with maxVersions and coalescing on a fake
 * clock, against a model of the steps (their JSON), the cursor and the
 * grouping (transactions nest a throwing one, whose changes must be
 * dropped). Every listener's patches, applied to the previous version, give
 * the next one; a refused or throwing call changes nothing and keeps no
 * frame; once the store is released the pool holds no frame.
 *
 * `PAGEFORK_TEST_RUNS_SCALE` (a number, default 1) multiplies the runs.
 */
import { FramePool, InvalidArgumentError } from "@pagefork/core";
import { applyPatches, createStore, produce, type State, type Store, t } from "@pagefork/state";
import fc from "fast-check";
import { expect, it } from "vitest";

const RUNS_SCALE = Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const S = t.struct({ n: t.u32, items: t.list(t.string), tags: t.set(t.string), doc: t.text() });
type Json = { n: number; items: string[]; tags: string[]; doc: string };
type D = t.Draft<typeof S>;

interface Model {
  steps: Json[];
  cursor: number;
  grouped: boolean;
  topTime: number;
}
interface Real {
  pool: FramePool;
  store: Store<typeof S>;
  clock: { now: number };
  /** Listener calls since the last check: [next's JSON, prev's JSON with the patches applied]. */
  told: [Json, Json][];
}
const MAX = 4;
const COALESCE = 10;
const json = (s: State<typeof S>) => s.toJSON() as Json;

function edit(d: D, x: number): void {
  switch (x % 4) {
    case 0:
      d.n = x;
      break;
    case 1:
      d.items.push(`i${x % 7}`);
      break;
    case 2:
      if (x % 3 === 0) d.tags.delete(`t${x % 3}`);
      else d.tags.add(`t${x % 3}`);
      break;
    default:
      d.doc.insert(x % (d.doc.length + 1), x % 2 === 0 ? "😀" : "é");
  }
}

/** Checks the store against the model, and every notification's patches against its versions. */
function check(m: Model, r: Real): void {
  expect([r.store.position, r.store.versions.length]).toEqual([m.cursor, m.steps.length]);
  expect(json(r.store.getState())).toEqual(m.steps[m.cursor]);
  for (const [next, replayed] of r.told) expect(replayed).toEqual(next);
  r.told.length = 0;
}

/** The model's commit of `j` at time `now` (coalesced into the top step when the window is open). */
function commit(m: Model, j: Json, now: number): void {
  m.steps.splice(m.cursor + 1);
  if (!m.grouped && m.steps.length > 1 && now - m.topTime < COALESCE) m.steps[m.steps.length - 1] = j;
  else m.steps.push(j);
  m.topTime = now;
  m.grouped = false;
  while (m.steps.length > MAX) m.steps.shift();
  m.cursor = m.steps.length - 1;
}

class Commit implements fc.Command<Model, Real> {
  constructor(
    readonly xs: number[],
    readonly dt: number,
    readonly how: "recipe" | "elsewhere",
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    r.clock.now += this.dt;
    const base = r.store.getState();
    const recipe = (d: D) => {
      for (const x of this.xs) edit(d, x);
    };
    const next = this.how === "recipe" ? r.store.setState(recipe) : r.store.setState(produce(base, recipe));
    if (next !== base) commit(m, json(next), r.clock.now);
    check(m, r);
  }
  toString = () => `commit(${this.how}, [${this.xs}], +${this.dt}ms)`;
}

/** goTo in the model: a move ends a coalescing group; a goTo to the current step changes nothing. */
function goTo(m: Model, k: number): void {
  if (k !== m.cursor) m.grouped = true;
  m.cursor = k;
}

/**
 * Returns to held step `i` as a new step: committing the held version itself
 * is refused (nothing changes), committing a fork of it is a commit.
 */
class Revert implements fc.Command<Model, Real> {
  constructor(
    readonly i: number,
    readonly j: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const k = this.i % m.steps.length;
    const v = r.store.goTo(k);
    goTo(m, k);
    const j = this.j % m.steps.length;
    r.store.goTo(j);
    goTo(m, j);
    check(m, r);
    if (j !== k) {
      const frames = r.pool.framesInUse;
      expect(() => r.store.setState(v)).toThrow(InvalidArgumentError);
      expect(r.pool.framesInUse).toBe(frames);
      check(m, r);
    }
    const base = r.store.getState();
    const next = r.store.setState(v.fork());
    expect(next).not.toBe(base);
    commit(m, json(next), r.clock.now);
    check(m, r);
  }
  toString = () => `revert(${this.i}, then at ${this.j})`;
}

class Move implements fc.Command<Model, Real> {
  constructor(readonly how: "undo" | "redo" | number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    if (this.how === "undo") {
      const v = r.store.undo();
      expect(v === undefined).toBe(m.cursor === 0);
      if (v !== undefined) goTo(m, m.cursor - 1);
    } else if (this.how === "redo") {
      const v = r.store.redo();
      expect(v === undefined).toBe(m.cursor === m.steps.length - 1);
      if (v !== undefined) goTo(m, m.cursor + 1);
    } else {
      const k = this.how % m.steps.length;
      r.store.goTo(k);
      goTo(m, k);
    }
    check(m, r);
  }
  toString = () => `move(${this.how})`;
}

class Transact implements fc.Command<Model, Real> {
  constructor(
    readonly batches: number[][],
    readonly throws: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const frames = r.pool.framesInUse;
    const base = r.store.getState();
    const run = () =>
      r.store.transact("t", () => {
        for (const xs of this.batches) {
          r.store.setState((d) => {
            for (const x of xs) edit(d, x);
          });
          // A nested transaction that throws (caught here) leaves the outer one as it was.
          const before = json(r.store.getState());
          expect(() =>
            r.store.transact("nested", () => {
              r.store.setState((d) => edit(d, xs[0] as number));
              throw new Error("nested");
            }),
          ).toThrow("nested");
          expect(json(r.store.getState())).toEqual(before);
        }
        if (this.throws) throw new Error("abort");
      });
    if (this.throws) {
      expect(run).toThrow("abort");
      expect(r.pool.framesInUse).toBe(frames);
      expect(r.store.getState()).toBe(base);
      expect(r.told).toEqual([]);
    } else {
      run();
      const next = r.store.getState();
      if (next !== base) commit(m, json(next), r.clock.now);
    }
    check(m, r);
  }
  toString = () => `transact(${JSON.stringify(this.batches)}${this.throws ? ", throws" : ""})`;
}

const xs = fc.array(fc.nat(1000), { minLength: 1, maxLength: 4 });
const commands = [
  fc
    .tuple(xs, fc.constantFrom(0, 3, 20), fc.constantFrom<"recipe" | "elsewhere">("recipe", "elsewhere"))
    .map(([a, dt, how]) => new Commit(a, dt, how)),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => new Revert(i, j)),
  fc.oneof(fc.constantFrom<"undo" | "redo">("undo", "redo"), fc.nat()).map((h) => new Move(h)),
  fc.tuple(fc.array(xs, { maxLength: 3 }), fc.boolean()).map(([b, th]) => new Transact(b, th)),
];

it(
  "createStore: commits, reverts, undo / redo / goTo and transactions match the model; patches replay; no frame kept",
  () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
        const pool = new FramePool({ pageSize: 256 });
        const clock = { now: 0 };
        const store = createStore(
          S,
          { n: 0, items: [], tags: new Set<string>(), doc: "" },
          { pool, maxVersions: MAX, coalesceMs: COALESCE, now: () => clock.now },
        );
        const real: Real = { pool, store, clock, told: [] };
        // Replayed at once: a version a coalesced step replaced is released right after its listeners ran.
        store.subscribe((next, prev, patches) => {
          const moved = applyPatches(prev, patches);
          real.told.push([json(next), json(moved)]);
          if (moved !== prev) moved.release();
        });
        const model: Model = { steps: [json(store.getState())], cursor: 0, grouped: true, topTime: 0 };
        try {
          fc.modelRun(() => ({ model, real }), cmds);
        } finally {
          store.release();
        }
        expect(pool.framesInUse).toBe(0);
      }),
      { numRuns: Math.ceil(60 * RUNS_SCALE) },
    );
  },
  120_000 * Math.max(1, RUNS_SCALE),
); // a hang guard that grows with the runs
