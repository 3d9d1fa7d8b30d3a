/**
 * Keys whose 32-bit hashes are equal (found offline against key.ts's hash:
 * FNV-1a over the code units, then MurmurHash3's finalizer), so they share a
 * bucket at every table size and the stored hash does not tell them apart:
 * only the kind, the length and the key bytes compared in place do. Pairs of
 * one-byte strings and of two-byte strings of the same length, doubles, a
 * string against a bigint and a string against a double; plus keys that
 * SameValueZero merges (NaN payloads, -0) or keeps apart ("1", 1, 1n).
 *
 * A differential model test (fc.commands, replayable) against native Maps:
 * sets, deletes (unlinking from the middle and the head of a chain, leaving
 * tombstones), churn that shrinks and regrows the bucket array and compacts
 * the log, forks (the persistence law: writing one version never changes
 * another), releases, clears and live iterators; after each command every
 * live version answers `size`, `get` and `has` of every key of the domain and
 * iterates in the model's order; at the end no frame is left.
 * Standalone and embedded in a heap.
 */
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { CowMap } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { classifyKey, probe } from "../src/key.js";

type K = string | number | bigint | boolean | null | undefined;

const otherNaN = new Float64Array(new Uint32Array([1, 0x7ff00000]).buffer)[0] as number;

/** Pairs with one 32-bit hash each (checked below against the implementation's hash). */
const COLLIDING: [K, K][] = [
  ["k0174628", "k1872066"],
  ["k0174629", "k1872067"],
  ["k0174626", "k1872068"],
  ["\u0100479599", "\u0100662382"],
  ["\u0100479598", "\u0100662383"],
  [-967623.0586272404, 14970.169397226904],
  [509938.95243473875, 999987.8616139728],
  ["s20483", 283789n],
  ["n2929", 1962136.5],
];

const DOMAIN: K[] = [
  ...COLLIDING.flat(),
  Number.NaN,
  otherNaN,
  0,
  -0,
  1,
  "1",
  1n,
  "",
  null,
  undefined,
  true,
  false,
  "\ud800",
  "x".repeat(700),
];

/** The hash the table stores for `k` (key.ts, the implementation's own). */
function hashOf(k: K): number {
  classifyKey(k, probe);
  return probe.hash;
}

/** A live version: the real map and, for an embedded one, the space it owns (forks of the space). */
interface Version {
  map: CowMap<K, unknown>;
  space: AddressSpace | null;
}
interface Real {
  pool: FramePool;
  versions: (Version | null)[];
  iters: ({ real: Iterator<unknown>; model: Iterator<unknown>; v: number } | null)[];
}
interface Model {
  versions: (Map<K, unknown> | null)[];
}

function pick(m: Model, i: number): number {
  const live = m.versions.flatMap((v, k) => (v === null ? [] : [k]));
  return live.length === 0 ? -1 : (live[i % live.length] as number);
}
const hasLive = (m: Readonly<Model>) => pick(m as Model, 0) >= 0;

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === "object" && JSON.stringify(a) === JSON.stringify(b));
}

/** Every live version against its model: size, get and has of the whole domain, iteration order. */
function checkAll(m: Model, r: Real): void {
  m.versions.forEach((model, k) => {
    if (model === null) return;
    const real = (r.versions[k] as Version).map;
    expect(real.size, `size of v${k}`).toBe(model.size);
    for (const key of DOMAIN) {
      expect(real.has(key), `v${k}.has(${show(key)})`).toBe(model.has(key));
      expect(same(real.get(key), model.get(key)), `v${k}.get(${show(key)})`).toBe(true);
    }
    const got = [...real.keys()];
    const want = [...model.keys()];
    expect(got.length).toBe(want.length);
    got.forEach((x, i) => {
      expect(Object.is(x, want[i]), `v${k} key #${i}`).toBe(true);
    });
  });
}

function show(k: unknown): string {
  if (typeof k === "bigint") return `${k}n`;
  if (typeof k === "string") return JSON.stringify(k.length > 20 ? `${k.slice(0, 8)}...(${k.length})` : k);
  if (Object.is(k, -0)) return "-0";
  if (Number.isNaN(k)) return k === otherNaN ? "otherNaN" : "NaN";
  return String(k);
}

class SetCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: K,
    readonly value: unknown,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    (r.versions[k] as Version).map.set(this.key, this.value);
    (m.versions[k] as Map<K, unknown>).set(this.key, this.value);
    checkAll(m, r);
  }
  toString = () => `set(v${this.v}, ${show(this.key)}, ${JSON.stringify(this.value)})`;
}

class DeleteCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly key: K,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const got = (r.versions[k] as Version).map.delete(this.key);
    expect(got).toBe((m.versions[k] as Map<K, unknown>).delete(this.key));
    checkAll(m, r);
  }
  toString = () => `delete(v${this.v}, ${show(this.key)})`;
}

/** Sets then deletes many filler keys: the bucket array grows, then shrinks, and the log compacts. */
class ChurnCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly n: number,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const real = (r.versions[k] as Version).map;
    const model = m.versions[k] as Map<K, unknown>;
    for (let i = 0; i < this.n; i++) {
      real.set(`fill${i}`, i);
      model.set(`fill${i}`, i);
    }
    for (let i = 0; i < this.n; i++) {
      real.delete(`fill${i}`);
      model.delete(`fill${i}`);
    }
    checkAll(m, r);
  }
  toString = () => `churn(v${this.v}, ${this.n})`;
}

class ForkCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = (m: Readonly<Model>) => hasLive(m) && m.versions.length < 8;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const from = r.versions[k] as Version;
    let fork: Version;
    if (from.space === null) fork = { map: from.map.fork(), space: null };
    else {
      const space = from.space.fork();
      fork = { map: CowMap.attach<K, unknown>(Heap.attach(space, space.pageSize), from.map.address), space };
    }
    r.versions.push(fork);
    m.versions.push(new Map(m.versions[k] as Map<K, unknown>));
    checkAll(m, r);
  }
  toString = () => `fork(v${this.v})`;
}

class ReleaseCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    const x = r.versions[k] as Version;
    if (x.space === null) x.map.release();
    else x.space.release();
    r.versions[k] = null;
    m.versions[k] = null;
    r.iters.forEach((it, i) => {
      if (it !== null && it.v === k) r.iters[i] = null;
    });
    checkAll(m, r);
  }
  toString = () => `release(v${this.v})`;
}

class ClearCmd implements fc.Command<Model, Real> {
  constructor(readonly v: number) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const k = pick(m, this.v);
    (r.versions[k] as Version).map.clear();
    (m.versions[k] as Map<K, unknown>).clear();
    checkAll(m, r);
  }
  toString = () => `clear(v${this.v})`;
}

/** Starts an iterator of a version, or steps one: it sees what a native Map iterator sees. */
class IterCmd implements fc.Command<Model, Real> {
  constructor(
    readonly v: number,
    readonly slot: number,
  ) {}
  check = hasLive;
  run(m: Model, r: Real): void {
    const it = r.iters[this.slot];
    if (it === undefined || it === null) {
      const k = pick(m, this.v);
      r.iters[this.slot] = {
        real: (r.versions[k] as Version).map.keys(),
        model: (m.versions[k] as Map<K, unknown>).keys(),
        v: k,
      };
      return;
    }
    const a = it.real.next();
    const b = it.model.next();
    expect(a.done).toBe(b.done);
    expect(Object.is(a.value, b.value), `iterator ${this.slot}: ${show(a.value)} vs ${show(b.value)}`).toBe(true);
  }
  toString = () => `iter(v${this.v}, slot ${this.slot})`;
}

const keyArb = fc.constantFrom(...DOMAIN);
const valueArb = fc.oneof(
  fc.integer(),
  fc.constantFrom(-0, Number.NaN, "short", "a longer string value", null, undefined, true),
  fc.record({ a: fc.array(fc.integer(), { maxLength: 3 }) }),
);
const commands = [
  fc.tuple(fc.nat(7), keyArb, valueArb).map(([v, k, x]) => new SetCmd(v, k, x)),
  fc.tuple(fc.nat(7), keyArb, valueArb).map(([v, k, x]) => new SetCmd(v, k, x)),
  fc.tuple(fc.nat(7), keyArb).map(([v, k]) => new DeleteCmd(v, k)),
  fc.tuple(fc.nat(7), fc.constantFrom(20, 70, 300)).map(([v, n]) => new ChurnCmd(v, n)),
  fc.nat(7).map((v) => new ForkCmd(v)),
  fc.nat(7).map((v) => new ReleaseCmd(v)),
  fc.nat(7).map((v) => new ClearCmd(v)),
  fc.tuple(fc.nat(7), fc.nat(2)).map(([v, s]) => new IterCmd(v, s)),
  fc.tuple(fc.nat(7), fc.nat(2)).map(([v, s]) => new IterCmd(v, s)),
];

function run(cmds: Iterable<fc.Command<Model, Real>>, embedded: boolean, pageSize: number): void {
  const pool = new FramePool({ pageSize });
  let first: Version;
  if (embedded) {
    const space = new AddressSpace({ size: 2 ** 26, pool });
    first = { map: CowMap.create<K, unknown>(Heap.create(space, { base: pageSize })), space };
  } else first = { map: new CowMap<K, unknown>(null, { pool }), space: null };
  const real: Real = { pool, versions: [first], iters: [] };
  try {
    fc.modelRun(() => ({ model: { versions: [new Map<K, unknown>()] }, real }), cmds);
  } finally {
    for (const x of real.versions) {
      if (x === null) continue;
      if (x.space === null) x.map.release();
      else x.space.release();
    }
  }
  expect(pool.stats().framesInUse, "frames left").toBe(0);
  expect(pool.stats().committedBytes, "commit charge left").toBe(0);
}

describe("keys with equal 32-bit hashes, against native Maps", () => {
  it("the pairs collide under the implementation's hash (else this file tests nothing)", () => {
    for (const [a, b] of COLLIDING) expect(hashOf(a), `${show(a)} / ${show(b)}`).toBe(hashOf(b));
  });

  it("get, has and delete of absent keys (colliding with present ones) write nothing: no frame, no fault, no change", () => {
    const pool = new FramePool({ pageSize: 256 });
    const m = new CowMap<K, unknown>(
      COLLIDING.map(([a], i) => [a, i]),
      { pool },
    );
    for (let i = 0; i < 300; i++) m.set(`filler${i}`, i);
    for (let i = 0; i < 300; i += 2) m.delete(`filler${i}`); // tombstones in the chains
    const f = m.fork(); // every page shared: a write would copy one
    const frames = pool.stats().framesInUse;
    const before = JSON.stringify([...f.entries()].map(([k, v]) => [show(k), v]));
    const faults = f.stats().copyFaults;
    for (const [, b] of COLLIDING) {
      expect([f.get(b), f.has(b), f.delete(b)]).toEqual([undefined, false, false]);
    }
    for (let i = 0; i < 300; i += 2) expect(f.delete(`filler${i}`)).toBe(false);
    expect([pool.stats().framesInUse, f.stats().copyFaults]).toEqual([frames, faults]);
    expect(JSON.stringify([...f.entries()].map(([k, v]) => [show(k), v]))).toBe(before);
    m.release();
    f.release();
    expect(pool.stats().framesInUse).toBe(0);
  });

  for (const embedded of [false, true])
    for (const pageSize of [256, 1024])
      it(`${embedded ? "embedded" : "standalone"}, pageSize ${pageSize}: every version matches its model; no frame left`, async () => {
        // chunks of runs with event-loop turns between them (long synchronous runs starve vitest's RPC)
        for (let chunk = 0; chunk < 4; chunk++) {
          fc.assert(
            fc.property(fc.commands(commands, { maxCommands: 60 }), (cmds) => run(cmds, embedded, pageSize)),
            { numRuns: 10 },
          );
          await eventLoopTurns();
        }
      });
});
