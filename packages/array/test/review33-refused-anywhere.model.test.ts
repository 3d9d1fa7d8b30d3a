/**
 * Review 33: every array and vector change that the engine refuses at any
 * one of its allocations (a slab, a free list, a page-table node arena,
 * an overflow table: `new ArrayBuffer`, `new Int32Array(n)` throwing
 * RangeError, as V8 does out of memory) throws OutOfMemoryError and changes nothing: the elements (against
 * a Float64Array or Array model), the pool's frames in use and page-table
 * nodes, the heap's metadata (embedded), and the versions forked before. The
 * review32 tests refuse every allocation of a call; this property lets the
 * first `at` through and refuses from there on, on random forks of random
 * edits, so that a change whose reservation readied too few faults (its
 * later write taking a slab the reservation did not make) is caught
 * wherever that write falls. Every version released, the pool holds no frame.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap, OutOfMemoryError } from "@pagefork/core";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { refusingFrom } from "../../../test/support/refuse.js";
import { runs } from "../../../test/support/runs.js";
import { turn } from "./support.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

const NUM_RUNS = runs(150);
const PS = 256; // 32 Float64 elements per page
/** Pages of the space whose writes take the frames the slabs hold unused (the "drain" step). */
const PAD_PAGES = 4096;

// biome-ignore lint/suspicious/noExplicitAny: a CowFloat64Array or a CowVector, called alike
type Cow = any;
/** The model: a Float64Array for a fixed-length array, a plain Array for a vector. */
type Model = Float64Array | number[];

const small = fc.integer({ min: 1, max: 9 });
const items = fc.array(small, { maxLength: 80 });
const index = fc.integer({ min: -40, max: 320 });

type Op =
  | { t: "fill"; v: number; s: number; e: number }
  | { t: "copyWithin"; to: number; s: number; e: number }
  | { t: "set"; i: number; v: number }
  | { t: "setFrom"; xs: number[]; at: number }
  | { t: "sort" | "sortDesc" | "reverse" | "pop" | "shrinkToFit" | "fork" | "drop" | "drain" }
  | { t: "slice"; s: number; e: number }
  | { t: "toSorted" | "toReversed" }
  | { t: "with"; i: number; v: number }
  | { t: "push"; xs: number[] }
  | { t: "extend"; xs: number[] }
  | { t: "insertFrom"; i: number; xs: number[] }
  | { t: "removeRange"; a: number; b: number }
  | { t: "splice"; s: number; d: number; xs: number[] }
  | { t: "resize"; n: number }
  | { t: "swapRemove"; i: number }
  | { t: "reserve"; n: number };

const common: fc.Arbitrary<Op>[] = [
  fc.record({ t: fc.constant("fill" as const), v: fc.constantFrom(0, 7), s: index, e: index }),
  fc.record({ t: fc.constant("copyWithin" as const), to: index, s: index, e: index }),
  fc.record({ t: fc.constant("set" as const), i: index, v: small }),
  fc.record({ t: fc.constant("setFrom" as const), xs: items, at: index }),
  fc.constantFrom(
    { t: "sort" as const },
    { t: "sortDesc" as const },
    { t: "reverse" as const },
    { t: "fork" as const },
    { t: "drop" as const },
    { t: "drain" as const },
    { t: "toSorted" as const },
    { t: "toReversed" as const },
  ),
  fc.record({ t: fc.constant("slice" as const), s: index, e: index }),
  fc.record({ t: fc.constant("with" as const), i: index, v: small }),
];
const vectorOnly: fc.Arbitrary<Op>[] = [
  fc.record({ t: fc.constant("push" as const), xs: fc.array(small, { minLength: 1, maxLength: 40 }) }),
  fc.record({ t: fc.constant("extend" as const), xs: items }),
  fc.record({ t: fc.constant("insertFrom" as const), i: index, xs: items }),
  fc.record({ t: fc.constant("removeRange" as const), a: index, b: index }),
  fc.record({ t: fc.constant("splice" as const), s: index, d: fc.nat(120), xs: items }),
  fc.record({ t: fc.constant("resize" as const), n: fc.nat(400) }),
  fc.record({ t: fc.constant("swapRemove" as const), i: index }),
  fc.record({ t: fc.constant("reserve" as const), n: fc.nat(600) }),
  fc.constantFrom({ t: "pop" as const }, { t: "shrinkToFit" as const }),
];

/** A step: the edit and the allocation at which the engine starts refusing (null: it never does). */
interface Step {
  readonly op: Op;
  readonly at: number | null;
}
const stepArb = (vector: boolean): fc.Arbitrary<Step> =>
  fc.record({
    op: fc.oneof(...common, ...(vector ? vectorOnly : [])),
    at: fc.option(fc.oneof(fc.nat(3), fc.nat(12)), { freq: 4, nil: null }),
  });

interface Case {
  readonly vector: boolean;
  readonly embedded: boolean;
  readonly firstSlab: number;
  readonly slab: number;
  /** Initial elements: zeros stay on the zero frame. */
  readonly init: number[];
  readonly steps: Step[];
}

const caseArb: fc.Arbitrary<Case> = fc.boolean().chain((vector) =>
  fc.record({
    vector: fc.constant(vector),
    embedded: fc.boolean(),
    firstSlab: fc.constantFrom(1, 2, 4, 8),
    slab: fc.constantFrom(1, 2, 4, 8),
    init: fc.array(fc.oneof(fc.constant(0), small), { maxLength: 200 }),
    steps: fc.array(stepArb(vector), { minLength: 1, maxLength: 14 }),
  }),
);

/** A version kept to check at the end: its elements then, and how to read and release it. */
interface Kept {
  readonly model: number[];
  read(): number[];
  release(): void;
}

/** Clamps `i` into [lo, hi]. */
function clamp(i: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, i));
}

/** Applies `op` to the model (after the COW call returned); what the call should have returned. */
function applyModel(m: Model, op: Op, vector: boolean): { model: Model; result?: number[] | number } {
  const len = m.length;
  switch (op.t) {
    case "fill":
      m.fill(op.v, op.s, op.e);
      return { model: m };
    case "copyWithin":
      m.copyWithin(op.to, op.s, op.e);
      return { model: m };
    case "set":
      if (Number.isInteger(op.i) && op.i >= 0 && op.i < len) m[op.i] = op.v;
      return { model: m };
    case "setFrom": {
      const xs = op.xs.slice(0, len);
      const at = clamp(op.at, 0, len - xs.length);
      for (let k = 0; k < xs.length; k++) m[at + k] = xs[k] as number;
      return { model: m };
    }
    case "sort":
      m.sort((x, y) => x - y);
      return { model: m };
    case "sortDesc":
      m.sort((x, y) => y - x);
      return { model: m };
    case "reverse":
      m.reverse();
      return { model: m };
    case "slice":
      return { model: m, result: Array.from(m.slice(op.s, op.e)) };
    case "toSorted":
      return { model: m, result: Array.from(m).sort((x, y) => x - y) };
    case "toReversed":
      return { model: m, result: Array.from(m).reverse() };
    case "with": {
      const r = Array.from(m);
      const k = op.i >= 0 ? op.i : len + op.i;
      if (k < 0 || k >= len) return { model: m };
      r[k] = op.v;
      return { model: m, result: r };
    }
    default:
      break;
  }
  if (!vector) return { model: m };
  const a = m as number[];
  switch (op.t) {
    case "push":
    case "extend":
      a.push(...op.xs);
      return { model: a };
    case "insertFrom":
      a.splice(clamp(op.i, 0, len), 0, ...op.xs);
      return { model: a };
    case "removeRange": {
      const x = clamp(op.a, 0, len);
      a.splice(x, clamp(op.b, x, len) - x);
      return { model: a };
    }
    case "splice":
      return { model: a, result: a.splice(op.s, op.d, ...op.xs) };
    case "resize":
      if (op.n < len) a.length = op.n;
      else while (a.length < op.n) a.push(0);
      return { model: a };
    case "pop":
      a.pop();
      return { model: a };
    case "swapRemove": {
      if (len === 0) return { model: a };
      const i = clamp(op.i, 0, len - 1);
      const last = a.pop() as number;
      if (i < a.length) a[i] = last;
      return { model: a };
    }
    default:
      return { model: a };
  }
}

/** Makes the COW call of `op` (its arguments clamped as applyModel clamps them); its result (see {@link settle}). */
function callCow(c: Cow, op: Op, len: number): unknown {
  switch (op.t) {
    case "fill":
      return void c.fill(op.v, op.s, op.e);
    case "copyWithin":
      return void c.copyWithin(op.to, op.s, op.e);
    case "set":
      return void c.set(op.i, op.v);
    case "setFrom": {
      const xs = op.xs.slice(0, len);
      return void c.set(Float64Array.from(xs), clamp(op.at, 0, len - xs.length));
    }
    case "sort":
      return void c.sort();
    case "sortDesc":
      return void c.sort((x: number, y: number) => y - x);
    case "reverse":
      return void c.reverse();
    case "slice":
    case "toSorted":
    case "toReversed":
    case "with": {
      if (op.t === "with") {
        const k = op.i >= 0 ? op.i : len + op.i;
        if (k < 0 || k >= len) return undefined;
      }
      // The new array itself: settled (read, freed) once the engine gives memory again.
      return op.t === "slice" ? c.slice(op.s, op.e) : op.t === "with" ? c.with(op.i, op.v) : c[op.t]();
    }
    case "push":
      return void c.push(...op.xs);
    case "extend":
      return void c.extend(op.xs);
    case "insertFrom":
      return void c.insertFrom(clamp(op.i, 0, len), op.xs);
    case "removeRange": {
      const x = clamp(op.a, 0, len);
      return void c.removeRange(x, clamp(op.b, x, len));
    }
    case "splice":
      return c.splice(op.s, op.d, ...op.xs);
    case "resize":
      return void c.resize(op.n);
    case "pop":
      return void c.pop();
    case "swapRemove":
      return len === 0 ? undefined : void c.swapRemove(clamp(op.i, 0, len - 1));
    case "reserve":
      return void c.reserve(op.n);
    case "shrinkToFit":
      return void c.shrinkToFit();
    default:
      return undefined;
  }
}

/** A call's result as plain data: a new array (slice, toSorted, toReversed, with) as its elements, then freed. */
function settle(r: unknown): unknown {
  if (r === null || typeof r !== "object" || !("free" in (r as object))) return r;
  const out = Array.from((r as Cow).toTypedArray() as Float64Array);
  (r as Cow).free();
  return out;
}

/** Runs one case; the problems found (empty: none). */
function check(k: Case): string[] {
  const bad: string[] = [];
  const pool = new FramePool({
    pageSize: PS,
    firstSlabBytes: Math.min(k.firstSlab, k.slab) * PS,
    slabBytes: k.slab * PS,
  });
  const n = k.init.length;
  let space: AddressSpace | null = null;
  let heap: Heap | null = null;
  let cow: Cow;
  if (k.embedded) {
    space = new AddressSpace({ size: 1024 * PS, pool });
    heap = Heap.create(space, {});
    if (k.vector) {
      cow = CowVector.create(heap, Float64Array);
      cow.resize(n);
    } else cow = CowFloat64Array.create(heap, n);
  } else cow = k.vector ? new CowVector(Float64Array, { pool, maxLength: 4096 }) : new CowFloat64Array(n, { pool });
  if (k.vector && !k.embedded) cow.resize(n);
  k.init.forEach((x, i) => {
    if (x !== 0) cow.set(i, x);
  });
  let model: Model = k.vector ? [...k.init] : Float64Array.from(k.init);
  const kept: Kept[] = [];
  const pad = new AddressSpace({ size: PAD_PAGES * PS, pool });
  let padPage = 0;
  const refuse = refusingFrom();
  const read = (): number[] => Array.from(cow.toTypedArray() as Float64Array);
  for (const [s, step] of k.steps.entries()) {
    const op = step.op;
    if (op.t === "fork") {
      const snapshot = Array.from(model);
      if (space !== null) {
        const f = space.fork();
        const address = cow.address;
        const Ctor = k.vector ? CowVector : CowFloat64Array;
        const read1 = () => {
          const a: Cow = (Ctor as Cow).attach(Heap.attach(f, 0), address);
          return Array.from(a.toTypedArray() as Float64Array);
        };
        kept.push({ model: snapshot, read: read1, release: () => f.release() });
      } else {
        const f = cow.fork();
        kept.push({
          model: snapshot,
          read: () => Array.from(f.toTypedArray() as Float64Array),
          release: () => f.release(),
        });
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
        const got = old.read();
        if (JSON.stringify(got) !== JSON.stringify(old.model)) bad.push(`step ${s}: a fork changed`);
        old.release();
      }
      continue;
    }
    const st0 = pool.stats();
    const before = { frames: st0.framesInUse, nodes: st0.pageTableNodes };
    let thrown: unknown = null;
    let result: unknown;
    if (step.at !== null) refuse.arm(step.at);
    try {
      result = callCow(cow, op, model.length);
    } catch (e) {
      thrown = e;
    } finally {
      refuse.disarm();
    }
    result = settle(result);
    if (thrown !== null) {
      const st = pool.stats();
      const after = { frames: st.framesInUse, nodes: st.pageTableNodes };
      const what = `step ${s} ${JSON.stringify(op)} refused at allocation ${step.at}`;
      if (!(thrown instanceof OutOfMemoryError)) bad.push(`${what}: threw ${String(thrown)}`);
      const got = read();
      if (JSON.stringify(got) !== JSON.stringify(Array.from(model)))
        bad.push(`${what}: elements changed to ${JSON.stringify(got).slice(0, 120)}`);
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
    const expected = applyModel(model, op, k.vector);
    model = expected.model;
    if (expected.result !== undefined && JSON.stringify(result) !== JSON.stringify(expected.result))
      bad.push(`step ${s} ${JSON.stringify(op)}: returned ${JSON.stringify(result)}`);
    const got = read();
    if (JSON.stringify(got) !== JSON.stringify(Array.from(model))) {
      bad.push(`step ${s} ${JSON.stringify(op)}: elements ${JSON.stringify(got).slice(0, 120)}`);
      break;
    }
  }
  for (const v of kept) {
    if (JSON.stringify(v.read()) !== JSON.stringify(v.model)) bad.push("a fork changed");
    v.release();
  }
  if (space !== null) space.release();
  else cow.release();
  pad.release();
  if (pool.framesInUse !== 0) bad.push(`${pool.framesInUse} frames leaked`);
  vi.unstubAllGlobals();
  return bad;
}

describe("an array or vector change refused by the engine at any allocation changes nothing", () => {
  it("elements, frames, page-table nodes, heap and forks unchanged; no leak (property)", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (k) => {
        await turn();
        expect(check(k)).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
