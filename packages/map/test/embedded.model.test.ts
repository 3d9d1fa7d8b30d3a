import { AddressSpace, FramePool, Heap, OutOfMemoryError, ProtectionFault, ReleasedError } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSame, keyArb, show, valueArb } from "./arbitraries.js";
import { Ballast, refusable, squeezes } from "./pressure.js";

/**
 * Model test of embedded collections (CowMap.create / CowSet.create): many
 * maps and sets in ONE space and heap, interleaved, against native Maps and
 * Sets. A "world" is one space with its heap and a handle per live
 * collection; forking a world forks the space and attaches every collection
 * in the child (the model: deep copies). Worlds get frozen (writes throw
 * ProtectionFault and change nothing) and released; collections get freed.
 * Under the pool's maxBytes (a ballast squeezes it) and a heap range that
 * fills up, a refused call must change nothing: the collection equals its
 * model, the heap's counters and the pool's frames are as before. At the end
 * every heap passes check() and, once every space is released, the pool
 * holds no frame.
 */
type K = string | number | bigint | boolean | null | undefined;
type Coll = CowMap<K, unknown> | CowSet<K>;
type Data = Map<K, unknown> | Set<K>;
/** The heap's header: the space's first page (Heap.create wants a page-aligned base; 0 would do too). */
const heapBase = (pool: FramePool) => pool.pageSize;

interface World {
  space: AddressSpace;
  heap: Heap;
  /** Collection id -> handle. Ids are shared across forks (a fork keeps every address). */
  colls: Map<number, Coll>;
}
interface ModelWorld {
  colls: Map<number, Data>;
  frozen: boolean;
}
interface IterPair {
  world: number;
  id: number;
  real: Iterator<unknown>;
  model: Iterator<unknown>;
  finished: boolean;
}
interface Model {
  worlds: (ModelWorld | null)[];
  iters: IterPair[];
  nextId: number;
}
interface Real {
  pool: FramePool;
  worlds: (World | null)[];
  ballast: Ballast;
}

function expectColl(real: Coll, model: Data): void {
  expect(real.size).toBe(model.size);
  const r = [...real] as unknown[];
  const m = [...model] as unknown[];
  expect(r.length).toBe(m.length);
  for (let i = 0; i < m.length; i++) {
    const x = m[i];
    if (Array.isArray(x)) {
      expectSame((r[i] as unknown[])[0], x[0]);
      expectSame((r[i] as unknown[])[1], x[1]);
    } else expectSame(r[i], x);
  }
}

/** The live world picked by `i`, or -1. */
function pickWorld(m: Model, i: number): number {
  const live = m.worlds.flatMap((w, k) => (w === null ? [] : [k]));
  return live.length === 0 ? -1 : (live[i % live.length] as number);
}
/** A live collection of world `w` picked by `i`, or -1. */
function pickColl(m: Model, w: number, i: number): number {
  const ids = [...(m.worlds[w] as ModelWorld).colls.keys()];
  return ids.length === 0 ? -1 : (ids[i % ids.length] as number);
}

/**
 * Runs a write `op` on collection `id` of world `w`: when the world is
 * frozen it must throw ProtectionFault; when the pool or the heap refuses it
 * (OutOfMemoryError) it must change nothing (the collection, the heap's
 * counters, the pool's frames). Returns true when it went through.
 */
function write(r: Real, m: Model, w: number, id: number, op: () => void): boolean {
  const world = r.worlds[w] as World;
  const mw = m.worlds[w] as ModelWorld;
  const coll = world.colls.get(id) as Coll;
  const model = mw.colls.get(id) as Data;
  const heapBefore = JSON.stringify(world.heap.stats());
  const unchanged = () => {
    expectColl(coll, model);
    expect(JSON.stringify(world.heap.stats())).toBe(heapBefore);
  };
  if (mw.frozen) {
    const frames = r.pool.framesInUse;
    let caught: unknown = null;
    try {
      op();
    } catch (e) {
      caught = e;
    }
    // a write that has nothing to write (a delete of a missing key) may succeed
    if (caught !== null) {
      // the reservation may refuse first, under the pool's maxBytes
      if (!(caught instanceof OutOfMemoryError)) expect(caught).toBeInstanceOf(ProtectionFault);
      expect(r.pool.framesInUse).toBe(frames);
      unchanged();
      return false;
    }
    unchanged();
    return true;
  }
  return refusable(r.pool, op, unchanged);
}

abstract class Cmd implements fc.Command<Model, Real> {
  constructor(
    readonly w: number,
    readonly c: number,
  ) {}
  /** Needs a live collection unless overridden. */
  check(m: Readonly<Model>): boolean {
    const w = pickWorld(m as Model, this.w);
    return w >= 0 && pickColl(m as Model, w, this.c) >= 0;
  }
  run(m: Model, r: Real): void {
    const w = pickWorld(m, this.w);
    const id = pickColl(m, w, this.c);
    const coll = (r.worlds[w] as World).colls.get(id) as Coll;
    const data = (m.worlds[w] as ModelWorld).colls.get(id) as Data;
    this.apply(m, r, w, id, coll, data);
  }
  abstract apply(m: Model, r: Real, w: number, id: number, coll: Coll, data: Data): void;
  abstract toString(): string;
}

/** Creates a collection (a map or a set, maybe from entries) in world `w`'s heap. */
class CreateCmd implements fc.Command<Model, Real> {
  constructor(
    readonly w: number,
    readonly kind: "map" | "set",
    readonly items: [K, unknown][],
  ) {}
  check = (m: Readonly<Model>) => {
    const w = pickWorld(m as Model, this.w);
    return w >= 0 && !(m.worlds[w] as ModelWorld).frozen;
  };
  run(m: Model, r: Real): void {
    const w = pickWorld(m, this.w);
    const world = r.worlds[w] as World;
    const heapBefore = JSON.stringify(world.heap.stats());
    let made: Coll | null = null;
    const ok = refusable(
      r.pool,
      () => {
        made =
          this.kind === "map"
            ? CowMap.create(world.heap, this.items)
            : CowSet.create(
                world.heap,
                this.items.map(([k]) => k),
              );
      },
      () => {
        if (this.items.length === 0) expect(JSON.stringify(world.heap.stats())).toBe(heapBefore);
        else {
          // The half-built one was freed: the heap holds the blocks it held. Its
          // caches may keep a page more (the heap keeps one empty slab page per
          // size class), so the frames are not compared (see CowMap.create).
          const [a, b] = [world.heap.stats(), JSON.parse(heapBefore) as ReturnType<Heap["stats"]>];
          expect([a.blocks, a.requestedBytes, a.usableBytes, a.pagesAllocated]).toEqual([
            b.blocks,
            b.requestedBytes,
            b.usableBytes,
            b.pagesAllocated,
          ]);
          world.heap.check();
        }
      },
      this.items.length === 0, // one heap call: exactly nothing changes
    );
    if (!ok || made === null) return;
    const c = made as Coll;
    expect([c.embedded, c.address > 0]).toEqual([true, true]);
    const data: Data = this.kind === "map" ? new Map(this.items) : new Set(this.items.map(([k]) => k));
    const id = m.nextId++;
    world.colls.set(id, c);
    (m.worlds[w] as ModelWorld).colls.set(id, data);
    expectColl(c, data);
  }
  toString = () =>
    `create(w${this.w}, ${this.kind}, [${this.items.map(([k, v]) => (this.kind === "map" ? `[${show(k)}, ${show(v)}]` : show(k))).join(", ")}])`;
}

class PutCmd extends Cmd {
  constructor(
    w: number,
    c: number,
    readonly key: K,
    readonly value: unknown,
  ) {
    super(w, c);
  }
  apply(m: Model, r: Real, w: number, id: number, coll: Coll, data: Data): void {
    if (coll instanceof CowMap) {
      if (!write(r, m, w, id, () => expect(coll.set(this.key, this.value)).toBe(coll))) return;
      (data as Map<K, unknown>).set(this.key, this.value);
      expectSame(coll.get(this.key), (data as Map<K, unknown>).get(this.key));
    } else {
      if (!write(r, m, w, id, () => expect((coll as CowSet<K>).add(this.key)).toBe(coll))) return;
      (data as Set<K>).add(this.key);
    }
    expect(coll.size).toBe(data.size);
  }
  toString = () => `put(w${this.w}, c${this.c}, ${show(this.key)}, ${show(this.value)})`;
}

class DeleteCmd extends Cmd {
  constructor(
    w: number,
    c: number,
    readonly key: K,
  ) {
    super(w, c);
  }
  apply(m: Model, r: Real, w: number, id: number, coll: Coll, data: Data): void {
    const had = data.has(this.key);
    if (!write(r, m, w, id, () => expect(coll.delete(this.key)).toBe(had))) return;
    data.delete(this.key);
    expect(coll.has(this.key)).toBe(false);
  }
  toString = () => `delete(w${this.w}, c${this.c}, ${show(this.key)})`;
}

class ReadCmd extends Cmd {
  constructor(
    w: number,
    c: number,
    readonly key: K,
  ) {
    super(w, c);
  }
  apply(_m: Model, _r: Real, _w: number, _id: number, coll: Coll, data: Data): void {
    expect(coll.has(this.key)).toBe(data.has(this.key));
    if (coll instanceof CowMap) expectSame(coll.get(this.key), (data as Map<K, unknown>).get(this.key));
  }
  toString = () => `read(w${this.w}, c${this.c}, ${show(this.key)})`;
}

class ClearCmd extends Cmd {
  apply(m: Model, r: Real, w: number, id: number, coll: Coll, data: Data): void {
    if (!write(r, m, w, id, () => coll.clear())) return;
    data.clear();
  }
  toString = () => `clear(w${this.w}, c${this.c})`;
}

/** Adds `n` fresh keys, then deletes every other one (or all): grows, shrinks, compacts and empties the data block. */
class ChurnCmd extends Cmd {
  constructor(
    w: number,
    c: number,
    readonly n: number,
    readonly all: boolean,
  ) {
    super(w, c);
  }
  apply(m: Model, r: Real, w: number, id: number, coll: Coll, data: Data): void {
    const isMap = coll instanceof CowMap;
    for (let i = 0; i < this.n; i++) {
      const key = `churn-${i}`;
      const value = i % 3 === 0 ? { i, s: "blob".repeat(i % 7) } : i * 0.5;
      const op = isMap ? () => (coll as CowMap<K, unknown>).set(key, value) : () => (coll as CowSet<K>).add(key);
      if (!write(r, m, w, id, op)) return;
      if (isMap) (data as Map<K, unknown>).set(key, value);
      else (data as Set<K>).add(key);
    }
    for (let i = 0; i < this.n; i += this.all ? 1 : 2) {
      if (!write(r, m, w, id, () => coll.delete(`churn-${i}`))) return;
      data.delete(`churn-${i}`);
    }
    expectColl(coll, data);
  }
  toString = () => `churn(w${this.w}, c${this.c}, ${this.n}, ${this.all})`;
}

class FreeCmd extends Cmd {
  apply(m: Model, r: Real, w: number, id: number, coll: Coll): void {
    const world = r.worlds[w] as World;
    const mw = m.worlds[w] as ModelWorld;
    if (mw.frozen) {
      let caught: unknown = null;
      try {
        coll.free(); // the heap's metadata is read-only too
      } catch (e) {
        caught = e;
      }
      if (!(caught instanceof OutOfMemoryError)) expect(caught).toBeInstanceOf(ProtectionFault);
      expectColl(coll, (m.worlds[w] as ModelWorld).colls.get(id) as Data);
      return;
    }
    if (
      !refusable(
        r.pool,
        () => coll.free(),
        () => {},
      )
    )
      return;
    expect(coll.released).toBe(true);
    expect(() => coll.size).toThrow(ReleasedError);
    expect(() => coll.has(1)).toThrow(ReleasedError);
    coll.free(); // idempotent
    world.colls.delete(id);
    mw.colls.delete(id);
  }
  toString = () => `free(w${this.w}, c${this.c})`;
}

/** Forks world `w`'s space and attaches every collection in the child; maybe freezes the parent. */
class ForkCmd implements fc.Command<Model, Real> {
  constructor(
    readonly w: number,
    readonly freeze: boolean,
  ) {}
  check = (m: Readonly<Model>) => pickWorld(m as Model, this.w) >= 0;
  run(m: Model, r: Real): void {
    const w = pickWorld(m, this.w);
    const parent = r.worlds[w] as World;
    const mw = m.worlds[w] as ModelWorld;
    const space = parent.space.fork();
    const heap = Heap.attach(space, heapBase(r.pool));
    const colls = new Map<number, Coll>();
    const models = new Map<number, Data>();
    for (const [id, c] of parent.colls) {
      const d = mw.colls.get(id) as Data;
      colls.set(id, c instanceof CowMap ? CowMap.attach(heap, c.address) : CowSet.attach(heap, c.address));
      models.set(id, d instanceof Map ? new Map(d) : new Set(d));
    }
    r.worlds.push({ space, heap, colls });
    m.worlds.push({ colls: models, frozen: false });
    if (this.freeze && !mw.frozen) {
      parent.space.freeze();
      mw.frozen = true;
      // attach writes nothing: a frozen space can be attached again
      for (const [id, c] of parent.colls) {
        const again =
          c instanceof CowMap ? CowMap.attach(parent.heap, c.address) : CowSet.attach(parent.heap, c.address);
        expectColl(again, mw.colls.get(id) as Data);
      }
    }
  }
  toString = () => `fork(w${this.w}${this.freeze ? ", freeze parent" : ""})`;
}

class ReleaseWorldCmd implements fc.Command<Model, Real> {
  constructor(readonly w: number) {}
  check = (m: Readonly<Model>) => pickWorld(m as Model, this.w) >= 0;
  run(m: Model, r: Real): void {
    const w = pickWorld(m, this.w);
    const world = r.worlds[w] as World;
    world.heap.check();
    world.space.release();
    for (const c of world.colls.values()) {
      expect(c.released).toBe(true);
      expect(() => c.size).toThrow(ReleasedError);
    }
    r.worlds[w] = null;
    m.worlds[w] = null;
  }
  toString = () => `releaseWorld(w${this.w})`;
}

/** A new handle to a collection (the old one is dropped, with its iterators: one handle per collection). */
class ReattachCmd extends Cmd {
  apply(m: Model, r: Real, w: number, id: number, coll: Coll, data: Data): void {
    const world = r.worlds[w] as World;
    const again =
      coll instanceof CowMap ? CowMap.attach(world.heap, coll.address) : CowSet.attach(world.heap, coll.address);
    world.colls.set(id, again);
    m.iters = m.iters.filter((p) => p.world !== w || p.id !== id);
    expectColl(again, data);
  }
  toString = () => `reattach(w${this.w}, c${this.c})`;
}

class OpenIterCmd extends Cmd {
  apply(m: Model, _r: Real, w: number, id: number, coll: Coll, data: Data): void {
    m.iters.push({ world: w, id, real: coll.entries(), model: data.entries(), finished: false });
  }
  toString = () => `iter(w${this.w}, c${this.c})`;
}

/** Steps an iterator; writes to other collections of the same space meanwhile must not disturb it. */
class StepIterCmd implements fc.Command<Model, Real> {
  constructor(
    readonly i: number,
    readonly steps: number,
  ) {}
  check = (m: Readonly<Model>) => m.iters.length > 0;
  run(m: Model, r: Real): void {
    const p = m.iters[this.i % m.iters.length] as IterPair;
    const live = m.worlds[p.world]?.colls.has(p.id) === true && r.worlds[p.world] !== null;
    for (let s = 0; s < this.steps; s++) {
      if (!live && !p.finished) {
        expect(() => p.real.next()).toThrow(ReleasedError);
        return;
      }
      const a = p.real.next();
      const b = p.model.next();
      expect(a.done).toBe(b.done);
      if (b.done) p.finished = true;
      else {
        expectSame((a.value as unknown[])[0], (b.value as unknown[])[0]);
        expectSame((a.value as unknown[])[1], (b.value as unknown[])[1]);
      }
    }
  }
  toString = () => `step(it${this.i}, ${this.steps})`;
}

/** A set method of an embedded set (frozen worlds too): a standalone result in the pool; the receiver is unchanged. */
class SetMethodCmd extends Cmd {
  constructor(
    w: number,
    c: number,
    readonly method: "union" | "intersection" | "difference" | "symmetricDifference",
    readonly other: K[],
  ) {
    super(w, c);
  }
  apply(_m: Model, r: Real, _w: number, _id: number, coll: Coll, data: Data): void {
    if (!(coll instanceof CowSet)) return;
    const o = new Set(this.other);
    const d = data as Set<K>;
    const expected =
      this.method === "union"
        ? new Set([...d, ...o])
        : this.method === "intersection"
          ? d.size <= o.size
            ? new Set([...d].filter((x) => o.has(x)))
            : new Set([...o].filter((x) => d.has(x)))
          : this.method === "difference"
            ? new Set([...d].filter((x) => !o.has(x)))
            : new Set([...[...d].filter((x) => !o.has(x)), ...[...o].filter((x) => !d.has(x))]);
    let result: CowSet<K> | null = null;
    const call = () => {
      result = (coll as CowSet<K>)[this.method](o) as CowSet<K>;
    };
    if (!refusable(r.pool, call, () => expectColl(coll, data)) || result === null) return;
    const res = result as CowSet<K>;
    expect([res.embedded, res.space.pool]).toEqual([false, r.pool]);
    expectColl(res, expected);
    expectColl(coll, data);
    res.release();
  }
  toString = () => `${this.method}(w${this.w}, c${this.c}, [${this.other.map(show).join(", ")}])`;
}

const nat = fc.nat();
const commands = [
  fc
    .tuple(nat, fc.constantFrom<"map" | "set">("map", "set"), fc.array(fc.tuple(keyArb, valueArb), { maxLength: 6 }))
    .map(([w, k, items]) => new CreateCmd(w, k, items)),
  fc
    .tuple(nat, fc.constantFrom<"map" | "set">("map", "set"), fc.constant([] as [K, unknown][]))
    .map(([w, k, items]) => new CreateCmd(w, k, items)),
  fc.tuple(nat, nat, keyArb, valueArb).map(([w, c, k, v]) => new PutCmd(w, c, k, v)),
  fc.tuple(nat, nat, keyArb, valueArb).map(([w, c, k, v]) => new PutCmd(w, c, k, v)),
  fc.tuple(nat, nat, keyArb, valueArb).map(([w, c, k, v]) => new PutCmd(w, c, k, v)),
  fc.tuple(nat, nat, keyArb).map(([w, c, k]) => new DeleteCmd(w, c, k)),
  fc.tuple(nat, nat, keyArb).map(([w, c, k]) => new DeleteCmd(w, c, k)),
  fc.tuple(nat, nat, keyArb).map(([w, c, k]) => new ReadCmd(w, c, k)),
  fc.tuple(nat, nat).map(([w, c]) => new ClearCmd(w, c)),
  fc
    .tuple(nat, nat, fc.integer({ min: 5, max: 200 }), fc.boolean())
    .map(([w, c, n, all]) => new ChurnCmd(w, c, n, all)),
  fc.tuple(nat, nat).map(([w, c]) => new FreeCmd(w, c)),
  fc.tuple(nat, fc.boolean()).map(([w, f]) => new ForkCmd(w, f)),
  nat.map((w) => new ReleaseWorldCmd(w)),
  fc.tuple(nat, nat).map(([w, c]) => new ReattachCmd(w, c)),
  fc.tuple(nat, nat).map(([w, c]) => new OpenIterCmd(w, c)),
  fc
    .tuple(
      nat,
      nat,
      fc.constantFrom("union", "intersection", "difference", "symmetricDifference" as const),
      fc.array(keyArb, { maxLength: 6 }),
    )
    .map(([w, c, method, other]) => new SetMethodCmd(w, c, method, other)),
  fc.tuple(nat, fc.integer({ min: 1, max: 6 })).map(([i, s]) => new StepIterCmd(i, s)),
  fc.tuple(nat, fc.integer({ min: 1, max: 6 })).map(([i, s]) => new StepIterCmd(i, s)),
];

/** Runs `cmds` from one world whose heap manages `heapPages` pages; with `leave`, first squeezes the pool. */
function run(cmds: Iterable<fc.Command<Model, Real>>, pool: FramePool, heapPages: number, leave?: number): void {
  const ps = pool.pageSize;
  const space = new AddressSpace({ size: heapBase(pool) + heapPages * ps, pool });
  const heap = Heap.create(space, { base: heapBase(pool) });
  const real: Real = { pool, worlds: [{ space, heap, colls: new Map() }], ballast: new Ballast(pool) };
  const model: Model = { worlds: [{ colls: new Map(), frozen: false }], iters: [], nextId: 0 };
  if (leave !== undefined) real.ballast.squeeze(leave);
  fc.modelRun(() => ({ model, real }), cmds);
  model.worlds.forEach((mw, w) => {
    if (mw === null) return;
    const world = real.worlds[w] as World;
    for (const [id, data] of mw.colls) expectColl(world.colls.get(id) as Coll, data);
    world.heap.check();
  });
  for (const w of real.worlds) w?.space.release();
  real.ballast.release();
  // Frame-leak check: every frame and page-table node is back.
  expect(pool.stats().framesInUse).toBe(0);
  expect(pool.stats().pageTableNodes).toBe(0);
}

describe("embedded CowMap and CowSet (many in one space and heap) against native Maps and Sets", () => {
  for (const pageSize of [256, 1024]) {
    it(`match the model through forks, attach, freeze, free and interleaved iteration (pageSize ${pageSize})`, () => {
      fc.assert(
        fc.property(fc.commands(commands, { maxCommands: 80, size: "medium" }), (cmds) =>
          run(cmds, new FramePool({ pageSize }), 1 << 14),
        ),
        { numRuns: 300 },
      );
    });
  }

  it("refused calls change nothing, under the pool's maxBytes and a heap range that fills up", () => {
    const squeeze = squeezes<Model>();
    fc.assert(
      fc.property(
        fc.commands([...commands, squeeze, squeeze], { maxCommands: 80, size: "medium" }),
        fc.integer({ min: 24, max: 400 }), // the pool's budget, in 256-byte frames
        fc.integer({ min: 0, max: 24 }), // frames left free at the start
        fc.integer({ min: 12, max: 200 }), // pages the heap manages (header and page map included)
        (cmds, frames, leave, heapPages) =>
          run(cmds, new FramePool({ pageSize: 256, maxBytes: frames * 256 }), heapPages, leave),
      ),
      { numRuns: 300 },
    );
  });
});
