/**
 * An embedded CowMap and CowSet sharing one heap with raw blocks of the
 * embedder, in a pool with a limit, whose out-of-memory hook acts while a
 * map or set write waits for frames: it forks the space (a version kept
 * aside), releases a kept version, mallocs or frees a raw block of the same
 * heap, reads the collections, writes the set or the map itself (the
 * waiting write is then refused), or frees the ballast; and
 * then, or not, frees the ballast so that the call can go on. A
 * differential model test (fc.commands, replayable) against native Maps and
 * Sets: after each command the heap passes `check()`, the raw blocks hold
 * their bytes, the map and set equal their models, and every kept version
 * equals the model it was forked with (the persistence law); a refused call
 * (OutOfMemoryError, RangeError) changed nothing of its own. At the end,
 * with everything released, the pool holds no frame and no commit charge.
 */
import { AddressSpace, type FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventLoopTurns } from "../../../test/support/turn.js";
import { Ballast } from "./pressure.js";
import { expectPoolEmpty, hookedPool, writeCmds } from "./support/map-set-ops.js";

const PS = 256;
const MAX_FRAMES = 120;

type Act =
  | "none"
  | "fork"
  | "release kept"
  | "malloc"
  | "free block"
  | "read"
  | "write set"
  | "write map"
  | "free ballast";
const ACTS: Act[] = [
  "none",
  "fork",
  "release kept",
  "malloc",
  "free block",
  "read",
  "write set",
  "write map",
  "free ballast",
];

interface Kept {
  space: AddressSpace;
  map: Map<string, unknown>;
  set: Set<string>;
  mapAddr: number;
  setAddr: number;
}
interface Real {
  pool: FramePool;
  space: AddressSpace;
  heap: Heap;
  m: CowMap<string, unknown>;
  s: CowSet<string>;
  blocks: { addr: number; size: number; byte: number }[];
  kept: Kept[];
  ballast: Ballast;
  act: Act;
  /** Whether the hook releases the ballast after its act. */
  relieve: boolean;
  /** What the hook did when it last ran (for the model). */
  hookDid: { setAdd: string | null; mapSet: string | null } | null;
}
interface Model {
  map: Map<string, unknown>;
  set: Set<string>;
}

let blockByte = 0;
/** How often the hook acted, and how many writes were refused, over the whole file (the test asserts both happen). */
const seen = { acted: 0, refused: 0, completedAfterHook: 0 };
function hook(r: Real): void {
  const act = r.act;
  r.act = "none";
  if (act === "none") return;
  seen.acted++;
  const did = { setAdd: null as string | null, mapSet: null as string | null };
  r.hookDid = did;
  act1(r, act, did);
  if (r.relieve) {
    // then lets the call go on, as a hook that frees memory does
    r.ballast.release();
  }
}

function act1(r: Real, act: Act, did: { setAdd: string | null; mapSet: string | null }): void {
  switch (act) {
    case "fork": {
      const space = r.space.fork();
      r.kept.push({
        space,
        map: new Map(r.m), // the contents before the waiting call: it has changed nothing yet
        set: new Set(r.s),
        mapAddr: r.m.address,
        setAddr: r.s.address,
      });
      return;
    }
    case "release kept":
      r.kept.shift()?.space.release();
      return;
    case "malloc": {
      try {
        const size = 24 + (blockByte % 5) * 40;
        const addr = r.heap.malloc(size);
        const byte = 1 + (blockByte++ % 250);
        r.space.fill(byte, addr, addr + size);
        r.blocks.push({ addr, size, byte });
      } catch (e) {
        if (!(e instanceof OutOfMemoryError)) throw e;
      }
      return;
    }
    case "free block": {
      const b = r.blocks.shift();
      if (b !== undefined) r.heap.free(b.addr);
      return;
    }
    case "read":
      r.m.get("k1");
      r.m.has("zz");
      r.s.has("e3");
      for (const _ of r.m);
      return;
    case "write set":
      try {
        r.s.add("from-hook");
        did.setAdd = "from-hook";
      } catch (e) {
        if (!(e instanceof OutOfMemoryError)) throw e;
      }
      return;
    case "write map":
      try {
        r.m.set("from-hook", "h".repeat(20));
        did.mapSet = "from-hook";
      } catch (e) {
        if (!(e instanceof OutOfMemoryError)) throw e;
      }
      return;
    case "free ballast":
      r.ballast.release();
      return;
  }
}

function checkAll(m: Model, r: Real): void {
  r.heap.check();
  for (const b of r.blocks)
    for (let i = 0; i < b.size; i += 7) expect(r.space.getUint8(b.addr + i), `block ${b.addr}`).toBe(b.byte);
  expect(JSON.stringify([...r.m])).toBe(JSON.stringify([...m.map]));
  expect([...r.s]).toEqual([...m.set]);
  for (const k of r.kept) {
    const h = Heap.attach(k.space, PS);
    h.check();
    expect(JSON.stringify([...CowMap.attach(h, k.mapAddr)])).toBe(JSON.stringify([...k.map]));
    expect([...CowSet.attach<string>(h, k.setAddr)]).toEqual([...k.set]);
  }
}

/** Runs a write of the map or set; on a refusal checks it changed nothing of its own; returns whether it ran. */
function attempt(m: Model, r: Real, write: () => void, model: () => void): void {
  r.hookDid = null;
  let threw: unknown = null;
  try {
    write();
  } catch (e) {
    if (!(e instanceof OutOfMemoryError) && !(e instanceof RangeError)) throw e;
    threw = e;
  }
  const did = r.hookDid as Real["hookDid"]; // set by the hook, if it ran during write()
  if (did?.setAdd) m.set.add(did.setAdd);
  if (did?.mapSet) m.map.set(did.mapSet, "h".repeat(20));
  if (threw === null) model();
  if (threw !== null) seen.refused++;
  else if (did !== null) seen.completedAfterHook++;
  r.act = "none";
  checkAll(m, r);
}

/** Many new keys at once: the data block grows (realloc) and the buckets double under the hook. */
class BurstCmd implements fc.Command<Model, Real> {
  constructor(
    readonly n: number,
    readonly act: Act,
    readonly leave: number,
    readonly relieve: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    r.ballast.squeeze(this.leave);
    r.relieve = this.relieve;
    for (let i = 0; i < this.n; i++) {
      r.act = i === this.n - 1 ? this.act : "none";
      const k = `b${i}-${m.map.size}`;
      attempt(
        m,
        r,
        () => r.m.set(k, "w".repeat(i % 30)),
        () => m.map.set(k, "w".repeat(i % 30)),
      );
    }
  }
  toString = () => `burst(${this.n}, hook ${this.act}${this.relieve ? " + relieve" : ""}, leave ${this.leave})`;
}

const keyArb = fc.constantFrom("k0", "k1", "k2", "k3", "e3", "a-longer-key-of-some-length", "\u0100wide");
const actArb = fc.constantFrom(...ACTS);
const leaveArb = fc.integer({ min: 0, max: 24 });
const commands = [
  writeCmds({
    attempt,
    keys: keyArb,
    maxLen: 200,
    acts: actArb,
    leave: leaveArb,
  }),
  fc
    .tuple(fc.integer({ min: 5, max: 40 }), actArb, leaveArb, fc.boolean())
    .map(([n, act, leave, relieve]) => new BurstCmd(n, act, leave, relieve)),
];

function run(cmds: Iterable<fc.Command<Model, Real>>): void {
  const { pool, box } = hookedPool<Real>(PS, MAX_FRAMES, hook);
  const space = new AddressSpace({ size: 512 * PS, pool });
  const heap = Heap.create(space, { base: PS });
  const r: Real = {
    pool,
    space,
    heap,
    m: CowMap.create<string, unknown>(heap),
    s: CowSet.create<string>(heap, ["e1", "e2", "e3"]),
    blocks: [],
    kept: [],
    ballast: new Ballast(pool),
    act: "none",
    relieve: false,
    hookDid: null,
  };
  box.r = r;
  try {
    fc.modelRun(() => ({ model: { map: new Map(), set: new Set(["e1", "e2", "e3"]) }, real: r }), cmds);
  } finally {
    box.r = null;
    r.ballast.release();
    for (const k of r.kept) k.space.release();
    space.release();
  }
  expectPoolEmpty(pool, false);
}

describe("embedded map and set writes whose out-of-memory hook acts on the heap, the space and the collections", () => {
  it("match their models; the heap checks; kept versions never change; no frame left", async () => {
    for (let chunk = 0; chunk < 5; chunk++) {
      fc.assert(fc.property(fc.commands(commands, { maxCommands: 40 }), run), { numRuns: 20 });
      await eventLoopTurns();
    }
    expect(seen.acted).toBeGreaterThan(50);
    expect(seen.refused).toBeGreaterThan(10);
    expect(seen.completedAfterHook).toBeGreaterThan(10);
  });
});
