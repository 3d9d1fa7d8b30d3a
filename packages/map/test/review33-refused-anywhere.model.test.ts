/**
 * Review 33: every CowMap and CowSet write that the engine refuses at any
 * one of its allocations (a slab, a free list, a page-table node arena,
 * an overflow table: `new ArrayBuffer`, `new Int32Array(n)` throwing
 * RangeError, as V8 does out of memory) throws OutOfMemoryError and changes nothing: the entries
 * (against a native Map or Set), the pool's frames in use and page-table
 * nodes, the heap's metadata (embedded), and the versions forked before.
 * The review32 test refuses every allocation of a call; this property lets
 * the first `at` through and refuses from there on, over random sets,
 * deletes and clears (growth, rehash, compaction, large values written over
 * several pages, embedded data blocks moved), so that a write whose
 * reservation readied too few faults is caught wherever its later write
 * falls. Every version released, the pool holds no frame.
 */
import { isDeepStrictEqual } from "node:util";
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusingFrom } from "../../../test/support/refuse.js";
import { runs } from "../../../test/support/runs.js";
import { eventLoopTurns } from "../../../test/support/turn.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const NUM_RUNS = runs(100);
const PS = 256;
/** Pages of the space whose writes take the frames the slabs hold unused (the "drain" step). */
const PAD_PAGES = 4096;

const keyArb = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((i) => `k${i}`),
  fc.integer({ min: 0, max: 5 }).map((i) => `${"K".repeat(300)}${i}`), // key bytes over a page
);
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -5, max: 1000 }),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: 100, max: 3000 }).map((n) => "w".repeat(n)), // a value over several pages
  fc.record(
    { a: fc.array(fc.integer(), { maxLength: 300 }), s: fc.string({ maxLength: 20 }) },
    { noNullPrototype: true },
  ),
  fc.integer({ min: 200, max: 2000 }).map((n) => new Uint8Array(n).fill(n & 255)),
);

type Op = { t: "set"; k: string; v: unknown } | { t: "delete"; k: string } | { t: "clear" | "fork" | "drop" | "drain" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant("set" as const), k: keyArb, v: valueArb }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("delete" as const), k: keyArb }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { t: "clear" as const },
      { t: "fork" as const },
      { t: "drop" as const },
      { t: "drain" as const },
    ),
  },
);

/** A step: the write and the allocation at which the engine starts refusing (null: it never does). */
interface Step {
  readonly op: Op;
  readonly at: number | null;
}

interface Case {
  readonly set: boolean;
  readonly embedded: boolean;
  readonly firstSlab: number;
  readonly slab: number;
  /** Entries set before the steps (a table of some size). */
  readonly size: number;
  readonly steps: Step[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  set: fc.boolean(),
  embedded: fc.boolean(),
  firstSlab: fc.constantFrom(1, 2, 4, 8),
  slab: fc.constantFrom(1, 2, 4, 8),
  size: fc.nat(60),
  steps: fc.array(fc.record({ op: opArb, at: fc.option(fc.oneof(fc.nat(3), fc.nat(12)), { freq: 4, nil: null }) }), {
    minLength: 1,
    maxLength: 16,
  }),
});

// biome-ignore lint/suspicious/noExplicitAny: a CowMap or a CowSet, called alike
type Coll = any;
type Model = Map<string, unknown> | Set<string>;

/** The collection's entries as plain data, in order (a set's as its elements). */
function entries(c: Coll | Model): unknown[] {
  return [...c];
}

/** A version kept to check at the end: its entries then, and how to read and release it. */
interface Kept {
  readonly model: unknown[];
  read(): unknown[];
  release(): void;
}

/** The write `op` on `c` (a CowMap, CowSet, or their native model). */
function write(c: Coll | Model, op: Op, isSet: boolean): void {
  if (op.t === "set") {
    if (isSet) (c as Set<string>).add(op.k);
    else (c as Map<string, unknown>).set(op.k, op.v);
  } else if (op.t === "delete") c.delete(op.k);
  else c.clear();
}

/** Runs one case; the problems found (empty: none). */
function check(k: Case): string[] {
  const bad: string[] = [];
  const pool = new FramePool({
    pageSize: PS,
    firstSlabBytes: Math.min(k.firstSlab, k.slab) * PS,
    slabBytes: k.slab * PS,
  });
  const Ctor = k.set ? CowSet : CowMap;
  let space: AddressSpace | null = null;
  let heap: Heap | null = null;
  let c: Coll;
  if (k.embedded) {
    space = new AddressSpace({ size: 4096 * PS, pool });
    heap = Heap.create(space, {});
    c = (Ctor as Coll).create(heap);
  } else c = new (Ctor as Coll)(null, { pool });
  const model: Model = k.set ? new Set<string>() : new Map<string, unknown>();
  for (let i = 0; i < k.size; i++) {
    const op: Op = { t: "set", k: `k${i}`, v: "v".repeat(i * 5) };
    write(c, op, k.set);
    write(model, op, k.set);
  }
  const kept: Kept[] = [];
  const pad = new AddressSpace({ size: PAD_PAGES * PS, pool });
  let padPage = 0;
  const refuse = refusingFrom();
  for (const [s, step] of k.steps.entries()) {
    const op = step.op;
    if (op.t === "fork") {
      const snapshot = entries(model);
      if (space !== null) {
        const f = space.fork();
        const address = c.address;
        const read = () => entries((Ctor as Coll).attach(Heap.attach(f, 0), address));
        kept.push({ model: snapshot, read, release: () => f.release() });
      } else {
        const f = c.fork();
        kept.push({ model: snapshot, read: () => entries(f), release: () => f.release() });
      }
      continue;
    }
    if (op.t === "drain") {
      // Every frame the slabs hold unused taken, so that the next faults need new slabs.
      while ((pool as unknown as { framesReady(): number }).framesReady() > 0 && padPage < PAD_PAGES)
        pad.setUint8(PS * padPage++, 1);
      continue;
    }
    if (op.t === "drop") {
      const old = kept.shift();
      if (old !== undefined) {
        if (!isDeepStrictEqual(old.read(), old.model)) bad.push(`step ${s}: a fork changed`);
        old.release();
      }
      continue;
    }
    const st0 = pool.stats();
    const before = { frames: st0.framesInUse, nodes: st0.pageTableNodes };
    let thrown: unknown = null;
    if (step.at !== null) refuse.arm(step.at);
    try {
      write(c, op, k.set);
    } catch (e) {
      thrown = e;
    } finally {
      refuse.disarm();
    }
    const what = `step ${s} ${op.t} ${"k" in op ? op.k.slice(-4) : ""} refused at allocation ${step.at}`;
    if (thrown !== null) {
      const st = pool.stats();
      const after = { frames: st.framesInUse, nodes: st.pageTableNodes };
      if (!(thrown instanceof OutOfMemoryError)) bad.push(`${what}: threw ${String(thrown)}`);
      let got: unknown;
      try {
        got = entries(c);
      } catch (e) {
        got = String(e);
      }
      if (!isDeepStrictEqual(got, entries(model))) bad.push(`${what}: entries changed`);
      if (c.size !== model.size) bad.push(`${what}: size ${c.size}, not ${model.size}`);
      if (JSON.stringify(after) !== JSON.stringify(before))
        bad.push(`${what}: pool ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
      try {
        heap?.check();
      } catch (e) {
        bad.push(`${what}: heap ${String(e)}`);
      }
      if (bad.length > 0) break;
      continue;
    }
    write(model, op, k.set);
    if (!isDeepStrictEqual(entries(c), entries(model))) {
      bad.push(`${what}: entries differ after the write`);
      break;
    }
  }
  for (const v of kept) {
    if (!isDeepStrictEqual(v.read(), v.model)) bad.push("a fork changed");
    v.release();
  }
  if (space !== null) space.release();
  else c.release();
  pad.release();
  if (pool.framesInUse !== 0) bad.push(`${pool.framesInUse} frames leaked`);
  vi.unstubAllGlobals();
  return bad;
}

describe("a map or set write refused by the engine at any allocation changes nothing", () => {
  it("entries, frames, page-table nodes, heap and forks unchanged; no leak (property)", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (k) => {
        await eventLoopTurns();
        expect(check(k)).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
