/**
 * The callback loops (forEach, map, filter, reduce, reduceRight, find,
 * findIndex, findLast, findLastIndex, every, some) and the iterators
 * (values, entries) hand each element to user code, which may write the
 * array meanwhile, not only through the array's own methods: through its
 * proxy view, straight through the address space, through another array
 * living on the same pages (embedded), or release a fork so that the frames
 * the loop was reading are freed and taken by another space. Such a write
 * copies the page to a new frame (COW) or zero-fills it: a loop that kept
 * reading the frame it started the page with missed the write, or read
 * another space's bytes. Native typed arrays read every element afresh;
 * so must these. Property: random callbacks writing through every path, the
 * values each callback sees and each method's result compared with the same
 * method on a native Float64Array given the same writes; the pool holds no
 * frame once everything is released.
 */
import { CowFloat64Array, CowVector } from "@pagefork/array";
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Resizable, ResizableBuffer } from "../../../test/support/shrinking.js";
import { CALLBACK_METHODS } from "./support/callback-methods.js";
import { turn } from "./support.js";

const PS = 256; // 32 Float64 elements per page

type Path = "set" | "proxy" | "space" | "fill" | "proxy fill" | "neighbour" | "churn" | "shrink" | "push" | "grow";
const PATHS: readonly Path[] = [
  "set",
  "proxy",
  "space",
  "fill",
  "proxy fill",
  "neighbour",
  "churn",
  "shrink",
  "push",
  "grow",
];
/** Most elements a vector case holds (its native model's buffer's maxByteLength). */
const MAX = 300;

interface Act {
  /** The callback step it runs at. */
  readonly at: number;
  /** Element index (modulo the length). */
  readonly j: number;
  readonly x: number;
  readonly path: Path;
}

const METHODS = [...CALLBACK_METHODS, "values", "entries"] as const;
type Method = (typeof METHODS)[number];

/** What the loop is run over: a native array or a COW one, given the same callback. */
interface Loopable {
  forEach(fn: (v: number, i: number) => void): void;
  map(fn: (v: number, i: number) => number): ArrayLike<number>;
  filter(fn: (v: number, i: number) => boolean): ArrayLike<number>;
  reduce(fn: (acc: number, v: number, i: number) => number, init: number): number;
  reduceRight(fn: (acc: number, v: number, i: number) => number, init: number): number;
  find(fn: (v: number, i: number) => boolean): number | undefined;
  findIndex(fn: (v: number, i: number) => boolean): number;
  findLast(fn: (v: number, i: number) => boolean): number | undefined;
  findLastIndex(fn: (v: number, i: number) => boolean): number;
  every(fn: (v: number, i: number) => boolean): boolean;
  some(fn: (v: number, i: number) => boolean): boolean;
  values(): Iterable<number>;
  entries(): Iterable<[number, number]>;
}

/** A result array's elements; a COW result is released (or freed, embedded) afterwards. */
function settle(r: ArrayLike<number>): number[] {
  const out = Array.from(r);
  (r as { free?: () => void }).free?.();
  return out;
}

/** Runs `method` on `a`, calling `visit(value, index)` for each element; returns the seen pairs and the result. */
function runLoop(a: Loopable, method: Method, stop: number, visit: (v: number, i: number) => void): unknown {
  const seen: number[] = [];
  const see = (v: number, i: number): void => {
    seen.push(i, v);
    visit(v, i);
  };
  const hit = (v: number, i: number): boolean => {
    see(v, i);
    return i === stop;
  };
  let result: unknown;
  switch (method) {
    case "forEach":
      a.forEach(see);
      break;
    case "map":
      result = settle(
        a.map((v, i) => {
          see(v, i);
          return v * 2;
        }),
      );
      break;
    case "filter":
      result = settle(
        a.filter((v, i) => {
          see(v, i);
          return i % 3 === 0;
        }),
      );
      break;
    case "reduce":
      result = a.reduce((acc, v, i) => {
        see(v, i);
        return acc + v;
      }, 0);
      break;
    case "reduceRight":
      result = a.reduceRight((acc, v, i) => {
        see(v, i);
        return acc + v;
      }, 0);
      break;
    case "find":
      result = a.find(hit);
      break;
    case "findIndex":
      result = a.findIndex(hit);
      break;
    case "findLast":
      result = a.findLast(hit);
      break;
    case "findLastIndex":
      result = a.findLastIndex(hit);
      break;
    case "every":
      result = a.every((v, i) => !hit(v, i));
      break;
    case "some":
      result = a.some(hit);
      break;
    case "values": {
      let i = 0;
      for (const v of a.values()) see(v, i++);
      break;
    }
    case "entries":
      for (const [i, v] of a.entries()) see(v, i);
      break;
  }
  return { seen, result };
}

interface Case {
  readonly n: number;
  readonly embedded: boolean;
  /** A CowVector of Float64 rather than a CowFloat64Array. */
  readonly vector?: boolean;
  readonly method: Method;
  /** Whether a fork keeps every page shared (each write then copies its page). */
  readonly forked: boolean;
  readonly stop: number;
  readonly acts: readonly Act[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  n: fc.integer({ min: 1, max: 140 }),
  embedded: fc.boolean(),
  vector: fc.boolean(),
  method: fc.constantFrom(...METHODS),
  forked: fc.boolean(),
  stop: fc.integer({ min: -1, max: 140 }),
  acts: fc.array(
    fc.record({
      at: fc.nat(140),
      j: fc.nat(200),
      x: fc.integer({ min: -1000, max: 1000 }),
      path: fc.constantFrom(...PATHS),
    }),
    { maxLength: 12 },
  ),
});

function check(c: Case): void {
  const pool = new FramePool({ pageSize: PS });
  const init = Float64Array.from({ length: c.n }, (_, i) => i + 1);
  // A vector's model: a length-tracking Float64Array over a resizable buffer (callbacks may resize it).
  const rab: Resizable | null = c.vector === true ? new ResizableBuffer(c.n * 8, { maxByteLength: MAX * 8 }) : null;
  const model = rab === null ? Float64Array.from(init) : new Float64Array(rab);
  model.set(init);
  let space: AddressSpace | null = null;
  let heap: Heap | null = null;
  let a: CowFloat64Array | CowVector;
  let neighbour: CowFloat64Array;
  if (c.vector === true && c.embedded) {
    space = new AddressSpace({ size: 256 * PS, pool });
    heap = Heap.create(space, { base: PS });
    a = CowVector.create(heap, Float64Array);
    a.extend(init);
    neighbour = CowFloat64Array.create(heap, c.n);
  } else if (c.vector === true) {
    a = CowVector.from(Float64Array, init, { pool });
    neighbour = new CowFloat64Array(4, { pool });
  } else if (c.embedded) {
    space = new AddressSpace({ size: 256 * PS, pool });
    heap = Heap.create(space, { base: PS });
    a = CowFloat64Array.create(heap, init);
    neighbour = CowFloat64Array.create(heap, c.n); // the same size class: a small one shares a's slab page
  } else {
    a = new CowFloat64Array(init, { pool });
    neighbour = new CowFloat64Array(4, { pool });
  }
  let keep: { release(): void } | null = c.forked
    ? space !== null
      ? space.fork()
      : (a as CowFloat64Array).fork()
    : null;
  const others: AddressSpace[] = [];
  const p = a.proxy();
  let step = 0;
  const cowVisit = (): void => {
    const s = step++;
    for (const act of c.acts) {
      if (act.at !== s) continue;
      const j = act.j % c.n;
      const v = a as CowVector;
      // The length changes (vectors only); a write straight through the space stays inside the elements.
      if (act.path === "shrink" || act.path === "push" || act.path === "grow") {
        if (c.vector !== true) continue;
        if (act.path === "shrink") v.resize(act.j % (v.length + 1));
        else if (act.path === "push") {
          if (v.length < MAX) v.push(act.x);
        } else v.resize(Math.min(MAX, v.length + 1 + (act.j % 40)));
        continue;
      }
      if (act.path === "space" && j >= a.length) continue;
      switch (act.path) {
        case "set":
          a.set(j, act.x);
          break;
        case "proxy":
          p[j] = act.x;
          break;
        case "space":
          a.space.setFloat64(a.byteOffset + j * 8, act.x);
          break;
        case "fill":
          a.fill(act.x, j, j + 3);
          break;
        case "proxy fill":
          p.fill(act.x, j, j + 3);
          break;
        case "neighbour":
          neighbour.set(act.j % c.n, act.x);
          break;
        case "churn": {
          // The fork's frames freed, then taken by another space and overwritten.
          keep?.release();
          keep = null;
          const o = new AddressSpace({ size: 64 * PS, pool });
          for (let q = 0; q < 64; q++) o.fill(0x7f, q * PS, (q + 1) * PS);
          others.push(o);
          break;
        }
      }
    }
  };
  let mstep = 0;
  const nativeVisit = (): void => {
    const s = mstep++;
    for (const act of c.acts) {
      if (act.at !== s) continue;
      const j = act.j % c.n;
      if (rab !== null && (act.path === "shrink" || act.path === "push" || act.path === "grow")) {
        const len = model.length;
        if (act.path === "shrink") rab.resize((act.j % (len + 1)) * 8);
        else if (act.path === "push") {
          if (len < MAX) {
            rab.resize((len + 1) * 8);
            model[len] = act.x;
          }
        } else rab.resize(Math.min(MAX, len + 1 + (act.j % 40)) * 8);
        continue;
      }
      // Past a shrunk vector's end: ignored, as natively (the vector's own calls clamp or ignore them too).
      if (act.path === "set" || act.path === "proxy" || act.path === "space") {
        if (j < model.length) model[j] = act.x;
      } else if (act.path === "fill") model.fill(act.x, j, j + 3);
      else if (act.path === "proxy fill")
        // A standalone array's proxy view covers the `n` elements there were when it was made
        // (documented); an embedded one's tracks the array.
        model.fill(act.x, j, c.embedded ? j + 3 : Math.min(j + 3, c.n));
    }
  };
  const expected = runLoop(model as unknown as Loopable, c.method, c.stop, nativeVisit);
  const actual = runLoop(a as unknown as Loopable, c.method, c.stop, cowVisit);
  expect(actual).toEqual(expected);
  expect(Array.from(a.toTypedArray())).toEqual(Array.from(model));
  heap?.check();
  keep?.release();
  for (const o of others) o.release();
  if (space !== null) space.release();
  else {
    (a as CowFloat64Array).release();
    neighbour.release();
  }
  expect(pool.stats()).toMatchObject({ framesInUse: 0, committedBytes: 0, spaces: 0 });
}

describe("callback loops and iterators whose callbacks write the array through any path", () => {
  it("see every write, as the native methods do (property against a native Float64Array)", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await turn();
        check(c);
      }),
      { numRuns: 400 },
    );
  });

  it("a write through the proxy view that copies the next element's page is seen by forEach and the iterator", () => {
    for (const method of ["forEach", "values", "reduce", "findLast"] as const)
      check({
        n: 64,
        embedded: false,
        method,
        forked: true,
        stop: -1,
        acts: [
          { at: 0, j: 1, x: 100, path: "proxy" },
          { at: 0, j: 62, x: 101, path: "proxy" },
        ],
      });
  });

  it("a fork released and its frames reused mid-loop: the loop reads its own elements, not the new owner's bytes", () => {
    for (const embedded of [false, true])
      for (const method of ["forEach", "entries", "some", "reduceRight"] as const)
        check({
          n: 6,
          embedded,
          method,
          forked: true,
          stop: -1,
          acts: [
            { at: 1, j: 0, x: 0, path: "neighbour" },
            { at: 1, j: 0, x: 0, path: "churn" },
          ],
        });
  });
});

describe("a callback that shrinks the vector it is called for", () => {
  it("is still called for every index below the starting length, with undefined past the new end, as natively", () => {
    for (const embedded of [false, true])
      for (const method of METHODS)
        check({
          n: 70,
          embedded,
          vector: true,
          method,
          forked: false,
          stop: -1,
          acts: [{ at: 1, j: 3, x: 0, path: "shrink" }],
        });
  });
});
