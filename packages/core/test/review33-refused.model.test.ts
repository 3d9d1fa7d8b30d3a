/**
 * Review 33: model-based test of the readiness of writes against engine
 * refusals injected at any allocation. Versions of one space (a heap in its
 * low pages, raw bytes above) are forked, released, written by bulk writes,
 * discarded, and changed by heap calls; each command runs with the engine
 * refusing its k-th allocation (a slab, or a typed array made by length:
 * refcount bytes, free list, page-table arena, overflow table, TLB), k drawn
 * per command. A command either completes (and then every version reads as
 * its model) or throws OutOfMemoryError and changes nothing (every version's
 * bytes, the frames and nodes in use). A "change" command reserves with
 * `space.reserveFrames(n)` (n bounding the frames of what follows, as the
 * array, map and string packages do) and then makes several writes and heap
 * calls with every allocation refused: it must complete. (Found with it: the
 * TLBs a change's first write takes after a fork were not readied.) At the end every
 * version is released: the pool holds no frame and no page-table node.
 *
 * PAGEFORK_TEST_RUNS_SCALE multiplies the runs; PAGEFORK_TEST_SEED fixes the seed.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "../src/index.js";
import { bytes } from "./support/helpers.js";

const PS = 256;
const PAGES = 48;
const SIZE = PAGES * PS;
const HEAP_END = 16 * PS;
const RAW = SIZE - HEAP_END;
const RUNS = Number(process.env.REVIEW33_RUNS ?? 60) * Number(process.env.PAGEFORK_TEST_RUNS_SCALE ?? 1);
const SEED = process.env.PAGEFORK_TEST_SEED === undefined ? undefined : Number(process.env.PAGEFORK_TEST_SEED);

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The engine refusing its `at`-th allocation from now (0: none); allocations counted in `seen`. */
const engine = { at: 0, seen: 0, all: false, refused: 0 };

/** Runs the test's own allocations with the engine granting everything. */
function quiet<T>(f: () => T): T {
  const { at, all } = engine;
  engine.at = 0;
  engine.all = false;
  try {
    return f();
  } finally {
    engine.at = at;
    engine.all = all;
  }
}

/** Stubs the constructors the core allocates with: a buffer always allocates, a typed array when given a length. */
function stubEngine(): void {
  for (const name of ["ArrayBuffer", "Uint8Array", "Int32Array", "Float64Array"] as const) {
    const Real = globalThis[name];
    vi.stubGlobal(
      name,
      new Proxy(Real, {
        construct(target, args, newTarget) {
          if ((engine.at > 0 || engine.all) && (name === "ArrayBuffer" || typeof args[0] === "number")) {
            engine.seen++;
            if (engine.all || engine.seen === engine.at) {
              engine.refused++;
              throw new RangeError("Array buffer allocation failed");
            }
          }
          return Reflect.construct(target, args, newTarget);
        },
      }),
    );
  }
}

interface Version {
  space: AddressSpace;
  heap: Heap;
  blocks: Map<number, Uint8Array>;
  raw: Uint8Array;
}

type Step =
  | { c: "write"; at: number; len: number; seed: number }
  | { c: "fill"; at: number; len: number; v: number }
  | { c: "copyWithin"; t: number; s: number; len: number }
  | { c: "discard"; page: number; n: number }
  | { c: "malloc"; size: number; seed: number }
  | { c: "free"; k: number }
  | { c: "setBlock"; k: number; seed: number }
  | { c: "realloc"; k: number; size: number; seed: number };

type Cmd =
  | { c: "fork" | "release"; i: number }
  | { c: "step"; i: number; step: Step; refuseAt: number }
  | { c: "change"; i: number; steps: Step[] };

const rawAt = fc.nat(RAW - 1);
const len = fc.integer({ min: 1, max: 5 * PS });
const size = fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 200, max: 6 * PS }));
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ c: fc.constant("write" as const), at: rawAt, len, seed: fc.nat() }),
  fc.record({ c: fc.constant("fill" as const), at: rawAt, len, v: fc.nat(255) }),
  fc.record({ c: fc.constant("copyWithin" as const), t: rawAt, s: rawAt, len }),
  fc.record({ c: fc.constant("discard" as const), page: fc.nat(RAW / PS - 1), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ c: fc.constant("malloc" as const), size, seed: fc.nat() }),
  fc.record({ c: fc.constant("free" as const), k: fc.nat() }),
  fc.record({ c: fc.constant("setBlock" as const), k: fc.nat(), seed: fc.nat() }),
  fc.record({ c: fc.constant("realloc" as const), k: fc.nat(), size, seed: fc.nat() }),
);
const idx = fc.nat(5);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ c: fc.constantFrom("fork" as const, "release" as const), i: idx }) },
  { weight: 6, arbitrary: fc.record({ c: fc.constant("step" as const), i: idx, step: stepArb, refuseAt: fc.nat(4) }) },
  {
    weight: 2,
    // Raw discards stay out of a change: `reserveFrames(n)` readies faults, and a discard readies its own
    // room (page-table-discard.ts); two in a row are not covered (see the review's report).
    arbitrary: fc.record({
      c: fc.constant("change" as const),
      i: idx,
      steps: fc.array(
        stepArb.filter((st) => st.c !== "discard"),
        { maxLength: 4 },
      ),
    }),
  },
);

/** Clamps a raw-region range to the region. */
function clamp(at: number, n: number): [number, number] {
  return [HEAP_END + at, Math.min(n, RAW - at)];
}

/** Runs `step` on `v` and its model; the model changes only once the call returned. */
function runStep(v: Version, step: Step): void {
  const s = v.space;
  switch (step.c) {
    case "write": {
      const [a, n] = clamp(step.at, step.len);
      const data = quiet(() => bytes(step.seed, n));
      s.write(a, data);
      v.raw.set(data, a - HEAP_END);
      return;
    }
    case "fill": {
      const [a, n] = clamp(step.at, step.len);
      s.fill(step.v, a, a + n);
      v.raw.fill(step.v, a - HEAP_END, a - HEAP_END + n);
      return;
    }
    case "copyWithin": {
      const [t, n0] = clamp(step.t, step.len);
      const [src, n1] = clamp(step.s, step.len);
      const n = Math.min(n0, n1);
      s.copyWithin(t, src, src + n);
      v.raw.copyWithin(t - HEAP_END, src - HEAP_END, src - HEAP_END + n);
      return;
    }
    case "discard": {
      const p = Math.min(step.page, RAW / PS - step.n);
      s.discard(HEAP_END + p * PS, step.n * PS);
      v.raw.fill(0, p * PS, (p + step.n) * PS);
      return;
    }
    case "malloc": {
      let p: number;
      try {
        p = v.heap.malloc(step.size);
      } catch (e) {
        if (e instanceof OutOfMemoryError && /no room left/.test(e.message)) return; // the heap's range is full
        throw e;
      }
      // What the block holds (a recycled block keeps old bytes): written by "setBlock" steps.
      v.blocks.set(
        p,
        quiet(() => s.read(p, new Uint8Array(step.size))),
      );
      return;
    }
    case "setBlock": {
      const keys = [...v.blocks.keys()];
      if (keys.length === 0) return;
      const p = keys[step.k % keys.length] as number;
      const old = v.blocks.get(p) as Uint8Array;
      const data = quiet(() => bytes(step.seed, old.length));
      s.write(p, data);
      v.blocks.set(p, data);
      return;
    }
    case "free": {
      const keys = [...v.blocks.keys()];
      if (keys.length === 0) return;
      const p = keys[step.k % keys.length] as number;
      v.heap.free(p);
      v.blocks.delete(p);
      return;
    }
    case "realloc": {
      const keys = [...v.blocks.keys()];
      if (keys.length === 0) return;
      const p = keys[step.k % keys.length] as number;
      const old = v.blocks.get(p) as Uint8Array;
      let q: number;
      try {
        q = v.heap.realloc(p, step.size);
      } catch (e) {
        if (e instanceof OutOfMemoryError && /no room left/.test(e.message)) return; // the heap's range is full
        throw e;
      }
      const kept = old.subarray(0, Math.min(old.length, step.size));
      v.blocks.delete(p);
      v.blocks.set(
        q,
        quiet(() => Uint8Array.from(kept)),
      );
      return;
    }
  }
}

/** Frames a step may take at most (the `n` of a change's reservation). */
function stepFrames(step: Step): number {
  switch (step.c) {
    case "write":
    case "fill":
    case "copyWithin":
      return Math.ceil(step.len / PS) + 1;
    case "discard":
      return 0;
    case "malloc":
    case "realloc":
      return 2 * Math.ceil(step.size / PS) + 12; // a new block's pages, the old one's, the heap's metadata
    case "free":
      return 8;
    case "setBlock":
      return 2 * Math.ceil((6 * PS) / PS) + 1;
  }
}

function snapshot(pool: FramePool, vs: (Version | null)[]): string {
  const st = pool.stats();
  const parts = [`${st.framesInUse}/${st.pageTableNodes}`];
  for (const v of vs) parts.push(v === null ? "-" : Buffer.from(v.space.read(0, new Uint8Array(SIZE))).toString("hex"));
  return parts.join("|");
}

function check(vs: (Version | null)[]): void {
  for (const v of vs) {
    if (v === null) continue;
    expect(Buffer.from(v.space.read(HEAP_END, new Uint8Array(RAW))).equals(Buffer.from(v.raw))).toBe(true);
    for (const [p, data] of v.blocks)
      expect(Buffer.from(v.space.read(p, new Uint8Array(data.length))).equals(Buffer.from(data))).toBe(true);
    v.heap.check();
  }
}

function run(slabFrames: number, cmds: Cmd[]): void {
  const pool = new FramePool({ pageSize: PS, firstSlabBytes: slabFrames * PS, slabBytes: 32 * PS });
  const space = new AddressSpace({ size: SIZE, pool });
  const vs: (Version | null)[] = [
    { space, heap: Heap.create(space, { limit: HEAP_END }), blocks: new Map(), raw: new Uint8Array(RAW) },
  ];
  const live = (i: number): Version | null => {
    const list = vs.filter((v) => v !== null) as Version[];
    return list.length === 0 ? null : (list[i % list.length] as Version);
  };
  stubEngine();
  for (const cmd of cmds) {
    const v = live(cmd.i);
    if (v === null) break;
    if (cmd.c === "fork") {
      if (vs.length >= 8) continue;
      const f = v.space.fork();
      vs.push({ space: f, heap: Heap.attach(f, 0), blocks: new Map(v.blocks), raw: v.raw.slice() });
    } else if (cmd.c === "release") {
      v.space.release();
      vs[vs.indexOf(v)] = null;
    } else if (cmd.c === "step") {
      const before = snapshot(pool, vs);
      engine.seen = 0;
      engine.at = cmd.refuseAt;
      try {
        runStep(v, cmd.step);
      } catch (e) {
        engine.at = 0;
        if (!(e instanceof OutOfMemoryError)) throw e;
        expect(snapshot(pool, vs)).toBe(before);
      }
      engine.at = 0;
    } else if (cmd.c === "change") {
      let n = 0;
      for (const step of cmd.steps) n += stepFrames(step);
      v.space.reserveFrames(n);
      engine.all = true;
      try {
        for (const step of cmd.steps) runStep(v, step);
      } finally {
        engine.all = false;
      }
    }
    check(vs);
  }
  for (const v of vs) v?.space.release();
  expect(pool.stats()).toMatchObject({ framesInUse: 0, pageTableNodes: 0 });
}

describe("writes and heap calls against engine refusals at any allocation (model)", () => {
  it("every command completes or changes nothing; a reserved change completes; nothing leaks", () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 16), fc.array(cmdArb, { minLength: 1, maxLength: 30 }), (slab, cmds) => {
        try {
          run(slab, cmds);
        } finally {
          engine.at = 0;
          engine.all = false;
          vi.unstubAllGlobals();
        }
      }),
      {
        numRuns: RUNS,
        endOnFailure: process.env.REVIEW33_NO_SHRINK === "1",
        ...(SEED === undefined ? {} : { seed: SEED }),
      },
    );
  });
});
