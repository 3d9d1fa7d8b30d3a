/**
 * History against a model: a plain array of version values and a cursor.
 *
 * The versions are address spaces of one pool; version k holds its model
 * value as a float64 at address 0 and has written one more page of its own
 * choice, so versions share some pages and not others. After every command
 * the history's size, position, canUndo/canRedo, current version and the
 * values of all its versions (through iteration and `at`) must equal the
 * model's, and every space the history dropped (redo branch, eviction) must
 * have been released while every version it holds is alive. Bad commits must
 * throw InvalidArgumentError and change nothing. At the end the history is
 * released and the pool must hold no frame and no page-table node (the leak
 * check, covering dropped redo branches and evicted versions).
 *
 * Replaying a counterexample: `const pool = new FramePool({ pageSize: 256 });
 * const h = new History(new AddressSpace({ size: 2048, pool }), options);`
 * then the printed calls, with `commit(h, value, page)` as in `Commit.run`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { History } from "../src/history.js";
import type { HistoryOptions } from "../src/history-options.js";
import { AddressSpace, FramePool, InvalidArgumentError, ProtectionFault, ReleasedError } from "../src/index.js";

const PS = 256;
const SIZE = 8 * PS;

interface Model {
  values: number[];
  cursor: number;
  max: number;
}
interface Real {
  pool: FramePool;
  history: History<AddressSpace>;
  /** Every space the history ever held: alive iff still in the model. */
  spaces: Map<AddressSpace, number>;
  freeze: boolean;
  /** The draft of the last Commit (committed: held, or released once dropped), null before any. */
  lastDraft: AddressSpace | null;
}

const versionValue = (s: AddressSpace) => s.getFloat64(0);

function checkAgainstModel(m: Model, r: Real): void {
  const h = r.history;
  expect(h.size).toBe(m.values.length);
  expect(h.position).toBe(m.cursor);
  expect(h.canUndo).toBe(m.cursor > 0);
  expect(h.canRedo).toBe(m.cursor < m.values.length - 1);
  expect(versionValue(h.current)).toBe(m.values[m.cursor]);
  const held = [...h];
  expect(held.map(versionValue)).toEqual(m.values);
  expect(versionValue(h.at(-1) as AddressSpace)).toBe(m.values[m.values.length - 1]);
  expect(h.at(m.values.length)).toBe(undefined);
  // Held versions are alive, every other space the history had is released.
  const heldSet = new Set(held);
  for (const s of r.spaces.keys()) expect(s.released).toBe(!heldSet.has(s));
}

/** What the model does on a commit of `value`. */
function modelCommit(m: Model, value: number): void {
  m.values.splice(m.cursor + 1);
  m.values.push(value);
  if (m.values.length > m.max) m.values.shift();
  m.cursor = m.values.length - 1;
}

/** Writes `value` into `state`, commits it to the real history and the same value to the model. */
function commitBoth(m: Model, r: Real, state: AddressSpace, value: number): void {
  state.setFloat64(0, value);
  r.history.commit(state);
  r.spaces.set(state, value);
  r.lastDraft = state;
  modelCommit(m, value);
}

class Commit implements fc.Command<Model, Real> {
  constructor(
    readonly value: number,
    readonly page: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const draft = r.history.fork();
    draft.setUint8(this.page * PS + 8, this.value & 0xff);
    commitBoth(m, r, draft, this.value);
    checkAgainstModel(m, r);
    if (r.freeze) expect(() => draft.setFloat64(0, 1)).toThrow(ProtectionFault);
  }
  toString = () => `commit(h, ${this.value}, ${this.page})`;
}

/**
 * Two drafts forked from the same version, committed in fork order: the
 * first is not the draft of the history's last fork() (the double-commit
 * check looks it up), the second is.
 */
class CommitTwoDrafts implements fc.Command<Model, Real> {
  constructor(
    readonly first: number,
    readonly second: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const a = r.history.fork();
    const b = r.history.fork();
    commitBoth(m, r, a, this.first);
    commitBoth(m, r, b, this.second);
    checkAgainstModel(m, r);
  }
  toString = () => `commitTwoDrafts(h, ${this.first}, ${this.second})`;
}

/**
 * A commit of a state that is not the draft of the history's last fork()
 * (the double-commit check builds and uses its Set), or of that draft after
 * a detour; `value` is what the committed state holds:
 *
 * - `oldFork`: a fork of the version at `at`, not the current one;
 * - `fresh`: a new space of the pool, never forked from the history;
 * - `afterRefusal`: the draft of the last fork(), committed after a refused
 *   commit of the current version (the refusal leaves it the last fork's);
 * - `newerFirst`: two drafts, the second (the last fork's) committed first,
 *   then the first (looked up);
 * - `afterUndo`: the draft of the last fork(), committed after an undo
 *   (it drops the redo branch; the model's cursor moves back first);
 * - `abandoned`: a draft released without a commit, then a commit of a
 *   second draft (the history forgets the first).
 */
type OtherKind = "oldFork" | "fresh" | "afterRefusal" | "newerFirst" | "afterUndo" | "abandoned";
class CommitOther implements fc.Command<Model, Real> {
  constructor(
    readonly kind: OtherKind,
    readonly value: number,
    readonly at: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const h = r.history;
    const take = (state: AddressSpace, value: number): void => commitBoth(m, r, state, value);
    if (this.kind === "oldFork") take((h.at(this.at % h.size) as AddressSpace).fork(), this.value);
    else if (this.kind === "fresh") take(new AddressSpace({ size: SIZE, pool: r.pool }), this.value);
    else if (this.kind === "afterRefusal") {
      const d = h.fork();
      const before = r.pool.stats();
      expect(() => h.commit(h.current)).toThrow(InvalidArgumentError);
      expect(r.pool.stats()).toEqual(before);
      take(d, this.value);
    } else if (this.kind === "newerFirst") {
      const a = h.fork();
      const b = h.fork();
      take(b, this.value);
      take(a, this.value + 1);
    } else if (this.kind === "afterUndo") {
      const d = h.fork();
      if (h.undo() !== undefined) m.cursor--;
      take(d, this.value);
    } else {
      const gone = h.fork();
      gone.setFloat64(0, -1);
      gone.release();
      take(h.fork(), this.value);
    }
    checkAgainstModel(m, r);
  }
  toString = () => `commitOther(h, ${JSON.stringify(this.kind)}, ${this.value}, ${this.at})`;
}

class Undo implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const got = r.history.undo();
    if (m.cursor === 0) expect(got).toBe(undefined);
    else {
      m.cursor--;
      expect(got).toBe(r.history.current);
      expect(versionValue(got as AddressSpace)).toBe(m.values[m.cursor]);
    }
    checkAgainstModel(m, r);
  }
  toString = () => "h.undo()";
}

class Redo implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const got = r.history.redo();
    if (m.cursor === m.values.length - 1) expect(got).toBe(undefined);
    else {
      m.cursor++;
      expect(got).toBe(r.history.current);
      expect(versionValue(got as AddressSpace)).toBe(m.values[m.cursor]);
    }
    checkAgainstModel(m, r);
  }
  toString = () => "h.redo()";
}

type BadKind = "current" | "oldest" | "newest" | "lastDraft" | "released" | "plain" | "null";
class BadCommit implements fc.Command<Model, Real> {
  constructor(readonly kind: BadKind) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const h = r.history;
    let state: unknown;
    let extra: AddressSpace | null = null;
    if (this.kind === "current") state = h.current;
    else if (this.kind === "oldest") state = h.at(0);
    else if (this.kind === "newest") state = h.at(-1);
    else if (this.kind === "lastDraft")
      state = r.lastDraft ?? h.current; // held, or released once dropped
    else if (this.kind === "released") {
      extra = h.fork();
      extra.release();
      state = extra;
    } else if (this.kind === "plain") state = { fork: 1, release: () => {} };
    else state = null;
    const before = r.pool.stats();
    expect(() => h.commit(state as AddressSpace)).toThrow(InvalidArgumentError);
    expect(r.pool.stats()).toEqual(before);
    checkAgainstModel(m, r);
  }
  toString = () => `expectThrows(() => h.commit(${this.kind}))`;
}

class Stats implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const s = r.history.stats();
    expect([s.versions, s.position]).toEqual([m.values.length, m.cursor]);
    // Every live space of the pool is a version: their PSS sums to the pool's bytes in use.
    expect(s.pss).toBe(r.pool.stats().bytesInUse);
    expect(s.uss).toBeLessThanOrEqual(s.pss + 1e-6);
    let uss = 0;
    for (const v of r.history) uss += v.stats().uss;
    expect(s.uss).toBe(uss);
    expect(s.newestPageTableBytes).toBe((r.history.at(-1) as AddressSpace).stats().pageTableBytes);
  }
  toString = () => "h.stats()";
}

const commands = [
  fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 7 })).map(([v, p]) => new Commit(v, p)),
  fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 7 })).map(([v, p]) => new Commit(v, p)),
  fc.constant(new Undo()),
  fc.constant(new Undo()),
  fc.constant(new Redo()),
  fc
    .constantFrom<BadKind>("current", "oldest", "newest", "lastDraft", "released", "plain", "null")
    .map((k) => new BadCommit(k)),
  fc
    .tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }))
    .map(([a, b]) => new CommitTwoDrafts(a, b)),
  fc.constant(new Stats()),
  fc
    .tuple(
      fc.constantFrom<OtherKind>("oldFork", "fresh", "afterRefusal", "newerFirst", "afterUndo", "abandoned"),
      fc.integer({ min: 1, max: 1000 }),
      fc.nat({ max: 10 }),
    )
    .map(([k, v, at]) => new CommitOther(k, v, at)),
];

describe("History: model test against an array and a cursor", () => {
  for (const freeze of [false, true]) {
    it(`maxVersions unlimited or 1..6, freeze ${freeze}: same versions, drops released, no leak`, () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 6 })),
          fc.commands(commands, { maxCommands: 60 }),
          (max, cmds) => {
            const pool = new FramePool({ pageSize: PS });
            const initial = new AddressSpace({ size: SIZE, pool });
            const options: HistoryOptions = { freeze };
            if (max !== Number.POSITIVE_INFINITY) options.maxVersions = max;
            const history = new History(initial, options);
            const real: Real = { pool, history, spaces: new Map([[initial, 0]]), freeze, lastDraft: null };
            fc.modelRun(() => ({ model: { values: [0], cursor: 0, max }, real }), cmds);
            history.release();
            for (const s of real.spaces.keys()) expect(s.released).toBe(true);
            expect(pool.framesInUse).toBe(0);
            expect(pool.stats().pageTableNodes).toBe(0);
            expect(() => history.current).toThrow(ReleasedError);
          },
        ),
        { numRuns: 150 },
      );
    }, 60_000);
  }
});

describe("History: stats", () => {
  it("pss equals the pool's bytes in use exactly, however many versions share a page", () => {
    // Shares of 1/6, 1/7, 1/9 of a page are not doubles; summed one by one they used to miss by an ulp.
    for (const versions of [3, 6, 7, 9, 10, 11, 12]) {
      for (const pages of [1, 2, 4, 5, 7, 8]) {
        const pool = new FramePool({ pageSize: PS });
        const first = new AddressSpace({ size: SIZE, pool });
        for (let p = 0; p < pages; p++) first.setUint8(p * PS, p + 1);
        const history = new History(first);
        for (let v = 1; v < versions; v++) history.commit(history.fork()); // unchanged versions
        const s = history.stats();
        expect(s.versions).toBe(versions);
        expect(s.pss, `${versions} versions of ${pages} pages`).toBe(pool.stats().bytesInUse);
        expect(s.pss).toBe(pages * PS);
        history.release();
      }
    }
  });
});

describe("History: API", () => {
  it("refuses bad options and initial states", () => {
    const s = new AddressSpace({ size: SIZE, pageSize: PS });
    for (const options of [{ maxVersions: 0 }, { maxVersions: 1.5 }, { maxVersions: Number.NaN }, { freeze: 1 }, null])
      expect(() => new History(s, options as HistoryOptions)).toThrow(InvalidArgumentError);
    expect(() => new History({} as AddressSpace)).toThrow(InvalidArgumentError);
    expect(() => new History({ fork() {}, release() {} } as never, { freeze: true })).toThrow(InvalidArgumentError);
    const r = s.fork();
    r.release();
    expect(() => new History(r)).toThrow(InvalidArgumentError);
    expect(s.released).toBe(false); // a refused constructor takes nothing
  });

  it("refuses the draft of its own fork() committed a second time, however it got there, changing nothing", () => {
    const pool = new FramePool({ pageSize: PS });
    const h = new History(new AddressSpace({ size: SIZE, pool }), { maxVersions: 3 });
    const d = h.fork();
    d.setUint8(0, 1);
    h.commit(d); // no lookup: the draft of the last fork()
    const before = pool.stats();
    expect(() => h.commit(d)).toThrow(InvalidArgumentError);
    h.undo();
    expect(() => h.commit(d)).toThrow(InvalidArgumentError); // not current any more, still held
    expect([h.size, h.position, pool.stats()]).toEqual([2, 0, before]);
    const e = h.fork(); // a fork of the initial version, not committed yet
    expect(() => h.commit(h.at(-1) as AddressSpace)).toThrow(InvalidArgumentError);
    h.commit(e); // still new: accepted; drops the redo branch (d)
    expect([h.size, d.released]).toEqual([2, true]);
    h.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("treats a Forkable whose fork() returns itself as any other state: committing it is refused", () => {
    class Self {
      released = false;
      fork(): Self {
        return this;
      }
      release(): void {
        this.released = true;
      }
    }
    const h = new History(new Self());
    const same = h.fork();
    expect(same).toBe(h.current);
    expect(() => h.commit(same)).toThrow(InvalidArgumentError);
    expect(h.size).toBe(1);
  });

  it("keeps the error's value and says why", () => {
    const h = new History(new AddressSpace({ size: SIZE, pageSize: PS }));
    let caught: unknown;
    try {
      h.commit(h.current);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).value).toBe(h.current);
    expect((caught as Error).message).toMatch(/already in the history/);
    h.release();
  });

  it("throws ReleasedError on every use after release, and release is idempotent", () => {
    const pool = new FramePool({ pageSize: PS });
    const h = new History(new AddressSpace({ size: SIZE, pool }));
    const draft = h.fork();
    h.release();
    h.release();
    expect(h.released).toBe(true);
    for (const use of [
      () => h.size,
      () => h.position,
      () => h.canUndo,
      () => h.canRedo,
      () => h.undo(),
      () => h.redo(),
      () => h.fork(),
      () => h.at(0),
      () => [...h],
      () => h.stats(),
      () => h.commit(draft),
    ])
      expect(use).toThrow(ReleasedError);
    expect(draft.released).toBe(false); // the refused commit did not take it
    draft.release();
    expect(pool.framesInUse).toBe(0);
  });

  it("releases with `using`, and evicts the oldest versions with maxVersions", () => {
    const pool = new FramePool({ pageSize: PS });
    const spaces: AddressSpace[] = [];
    {
      using h = new History(new AddressSpace({ size: SIZE, pool }), { maxVersions: 3 });
      spaces.push(h.current);
      for (let i = 1; i <= 5000; i++) {
        const d = h.fork();
        d.setUint32(0, i);
        h.commit(d);
        spaces.push(d);
      }
      expect(h.size).toBe(3);
      expect([...h].map((v) => v.getUint32(0))).toEqual([4998, 4999, 5000]);
      expect(spaces.filter((s) => !s.released).length).toBe(3);
      expect(h.at(-3)?.getUint32(0)).toBe(4998);
      expect(() => h.at(0.5)).toThrow(InvalidArgumentError);
    }
    expect(spaces.every((s) => s.released)).toBe(true);
    expect(pool.framesInUse).toBe(0);
  });

  it("releases every dropped version even if one release throws", () => {
    const released: string[] = [];
    class Fake {
      constructor(
        readonly name: string,
        readonly bad = false,
      ) {}
      fork(): Fake {
        return new Fake(`${this.name}'`);
      }
      release(): void {
        released.push(this.name);
        if (this.bad) throw new Error(`release of ${this.name} failed`);
      }
    }
    const h = new History(new Fake("a"));
    h.commit(new Fake("b", true));
    h.commit(new Fake("c"));
    h.undo();
    h.undo();
    expect(() => h.commit(new Fake("d"))).toThrow("release of b failed");
    expect(released).toEqual(["b", "c"]);
    expect([...h].map((f) => f.name)).toEqual(["a", "d"]);
    expect([h.position, h.canRedo]).toEqual([1, false]);
  });

  it("an eviction whose release throws leaves the history as after a clean eviction, and rethrows", () => {
    const released: string[] = [];
    class Fake {
      constructor(
        readonly name: string,
        readonly bad = false,
      ) {}
      fork(): Fake {
        return new Fake(`${this.name}'`);
      }
      release(): void {
        released.push(this.name);
        if (this.bad) throw new Error(`release of ${this.name} failed`);
      }
    }
    const h = new History(new Fake("a", true), { maxVersions: 2 });
    h.commit(new Fake("b"));
    expect(() => h.commit(new Fake("c"))).toThrow("release of a failed");
    expect(released).toEqual(["a"]);
    expect([...h].map((f) => f.name)).toEqual(["b", "c"]);
    expect([h.size, h.position, h.canRedo]).toEqual([2, 1, false]);
    h.commit(new Fake("d")); // the evicted "b" releases cleanly; "a" is not released again
    expect(released).toEqual(["a", "b"]);
    expect([...h].map((f) => f.name)).toEqual(["c", "d"]);
  });
});
