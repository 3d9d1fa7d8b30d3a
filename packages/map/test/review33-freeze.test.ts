/**
 * Review 33: `freeze()` and `frozen` of CowMap and CowSet. A standalone
 * collection freezes its own space; every later write that would change it
 * throws ProtectionFault and changes nothing: entries and their order, the
 * table's counters outside the space (`collectionStateOf`: mask, log bytes
 * used and dead, size), the pool's frames and page-table nodes. A call that
 * writes nothing (a delete of an absent key, an add of a present element, a
 * clear of an empty collection) returns. Reads, fork() (writable, as a fork
 * of a frozen AddressSpace) and release() work; an embedded collection
 * refuses freeze(). `new History(m, { freeze: true })` takes them. Against a
 * native Map / Set, with a frame-leak check at the end.
 *
 * Before the reservation tested the frozen bit, a refused write could move
 * the counters: the first insert into a never-used frozen map set its bucket
 * mask (the relink writes no page when there is no record yet), and an update
 * of a key holding a stored object counted the old copy as dead before its
 * first write was refused.
 */
import {
  AddressSpace,
  FramePool,
  Heap,
  History,
  InvalidArgumentError,
  ProtectionFault,
  ReleasedError,
} from "@pagefork/core";
import { CowMap, CowSet, collectionStateOf } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runs } from "../../../test/support/runs.js";
import { eventLoopTurns } from "../../../test/support/turn.js";

type Value = number | string | { n: number; s: string };
type MapOp = { op: "set"; key: number; value: Value } | { op: "delete"; key: number } | { op: "clear" };

const key = fc.integer({ min: 0, max: 40 });
const value: fc.Arbitrary<Value> = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 6 }),
  fc.constantFrom("v".repeat(700), "w".repeat(3000)),
  fc.record({ n: fc.integer(), s: fc.string({ maxLength: 8 }) }),
);
const mapOp: fc.Arbitrary<MapOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("set" as const), key, value }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), key }) },
  { weight: 1, arbitrary: fc.constant({ op: "clear" as const }) },
);

/** The key used: numbers and their strings, two key kinds. */
const keyOf = (k: number): string | number => (k % 2 === 0 ? k : `k${k}`);

function applyMap(m: CowMap<string | number, Value> | Map<string | number, Value>, o: MapOp): void {
  if (o.op === "set") m.set(keyOf(o.key), o.value);
  else if (o.op === "delete") m.delete(keyOf(o.key));
  else m.clear();
}

/** Whether `o` changes the model map (a set always writes its record: it counts as a change). */
function changesMap(model: Map<string | number, Value>, o: MapOp): boolean {
  if (o.op === "set") return true;
  if (o.op === "delete") return model.has(keyOf(o.key));
  return model.size > 0;
}

/** What a refused write must leave as it was. */
function snapshotOf(c: CowMap<string | number, Value> | CowSet<string | number>) {
  const { framesInUse, pageTableNodes } = c.space.pool.stats();
  return { entries: [...c], size: c.size, state: collectionStateOf(c), framesInUse, pageTableNodes };
}

describe("review 33: CowMap.freeze()", () => {
  it("property: writes, freeze at a random point, then every write that would change the map throws ProtectionFault and changes nothing; a fork is writable", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(mapOp, { maxLength: 40 }),
        fc.array(mapOp, { minLength: 1, maxLength: 15 }),
        fc.array(mapOp, { maxLength: 10 }),
        fc.constantFrom(256, 512),
        async (before, attempts, forkOps, pageSize) => {
          await eventLoopTurns(); // a turn per run: vitest's RPC must not wait 60 s
          const pool = new FramePool({ pageSize });
          const m = new CowMap<string | number, Value>(null, { pool });
          const model = new Map<string | number, Value>();
          for (const o of before) {
            applyMap(m, o);
            applyMap(model, o);
          }
          expect(m.frozen).toBe(false);
          m.freeze();
          m.freeze(); // idempotent
          expect(m.frozen).toBe(true);
          for (const o of attempts) {
            const was = snapshotOf(m);
            let caught: unknown = null;
            try {
              applyMap(m, o);
            } catch (e) {
              caught = e;
            }
            if (changesMap(model, o)) expect(caught).toBeInstanceOf(ProtectionFault);
            else expect(caught).toBeNull();
            expect(snapshotOf(m)).toEqual(was);
            expect([...m]).toEqual([...model]);
          }
          for (const [k, v] of model) expect(m.get(k)).toEqual(v);
          const f = m.fork();
          expect(f.frozen).toBe(false);
          const forkModel = new Map(model);
          for (const o of forkOps) {
            applyMap(f, o);
            applyMap(forkModel, o);
          }
          expect([...f]).toEqual([...forkModel]);
          expect([...m]).toEqual([...model]);
          f.release();
          m.release();
          expect(m.frozen).toBe(true); // readable after release
          expect(pool.stats().framesInUse).toBe(0);
          expect(pool.stats().pageTableNodes).toBe(0);
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("a refused first insert leaves the bucket mask as it was", () => {
    const empty = new CowMap<string, unknown>();
    empty.freeze();
    const was = collectionStateOf(empty);
    expect(() => empty.set("a", 1)).toThrow(ProtectionFault);
    expect(collectionStateOf(empty)).toEqual(was); // the mask stayed -1
    empty.release();
  });

  it("a refused update of a stored object leaves the dead-bytes counter as it was", () => {
    const m = new CowMap<string, unknown>([["o", { big: "x".repeat(500) }]]);
    m.freeze();
    const before = collectionStateOf(m);
    expect(() => m.set("o", { big: "y".repeat(500) })).toThrow(ProtectionFault);
    expect(() => m.set("o", 1)).toThrow(ProtectionFault);
    expect(collectionStateOf(m)).toEqual(before); // the old copy not counted dead
    expect(m.get("o")).toEqual({ big: "x".repeat(500) });
    m.release();
  });

  it("clear() of a frozen collection emptied by deletes writes nothing and returns, as on a never-used one", () => {
    const m = CowMap.from([
      ["a", 1],
      ["b", 2],
    ]);
    const s = CowSet.from(["a"]);
    m.delete("a");
    m.delete("b");
    s.delete("a");
    m.freeze();
    s.freeze();
    const was = [collectionStateOf(m), collectionStateOf(s), m.space.stats().rss];
    m.clear();
    s.clear();
    expect([collectionStateOf(m), collectionStateOf(s), m.space.stats().rss]).toEqual(was);
    m.release();
    s.release();
  });

  it("a map whose space was frozen directly (as @pagefork/persist loads a frozen version) keeps its counters on a refused write", () => {
    const m = new CowMap<string, unknown>();
    m.space.freeze();
    expect(m.frozen).toBe(true);
    const was = collectionStateOf(m);
    expect(() => m.set("a", 1)).toThrow(ProtectionFault);
    expect(collectionStateOf(m)).toEqual(was);
    const f = m.fork(); // its counters are the frozen version's
    f.set("a", 1);
    expect(collectionStateOf(f).mask).toBeGreaterThanOrEqual(0);
    f.release();
    m.release();
  });

  it("freeze after release throws ReleasedError; an attached shared map is frozen already", () => {
    const m = CowMap.from([["a", 1]]);
    m.release();
    expect(() => m.freeze()).toThrow(ReleasedError);
    const pool = new FramePool({ shared: true });
    const doc = CowMap.from([["a", 1]], { pool });
    const seen = CowMap.attachShared<string, number>(doc.share());
    expect(seen.frozen).toBe(true);
    seen.freeze();
    expect(() => seen.set("b", 2)).toThrow(ProtectionFault);
    seen.release();
    doc.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("an embedded map or set refuses freeze() with InvalidArgumentError and changes nothing; `frozen` follows its space", () => {
    const pool = new FramePool({ pageSize: 256 });
    const space = new AddressSpace({ size: 2 ** 24, pool });
    const heap = Heap.create(space, { base: 256 });
    const m = CowMap.create(heap, [["a", 1]]);
    const s = CowSet.create(heap, ["x"]);
    expect(() => m.freeze()).toThrow(InvalidArgumentError);
    expect(() => s.freeze()).toThrow(InvalidArgumentError);
    expect(() => new History(m, { freeze: true })).toThrow(InvalidArgumentError);
    expect(space.frozen).toBe(false);
    expect([m.frozen, s.frozen]).toEqual([false, false]);
    m.set("b", 2);
    space.freeze();
    expect([m.frozen, s.frozen]).toEqual([true, true]);
    const frames = pool.stats().framesInUse;
    expect(() => m.set("c", 3)).toThrow(ProtectionFault);
    expect(() => m.delete("a")).toThrow(ProtectionFault);
    expect(() => s.add("y")).toThrow(ProtectionFault);
    expect(() => s.clear()).toThrow(ProtectionFault);
    expect(pool.stats().framesInUse).toBe(frames);
    expect([...m]).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect([...s]).toEqual(["x"]);
    space.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  it("property: History({ freeze: true }) of maps through commits, undo and redo", async () => {
    type Step = { op: "commit"; ops: MapOp[] } | { op: "undo" } | { op: "redo" };
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({ op: fc.constant("commit" as const), ops: fc.array(mapOp, { maxLength: 4 }) }),
      },
      { weight: 1, arbitrary: fc.constant({ op: "undo" as const }) },
      { weight: 1, arbitrary: fc.constant({ op: "redo" as const }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        await eventLoopTurns(); // a turn per run: vitest's RPC must not wait 60 s
        const pool = new FramePool({ pageSize: 256 });
        const history = new History(new CowMap<string | number, Value>(null, { pool }), { freeze: true });
        let models: Map<string | number, Value>[] = [new Map()];
        let cursor = 0;
        for (const s of steps) {
          if (s.op === "commit") {
            const draft = history.fork();
            const next = new Map(models[cursor]);
            for (const o of s.ops) {
              applyMap(draft, o);
              applyMap(next, o);
            }
            history.commit(draft);
            expect(draft.frozen).toBe(true);
            models = [...models.slice(0, cursor + 1), next];
            cursor = models.length - 1;
          } else if (s.op === "undo") {
            if (history.undo() !== undefined) cursor--;
          } else if (history.redo() !== undefined) cursor++;
          const current = history.current;
          expect(current.frozen).toBe(true);
          expect(() => current.set("new", 1)).toThrow(ProtectionFault);
          expect([...current]).toEqual([...(models[cursor] as Map<string | number, Value>)]);
        }
        expect(history.position).toBe(cursor);
        history.release();
        expect(pool.stats().framesInUse).toBe(0);
      }),
      { numRuns: runs(50) },
    );
  });
});

type SetOp = { op: "add"; key: number } | { op: "delete"; key: number } | { op: "clear" };
const setOp: fc.Arbitrary<SetOp> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("add" as const), key }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), key }) },
  { weight: 1, arbitrary: fc.constant({ op: "clear" as const }) },
);

function applySet(s: CowSet<string | number> | Set<string | number>, o: SetOp): void {
  if (o.op === "add") s.add(keyOf(o.key));
  else if (o.op === "delete") s.delete(keyOf(o.key));
  else s.clear();
}

function changesSet(model: Set<string | number>, o: SetOp): boolean {
  if (o.op === "add") return !model.has(keyOf(o.key));
  if (o.op === "delete") return model.has(keyOf(o.key));
  return model.size > 0;
}

describe("review 33: CowSet.freeze()", () => {
  it("property: writes, freeze at a random point, then every write that would change the set throws ProtectionFault and changes nothing; forks and set methods give writable sets", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(setOp, { maxLength: 40 }),
        fc.array(setOp, { minLength: 1, maxLength: 15 }),
        fc.array(setOp, { maxLength: 10 }),
        async (before, attempts, forkOps) => {
          await eventLoopTurns(); // a turn per run: vitest's RPC must not wait 60 s
          const pool = new FramePool({ pageSize: 256 });
          const s = new CowSet<string | number>(null, { pool });
          const model = new Set<string | number>();
          for (const o of before) {
            applySet(s, o);
            applySet(model, o);
          }
          s.freeze();
          expect(s.frozen).toBe(true);
          for (const o of attempts) {
            const was = snapshotOf(s);
            let caught: unknown = null;
            try {
              applySet(s, o);
            } catch (e) {
              caught = e;
            }
            if (changesSet(model, o)) expect(caught).toBeInstanceOf(ProtectionFault);
            else expect(caught).toBeNull();
            expect(snapshotOf(s)).toEqual(was);
            expect([...s]).toEqual([...model]);
          }
          const u = s.union(new Set(["u"]));
          expect(u.frozen).toBe(false);
          u.add("v");
          expect([...u]).toEqual([...new Set([...model, "u", "v"])]);
          const f = s.fork();
          expect(f.frozen).toBe(false);
          const forkModel = new Set(model);
          for (const o of forkOps) {
            applySet(f, o);
            applySet(forkModel, o);
          }
          expect([...f]).toEqual([...forkModel]);
          expect([...s]).toEqual([...model]);
          for (const x of [u, f, s]) x.release();
          expect(pool.stats().framesInUse).toBe(0);
          expect(pool.stats().pageTableNodes).toBe(0);
        },
      ),
      { numRuns: runs(150) },
    );
  });

  it("History({ freeze: true }) of sets: undo and redo give the frozen versions", () => {
    const pool = new FramePool({ pageSize: 256 });
    const history = new History(CowSet.from<string>([], { pool }), { freeze: true });
    for (const x of ["a", "b", "c"]) {
      const draft = history.fork();
      draft.add(x);
      history.commit(draft);
    }
    expect(() => history.current.add("z")).toThrow(ProtectionFault);
    expect([...(history.undo() as CowSet<string>)]).toEqual(["a", "b"]);
    expect([...(history.undo() as CowSet<string>)]).toEqual(["a"]);
    expect([...(history.redo() as CowSet<string>)]).toEqual(["a", "b"]);
    expect(() => history.current.delete("a")).toThrow(ProtectionFault);
    history.release();
    expect(pool.stats().framesInUse).toBe(0);
  });
});
