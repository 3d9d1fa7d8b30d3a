/**
 * Standalone CowMap and CowSet writes near the pool's limit whose
 * out-of-memory hook forks the map (a version kept aside), releases a kept
 * version, reads the map and the set, writes the map itself or the set
 * (the waiting write is then refused), and then frees the ballast, or not.
 * A differential model test (fc.commands, replayable) against native Maps
 * and Sets, with churn that doubles and shrinks the bucket array and
 * compacts the log under the hook: a refused call (OutOfMemoryError) leaves
 * the pool's frames and page-table nodes as the hook left them and the
 * contents as before; a completed one matches the model; every kept version
 * keeps the contents it was forked with; at the end nothing is left in the
 * pool (frames, page-table nodes, commit charge).
 */
import { type FramePool, OutOfMemoryError } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { Ballast } from "./pressure.js";
import { expectPoolEmpty, hookedPool, writeCmds } from "./support/map-set-ops.js";

const PS = 256;
const MAX_FRAMES = 160;

type Act = "none" | "fork" | "release kept" | "read" | "write map" | "write set";
const ACTS: Act[] = ["none", "fork", "release kept", "read", "write map", "write set"];

interface Real {
  pool: FramePool;
  m: CowMap<string, unknown>;
  s: CowSet<string>;
  kept: { map: CowMap<string, unknown>; model: Map<string, unknown> }[];
  ballast: Ballast;
  act: Act;
  relieve: boolean;
  /** Set by the hook: what it wrote, and the pool as it left it. */
  did: { mapSet: boolean; setAdd: boolean; frames: number; nodes: number } | null;
}
interface Model {
  map: Map<string, unknown>;
  set: Set<string>;
}

const seen = { acted: 0, refused: 0, completedAfterHook: 0 };

function hook(r: Real): void {
  const act = r.act;
  r.act = "none";
  if (act === "none") return;
  seen.acted++;
  const did = { mapSet: false, setAdd: false, frames: 0, nodes: 0 };
  r.did = did;
  try {
    if (act === "fork") r.kept.push({ map: r.m.fork(), model: new Map(r.m) });
    else if (act === "release kept") r.kept.shift()?.map.release();
    else if (act === "read") {
      r.m.get("k1");
      r.s.has("e2");
      for (const _ of r.m);
    } else if (act === "write map") {
      r.m.set("from-hook", "h".repeat(20));
      did.mapSet = true;
    } else {
      r.s.add("from-hook");
      did.setAdd = true;
    }
  } catch (e) {
    if (!(e instanceof OutOfMemoryError)) throw e;
  }
  if (r.relieve) {
    r.ballast.release();
  }
  did.frames = r.pool.stats().framesInUse;
  did.nodes = r.pool.stats().pageTableNodes;
}

function checkAll(m: Model, r: Real): void {
  expect(r.m.size).toBe(m.map.size);
  expect(JSON.stringify([...r.m])).toBe(JSON.stringify([...m.map]));
  for (const k of m.map.keys()) expect(JSON.stringify(r.m.get(k))).toBe(JSON.stringify(m.map.get(k)));
  expect([...r.s]).toEqual([...m.set]);
  for (const k of r.kept) expect(JSON.stringify([...k.map])).toBe(JSON.stringify([...k.model]));
}

function attempt(m: Model, r: Real, write: () => void, model: () => void, full = true): void {
  r.did = null;
  const frames = r.pool.stats().framesInUse;
  const nodes = r.pool.stats().pageTableNodes;
  let threw = false;
  try {
    write();
  } catch (e) {
    if (!(e instanceof OutOfMemoryError)) throw e;
    threw = true;
  }
  r.act = "none";
  const did = r.did as Real["did"];
  if (did?.mapSet) m.map.set("from-hook", "h".repeat(20));
  if (did?.setAdd) m.set.add("from-hook");
  if (threw) {
    seen.refused++;
    // nothing of its own changed: the pool as before the call, or as the hook left it
    expect(r.pool.stats().framesInUse, "frames after a refused call").toBe(did === null ? frames : did.frames);
    expect(r.pool.stats().pageTableNodes, "page-table nodes after a refused call").toBe(
      did === null ? nodes : did.nodes,
    );
  } else {
    if (did !== null) seen.completedAfterHook++;
    model();
  }
  if (full || did !== null || threw) checkAll(m, r);
}

/** Sets `n` new keys then deletes them (the hook acts at one of them): the buckets double, then shrink; the log compacts. */
class ChurnCmd implements fc.Command<Model, Real> {
  constructor(
    readonly n: number,
    readonly at: number,
    readonly act: Act,
    readonly leave: number,
    readonly relieve: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    r.ballast.squeeze(this.leave);
    r.relieve = this.relieve;
    for (let i = 0; i < 2 * this.n; i++) {
      r.act = i === this.at % (2 * this.n) ? this.act : "none";
      const k = `c${i % this.n}`;
      if (i < this.n)
        attempt(
          m,
          r,
          () => r.m.set(k, "w".repeat(i % 40)),
          () => m.map.set(k, "w".repeat(i % 40)),
          false,
        );
      else
        attempt(
          m,
          r,
          () => r.m.delete(k),
          () => m.map.delete(k),
          false,
        );
    }
    checkAll(m, r);
  }
  toString = () =>
    `churn(${this.n}, hook ${this.act}${this.relieve ? " + relieve" : ""} at ${this.at}, leave ${this.leave})`;
}

const keyArb = fc.constantFrom("k0", "k1", "k2", "e2", "a-longer-key-of-some-length", "\u0100wide");
const actArb = fc.constantFrom(...ACTS);
const leaveArb = fc.integer({ min: 0, max: 8 });
const commands = [
  writeCmds({
    attempt,
    keys: keyArb,
    maxLen: 300,
    acts: actArb,
    leave: leaveArb,
  }),
  fc
    .tuple(fc.integer({ min: 10, max: 80 }), fc.nat(200), actArb, leaveArb, fc.boolean())
    .map(([n, at, act, leave, relieve]) => new ChurnCmd(n, at, act, leave, relieve)),
];

function run(cmds: Iterable<fc.Command<Model, Real>>): void {
  const { pool, box } = hookedPool<Real>(PS, MAX_FRAMES, hook);
  const r: Real = {
    pool,
    m: new CowMap<string, unknown>(null, { pool }),
    s: new CowSet<string>(["e1", "e2"], { pool }),
    kept: [],
    ballast: new Ballast(pool),
    act: "none",
    relieve: false,
    did: null,
  };
  box.r = r;
  try {
    fc.modelRun(() => ({ model: { map: new Map(), set: new Set(["e1", "e2"]) }, real: r }), cmds);
  } finally {
    box.r = null;
    r.ballast.release();
    for (const k of r.kept) k.map.release();
    r.m.release();
    r.s.release();
  }
  expectPoolEmpty(pool);
}

describe("standalone map and set writes whose out-of-memory hook forks, releases, reads or writes", () => {
  it("a refused call changes nothing of its own; a completed one matches the model; kept versions never change", async () => {
    for (let chunk = 0; chunk < 5; chunk++) {
      fc.assert(fc.property(fc.commands(commands, { maxCommands: 30 }), run), { numRuns: 15 });
      await eventLoopTurns();
    }
    expect(seen.acted).toBeGreaterThan(30);
    expect(seen.refused).toBeGreaterThan(10);
    expect(seen.completedAfterHook).toBeGreaterThan(10);
  });
});
